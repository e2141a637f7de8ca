/**
 * `npm run bench [-- NAME ...] [--json FILE] [--compare REF]`: runs every `bench/*.bench.ts` (or those whose file
 * name contains a NAME) and prints each figure with its floor and ratio.
 *
 * `--compare REF` measures REF too: a temporary `git worktree` of REF with this checkout's node_modules linked. The
 * harness, the model server and the task writers stay this checkout's; only the code measured is REF's (its CLI, and
 * the modules in-process benches load through importMeasured; see MEASURED). Bench by bench, REF first, then this
 * checkout, each in a process of its own; the table puts both side by side with the ratio of this checkout's
 * figure to REF's.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { type BenchFigure, figureOfResult, isFigure } from './bench-figure.ts';
import { REPOSITORY } from './bench-processes.ts';
import type { BenchResult } from './bench-result.ts';

const run = promisify(execFile);
const BENCH_DIRECTORY = path.join(REPOSITORY, 'bench');

/** A figure with the bench (file name without `.bench.ts`) it came from. */
type Row = BenchFigure & { bench: string };

function format(value: number | undefined, unit = ''): string {
  if (value === undefined || !Number.isFinite(value)) return '';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

async function benchNames(filters: string[]): Promise<string[]> {
  return (await readdir(BENCH_DIRECTORY))
    .filter((name) => name.endsWith('.bench.ts'))
    .map((name) => name.replace(/\.bench\.ts$/, ''))
    .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
    .sort();
}

/** Runs the named benches in this process. */
async function runHere(names: string[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const name of names) {
    const module = (await import(path.join(BENCH_DIRECTORY, `${name}.bench.ts`))) as {
      default?: () => Promise<Array<BenchFigure | BenchResult>>;
    };
    if (typeof module.default !== 'function') throw new Error(`bench/${name}.bench.ts has no default export`);
    for (const result of await module.default())
      rows.push({ bench: name, ...(isFigure(result) ? result : figureOfResult(result)) });
  }
  return rows;
}

/** Runs one bench in a process of its own, measuring the checkout at `repository`; returns its figures. */
async function runIn(repository: string, name: string): Promise<Row[]> {
  const output = path.join(await mkdtemp(path.join(tmpdir(), 'bench-out-')), 'figures.json');
  const child = execFile(
    process.execPath,
    [
      path.join(REPOSITORY, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      'bench/index.ts',
      name,
      '--json',
      output,
    ],
    {
      cwd: REPOSITORY,
      env: { ...process.env, SHAKEDOWN_BENCH_CHECKOUT: repository },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  child.stderr?.pipe(process.stderr);
  await new Promise<void>((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`bench ${name} in ${repository} exited ${code}`)),
    ),
  );
  const rows = JSON.parse(await readFile(output, 'utf8')) as Row[];
  await rm(path.dirname(output), { recursive: true, force: true });
  return rows.filter((row) => row.bench === name);
}

function printTable(rows: Row[]): void {
  console.table(
    rows.map((row) => ({
      bench: row.bench,
      measure: row.measure,
      figure: format(row.value, row.unit),
      floor: row.floor ? `${format(row.floor.value, row.unit)} (${row.floor.what})` : '',
      ratio: row.ratio === undefined ? '' : `${format(row.ratio)}x`,
      note: row.note ?? '',
    })),
  );
}

function printComparison(reference: string, before: Row[], after: Row[]): void {
  // A floor's description may carry its measured value, so rows pair by bench and measure alone.
  const key = (row: Row) => `${row.bench}|${row.measure}`;
  const beforeByKey = new Map(before.map((row) => [key(row), row]));
  const seen = new Set<string>();
  const lines = after.map((row) => {
    seen.add(key(row));
    const old = beforeByKey.get(key(row));
    return {
      bench: row.bench,
      measure: row.measure,
      [`${reference} figure`]: old ? format(old.value, old.unit) : '',
      [`${reference} ratio`]: old?.ratio === undefined ? '' : `${format(old.ratio)}x`,
      'HEAD figure': format(row.value, row.unit),
      'HEAD ratio': row.ratio === undefined ? '' : `${format(row.ratio)}x`,
      'HEAD / before': old ? `${format(row.value / old.value)}x` : '',
      floor:
        old?.floor && old.floor.what !== row.floor?.what
          ? `${reference}: ${old.floor.what}; HEAD: ${row.floor?.what ?? ''}`
          : (row.floor?.what ?? ''),
    };
  });
  for (const row of before.filter((row) => !seen.has(key(row))))
    lines.push({
      bench: row.bench,
      measure: row.measure,
      [`${reference} figure`]: format(row.value, row.unit),
      [`${reference} ratio`]: row.ratio === undefined ? '' : `${format(row.ratio)}x`,
      'HEAD figure': '',
      'HEAD ratio': '',
      'HEAD / before': '',
      floor: row.floor?.what ?? '',
    });
  console.table(lines);
}

/** A worktree of `reference` with this checkout's node_modules; removed by the returned function. */
async function referenceCheckout(
  reference: string,
): Promise<{ directory: string; remove: () => Promise<void> }> {
  const directory = await mkdtemp(path.join(tmpdir(), 'bench-compare-'));
  await rm(directory, { recursive: true });
  await run('git', ['worktree', 'add', '--detach', directory, reference], { cwd: REPOSITORY });
  await symlink(path.join(REPOSITORY, 'node_modules'), path.join(directory, 'node_modules'), 'dir');
  return {
    directory,
    remove: async () => {
      await run('git', ['worktree', 'remove', '--force', directory], { cwd: REPOSITORY });
    },
  };
}

/** The machine and its load, for the record beside the figures. */
function machineLine(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
  return `${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${load}, node ${process.version}`;
}

async function main(): Promise<void> {
  console.error(`bench start: ${machineLine()}`);
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: 'string' }, compare: { type: 'string' } },
  });
  const names = await benchNames(positionals);
  if (names.length === 0) throw new Error(`no bench matches ${positionals.join(', ')}: see bench/*.bench.ts`);
  if (!values.compare) {
    const rows = await runHere(names);
    if (values.json) await writeFile(values.json, JSON.stringify(rows, null, 2));
    printTable(rows);
    console.error(`bench end: ${machineLine()}`);
    return;
  }
  const reference = values.compare;
  const checkout = await referenceCheckout(reference);
  try {
    const before: Row[] = [];
    const after: Row[] = [];
    const failed: string[] = [];
    for (const name of names) {
      for (const [repository, rows] of [
        [checkout.directory, before],
        [REPOSITORY, after],
      ] as const) {
        try {
          rows.push(...(await runIn(repository, name)));
        } catch (error) {
          failed.push((error as Error).message);
        }
      }
    }
    if (values.json) await writeFile(values.json, JSON.stringify({ reference, before, after }, null, 2));
    printComparison(reference, before, after);
    console.error(`bench end: ${machineLine()}`);
    for (const failure of failed) console.error(`FAILED: ${failure}`);
    if (failed.length > 0) process.exitCode = 1;
  } finally {
    await checkout.remove();
  }
}

await main();
