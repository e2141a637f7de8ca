/** Splits a template into text and `{{ expression }}` / `{{{ raw }}}` parts. */
export function parseTemplate(source) {
  const parts = [];
  const pattern = /\{\{\{\s*(.+?)\s*\}\}\}|\{\{\s*(.+?)\s*\}\}/g;
  let last = 0;
  for (const match of source.matchAll(pattern)) {
    if (match.index > last) parts.push({ type: 'text', value: source.slice(last, match.index) });
    parts.push({ type: 'expression', expression: (match[1] ?? match[2]).trim(), raw: match[1] !== undefined });
    last = match.index + match[0].length;
  }
  if (last < source.length) parts.push({ type: 'text', value: source.slice(last) });
  return parts;
}
