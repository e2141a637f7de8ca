export { renderTable } from './table.js';
export { csvToMarkdown, parseCsv } from './csv.js';
