import { ArgumentError, coerce } from './coerce.js';
import { tokenize } from './tokenize.js';

/**
 * Parses `argv` against a spec: `{ options: [{ name, alias?, type?, default?, multiple? }] }`.
 * Returns `{ options, positionals }`. Non-boolean options take their value from `--name=value`
 * or from the next argument.
 */
export function parseArgs(argv, spec = {}) {
  const declared = (spec.options ?? []).map((option) => ({ type: 'string', ...option }));
  const byName = new Map(declared.map((option) => [option.name, option]));
  const byAlias = new Map(declared.filter((option) => option.alias).map((option) => [option.alias, option]));
  const options = {};
  for (const option of declared) {
    if (option.default !== undefined) options[option.name] = option.default;
    else if (option.multiple) options[option.name] = [];
  }
  const positionals = [];
  const tokens = tokenize(argv);

  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    const option = token.kind === 'long' ? byName.get(token.name) : byAlias.get(token.name);
    if (!option) throw new ArgumentError(`unknown option ${token.kind === 'long' ? '--' : '-'}${token.name}`);
    let raw = token.value;
    if (raw === undefined && option.type !== 'boolean') {
      const next = tokens[index + 1];
      if (!next || next.kind !== 'positional') throw new ArgumentError(`--${option.name} requires a value`);
      raw = next.value;
      index++;
    }
    const value = coerce(option, raw);
    if (option.multiple) options[option.name] = [...(options[option.name] ?? []), value];
    else options[option.name] = value;
  }
  return { options, positionals };
}
