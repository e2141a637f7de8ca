import { renderTable } from './table.js';

/** Splits simple CSV (no quoting) into rows. */
export function parseCsv(text) {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '').map((line) => line.split(',').map((cell) => cell.trim()));
}

/** CSV text to a Markdown table; numeric columns are right-aligned. */
export function csvToMarkdown(text) {
  const rows = parseCsv(text);
  const align = (rows[0] ?? []).map((_, index) =>
    rows.length > 1 && rows.slice(1).every((row) => row[index] !== undefined && /^-?\d+(\.\d+)?$/.test(row[index])) ? 'right' : 'left',
  );
  return renderTable(rows, { align });
}
