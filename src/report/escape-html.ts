/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * Serializes a value as JSON that is safe inside an HTML `<script>` element: `<`, `>`, `&` and the JavaScript line
 * separators are written as `\u` escapes, so no string in the data can close the element.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

/**
 * Makes inlined JavaScript source safe inside a `<script>` element: `</script` becomes `<\/script` (the same
 * text inside JavaScript strings, regular expressions and comments). Throws on `<!--`, which cannot be rewritten
 * safely in every JavaScript context.
 */
export function scriptSourceForHtml(source: string): string {
  if (source.includes('<!--'))
    throw new Error('inlined script contains "<!--"; it cannot be embedded safely');
  return source.replace(/<\/(script)/gi, '<\\/$1');
}
