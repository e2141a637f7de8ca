/**
 * 10k attempts: stores of 1k, 5k and 10k finished attempts (2 models × 50/250/500 tasks × 10 attempts, each with a
 * schema-valid transcript of a few steps and a grade: 1k written through the real store API, copied in SQL under new
 * task ids for the larger stores; see `seedScaleStore`), then `shakedown report`,
 * `shakedown rescore` (compiled CLI, as the package runs) and each viewer API endpoint (its own process, the request
 * timed inside it) on each. Per endpoint: time and peak RSS at 10k, and the ratio of the per-attempt cost at 10k to
 * that at 1k (1.0 = linear; above it grows faster than the attempts). Target: under 300 MB at 10k.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../src/store/store.ts';
import { seedViewerStore } from '../test-support/seed-viewer-store.ts';
import type { BenchFigure } from './bench-figure.ts';
import { ensureBuilt, median, REPOSITORY, runShakedown, timeProcess } from './bench-processes.ts';

/** Options of the scale benchmark. */
export interface ScaleBenchOptions {
  /** Stores to measure, in thousands of attempts (copies of the 1k written through the store API). */
  copies?: number[];
  /** Timed runs of each command per store (the median is kept). */
  runs?: number;
}

const RUN_ID = 'run-20261126-140000-scale';
const TSX = path.join(REPOSITORY, 'node_modules', 'tsx', 'dist', 'cli.mjs');

interface Measured {
  ms: number;
  rssMb: number;
}

/** The store API writes the first 1k attempts (2 models × 50 tasks × 10 attempts) with their transcripts. */
const SEEDED_TASKS = 50;

/**
 * A store of `copies` × 1k attempts: 1k written through the store API (schema-valid transcripts, derived step and
 * tool-call rows, grades), then copied in SQL `copies - 1` times under new task ids (`task-0007~2`), every table that
 * holds a task or an attempt included. Returns the id of an attempt in the middle.
 */
