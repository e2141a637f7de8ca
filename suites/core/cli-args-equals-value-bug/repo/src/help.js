/** Renders a usage block for a spec: one line per option, aligned. */
export function formatHelp(command, spec = {}) {
  const rows = (spec.options ?? []).map((option) => {
    const flags = [option.alias ? `-${option.alias},` : '   ', `--${option.name}`].join(' ');
    const type = option.type && option.type !== 'boolean' ? ` <${option.type}>` : '';
    return [flags + type, option.description ?? ''];
  });
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  const lines = rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`.trimEnd());
  return [`Usage: ${command} [options]`, '', 'Options:', ...lines].join('\n');
}
