export { compile, render } from './render.js';
export { escapeHtml } from './escape.js';
