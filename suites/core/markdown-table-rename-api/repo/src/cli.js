#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { csvToMarkdown } from './csv.js';
import { renderTable } from './table.js';

/** `md-tables file.csv` prints the CSV as Markdown; `md-tables --json file.json` reads an array of rows. */
export function main(argv, read = (path) => readFileSync(path, 'utf8')) {
  if (argv[0] === '--json') return renderTable(JSON.parse(read(argv[1])));
  return csvToMarkdown(read(argv[0]));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${main(process.argv.slice(2))}\n`);
}
