import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchResult } from './bench-result.ts';

/**
 * Runs every `bench/*.bench.ts` (its default export: an async function returning BenchResult[]) and prints one
 * table. Pass name fragments as arguments to run only matching benches.
 */
async function main(): Promise<void> {
  const benchDir = path.dirname(fileURLToPath(import.meta.url));
  const filters = process.argv.slice(2);
  const files = (await readdir(benchDir))
    .filter((name) => name.endsWith('.bench.ts'))
    .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
    .sort();
  const rows: Array<BenchResult & { bench: string }> = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(benchDir, file)).href)) as {
      default?: () => Promise<BenchResult[]>;
    };
    if (typeof module.default !== 'function') {
      console.warn(`${file}: no default export function; skipped`);
      continue;
    }
    for (const result of await module.default())
      rows.push({ bench: file.replace(/\.bench\.ts$/, ''), ...result });
  }
  const round = (value: number) => Math.round(value * 10) / 10;
  console.table(
    rows.map((row) => ({
      bench: row.bench,
      measure: row.name,
      runs: row.runs,
      [`p50 (${row.unit})`]: round(row.p50),
      [`p95 (${row.unit})`]: round(row.p95),
      [`min (${row.unit})`]: round(row.min),
      [`max (${row.unit})`]: round(row.max),
    })),
  );
}

await main();