export function seedScaleStore(dataDir: string, seedDir: string, copies: number): string {
  const store = openStore(seedDir);
  try {
    if (!store.getRun(RUN_ID)) {
      seedViewerStore(store, {
        runId: RUN_ID,
        taskIds: Array.from({ length: SEEDED_TASKS }, (_, index) => `task-${String(index).padStart(4, '0')}`),
        attemptsPerCell: 10,
      });
    }
  } finally {
    store.close();
  }
  const database = new Database(path.join(dataDir, 'shakedown.db'));
  try {
    database.exec(`ATTACH DATABASE '${path.join(seedDir, 'shakedown.db').replaceAll("'", "''")}' AS seed`);
    const columnsOf = (table: string) =>
      (database.prepare(`PRAGMA seed.table_info(${table})`).all() as Array<{ name: string }>).map(
        (column) => column.name,
      );
    /** Copies `table` `copies` times, appending `~n` to the columns named in `suffixed` from the second copy on. */
    const copyTable = (table: string, suffixed: string[]) => {
      const columns = columnsOf(table);
      for (let copy = 1; copy <= copies; copy++) {
        const suffix = copy === 1 ? '' : `~${copy}`;
        const selected = columns.map((column) =>
          suffixed.includes(column) ? `${column} || '${suffix}'` : column,
        );
        database.exec(
          `INSERT INTO main.${table} (${columns.join(', ')}) SELECT ${selected.join(', ')} FROM seed.${table}`,
        );
      }
    };
    database.exec('PRAGMA foreign_keys = OFF');
    database.exec('BEGIN');
    // The seed's schema, then its rows: tasks, attempts and the rows of attempts once per copy, the rest once.
    const schema = database
      .prepare("SELECT sql FROM seed.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'")
      .all() as Array<{ sql: string }>;
    for (const { sql } of schema) database.exec(sql);
    const tables = database
      .prepare("SELECT name FROM seed.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[];
    for (const table of tables) {
      const columns = columnsOf(table);
      if (columns.includes('attempt_id')) copyTable(table, ['attempt_id']);
      else if (table === 'attempts') copyTable(table, ['id', 'task_id']);
      else if (columns.includes('task_id')) copyTable(table, ['task_id']);
      else database.exec(`INSERT INTO main.${table} SELECT * FROM seed.${table}`);
    }
    database.exec('COMMIT');
    const ids = database.prepare('SELECT id FROM attempts ORDER BY id').pluck().all() as string[];
    if (ids.length !== copies * SEEDED_TASKS * 20)
      throw new Error(`scale store holds ${ids.length} attempts, expected ${copies * SEEDED_TASKS * 20}`);
    return ids[Math.floor(ids.length / 2)]!;
  } finally {
    database.close();
  }
}

async function timeCli(args: string[], runs: number): Promise<Measured> {
  const samples: Measured[] = [];
  for (let run = 0; run < runs; run++) {
    const sample = await runShakedown(args, { mode: 'compiled' });
    samples.push({ ms: sample.wallMs, rssMb: sample.peakRssMb });
  }
  return { ms: median(samples.map((s) => s.ms)), rssMb: median(samples.map((s) => s.rssMb)) };
}

async function timeEndpoint(dataDir: string, requestPath: string, runs: number): Promise<Measured> {
  const samples: Measured[] = [];
  for (let run = 0; run < runs; run++) {
    const sample = await timeProcess(process.execPath, [
      TSX,
      path.join(REPOSITORY, 'bench', 'viewer-endpoint-process.ts'),
      dataDir,
      requestPath,
    ]);
    const answer = JSON.parse(sample.stdout.trim().split('\n').at(-1)!) as { ms: number; status: number };
    if (requestPath !== '-' && answer.status !== 200)
      throw new Error(`viewer ${requestPath}: HTTP ${answer.status}\n${sample.stderr.slice(-1000)}`);
    samples.push({ ms: answer.ms, rssMb: sample.peakRssMb });
  }
  return { ms: median(samples.map((s) => s.ms)), rssMb: median(samples.map((s) => s.rssMb)) };
}

/** Measures report, rescore and the viewer endpoints over growing stores; see the file comment. */
export default async function scaleBench(options: ScaleBenchOptions = {}): Promise<BenchFigure[]> {
  const { copies: sizes = [1, 5, 10], runs = 1 } = options;
  await ensureBuilt();
  const root = await mkdtemp(path.join(tmpdir(), 'bench-scale-'));
  try {
    const bySize: Array<{ attempts: number; results: Map<string, Measured> }> = [];
    const seedDir = path.join(root, 'seed');
    for (const copies of sizes) {
      const attempts = copies * SEEDED_TASKS * 20;
      const dataDir = path.join(root, `store-${attempts}`);
      await mkdir(dataDir);
      let started = performance.now();
      const attemptId = seedScaleStore(dataDir, seedDir, copies);
      const progress = (what: string) => {
        process.stderr.write(
          `scale: ${attempts} attempts, ${what} ${Math.round(performance.now() - started)} ms\n`,
        );
        started = performance.now();
      };
      progress('seeded');
      const results = new Map<string, Measured>();
      results.set('shakedown report', await timeCli(['report', RUN_ID, '--data-dir', dataDir], runs));
      results.set(
        'shakedown report --format json',
        await timeCli(['report', RUN_ID, '--format', 'json', '--data-dir', dataDir], runs),
      );
      results.set('shakedown rescore', await timeCli(['rescore', RUN_ID, '--data-dir', dataDir], runs));
      progress('report json, rescore');
      const endpoints = [
        '-',
        '/api/runs',
        '/api/leaderboard',
        `/api/runs/${RUN_ID}`,
        `/api/runs/${RUN_ID}/matrix`,
        `/api/runs/${RUN_ID}/attempts`,
        `/api/runs/${RUN_ID}/agents`,
        `/api/attempts/${encodeURIComponent(attemptId)}`,
      ];
      for (const endpoint of endpoints)
        results.set(
          `viewer ${endpoint === '-' ? '(store opened, no request)' : endpoint.replace(encodeURIComponent(attemptId), ':id').replace(RUN_ID, ':run')}`,
          await timeEndpoint(dataDir, endpoint, runs),
        );
      progress('viewer endpoints');
      bySize.push({ attempts, results });
      await rm(dataDir, { recursive: true, force: true });
    }
    const smallest = bySize[0]!;
    const largest = bySize.at(-1)!;
    const figures: BenchFigure[] = [];
    for (const [measure, big] of largest.results) {
      const small = smallest.results.get(measure)!;
      const series = bySize
        .map((size) => `${size.attempts}: ${Math.round(size.results.get(measure)!.ms)} ms`)
        .join(', ');
      figures.push({
        measure: `${measure} at ${largest.attempts} attempts: time`,
        value: big.ms,
        unit: 'ms',
        floor: {
          what: `per-attempt cost at ${smallest.attempts}`,
          value: (small.ms * largest.attempts) / smallest.attempts,
        },
        ratio: big.ms / largest.attempts / (small.ms / smallest.attempts),
        note: series,
      });
      figures.push({
        measure: `${measure} at ${largest.attempts} attempts: peak RSS`,
        value: big.rssMb,
        unit: 'MB',
        note: `target < 300 MB; ${bySize.map((size) => `${size.attempts}: ${Math.round(size.results.get(measure)!.rssMb)}`).join(', ')} MB`,
      });
    }
    return figures;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
