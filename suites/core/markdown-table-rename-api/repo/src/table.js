import { cellText, pad, separator } from './cells.js';

/**
 * Renders `rows` (first row = header) as a Markdown table whose columns are padded to the same width.
 * `opts.align` lists 'left' | 'right' | 'center' per column (default left).
 */
export function renderTable(rows, opts = {}) {
  if (rows.length === 0) return '';
  const columns = Math.max(...rows.map((row) => row.length));
  const cells = rows.map((row) => Array.from({ length: columns }, (_, index) => cellText(row[index])));
  const align = Array.from({ length: columns }, (_, index) => opts.align?.[index] ?? 'left');
  const widths = align.map((_, index) => Math.max(3, ...cells.map((row) => row[index].length)));
  const line = (row) => `| ${row.map((cell, index) => pad(cell, widths[index], align[index])).join(' | ')} |`;
  const [header, ...body] = cells;
  return [line(header), `| ${widths.map((width, index) => separator(width, align[index])).join(' | ')} |`, ...body.map(line)].join('\n');
}
