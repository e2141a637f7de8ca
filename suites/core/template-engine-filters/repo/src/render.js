import { escapeHtml } from './escape.js';
import { lookup } from './lookup.js';
import { parseTemplate } from './parse.js';

/** Compiles a template once; the returned function renders it with `data`. */
export function compile(source) {
  const parts = parseTemplate(source);
  return (data = {}) =>
    parts
      .map((part) => {
        if (part.type === 'text') return part.value;
        const value = lookup(data, part.expression);
        if (value === undefined || value === null) return '';
        return part.raw ? String(value) : escapeHtml(value);
      })
      .join('');
}

export function render(source, data) {
  return compile(source)(data);
}
