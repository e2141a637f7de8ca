/**
 * Processes the benches start: the bench model server (scripts/bench-model-server.ts, its own process), the
 * shakedown CLI (as a user runs it: bin/shakedown.js), and any command timed whole with its peak resident memory
 * (GNU time's `%M`, the largest process of the tree it waited for).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchServerStats } from '../scripts/bench-model-server.ts';

/** This checkout: the bench harness, its model server and the test-support writers always come from here. */
export const REPOSITORY = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
/**
 * The checkout whose code is measured: this one, or the commit `npm run bench -- --compare REF` checked out
 * (SHAKEDOWN_BENCH_CHECKOUT). Its CLI (bin/shakedown.js, lib/) is what runShakedown starts; in-process benches
 * load its modules through importMeasured.
 */
export const MEASURED = process.env.SHAKEDOWN_BENCH_CHECKOUT ?? REPOSITORY;
const TSX = path.join(REPOSITORY, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const GNU_TIME = '/usr/bin/time';

export type { BenchServerStats };

/** A running bench model server. */
export interface BenchServer {
  url: string;
  stats(): Promise<BenchServerStats>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Starts scripts/bench-model-server.ts in its own process and waits until it listens. */
export async function startBenchServer(options: { slots: number; latencyMs: number }): Promise<BenchServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      TSX,
      path.join(REPOSITORY, 'scripts', 'bench-model-server.ts'),
      '--slots',
      String(options.slots),
      '--latency-ms',
      String(options.latencyMs),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench model server exited (${code}) before listening`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return {
    url,
    stats: async () => (await (await fetch(`${url}/bench/stats`)).json()) as BenchServerStats,
    reset: async () => {
      await (await fetch(`${url}/bench/reset`, { method: 'POST' })).arrayBuffer();
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** One finished process: wall time, peak resident memory of its largest process, exit code and output. */
export interface ProcessSample {
  wallMs: number;
  peakRssMb: number;
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `command` under GNU time; rejects when it is missing (Debian: `apt-get install time`). */
export function timeProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ProcessSample> {
  if (!existsSync(GNU_TIME))
    throw new Error(`${GNU_TIME} not found: install GNU time (apt-get install time) to measure peak memory`);
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      GNU_TIME,
      ['-f', '\n@@time %e %M', command, ...args],
      { cwd: options.cwd ?? REPOSITORY, env: options.env ?? process.env, maxBuffer: 512 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const wallMs = performance.now() - started;
        const marker = /@@time ([\d.]+) (\d+)\s*$/.exec(stderr);
        resolve({
          wallMs,
          peakRssMb: marker ? Number(marker[2]) / 1024 : Number.NaN,
          exitCode: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr: marker ? stderr.slice(0, marker.index) : stderr,
        });
      },
    );
  });
}

/** How the CLI is started: `tsx` (bin/shakedown.js on the TypeScript sources) or `compiled` (lib/, after a build). */
export type CliMode = 'tsx' | 'compiled';

/** Runs `shakedown ARGS` as a user would (bin/shakedown.js), timed; throws on a non-zero exit unless allowed. */
export async function runShakedown(
  args: string[],
  options: { mode?: CliMode; cwd?: string; allowFailure?: boolean } = {},
): Promise<ProcessSample> {
  const env = { ...process.env, SHAKEDOWN_COMPILED: options.mode === 'compiled' ? '1' : '0', NO_COLOR: '1' };
  const sample = await timeProcess(process.execPath, [path.join(MEASURED, 'bin', 'shakedown.js'), ...args], {
    env,
    cwd: options.cwd,
  });
  if (sample.exitCode !== 0 && !options.allowFailure) {
    throw new Error(
      `shakedown ${args.join(' ')} exited ${sample.exitCode}:\n${sample.stderr.slice(-2000)}${sample.stdout.slice(-2000)}`,
    );
  }
  return sample;
}

/** Median of the samples (the lower middle for an even count). */
export function median(samples: number[]): number {
  const sorted = [...samples].sort((left, right) => left - right);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

let built: Promise<void> | undefined;
/** The newest modification time of a file under `directory`. */
async function newestChange(directory: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/**
 * Compiles src/ to lib/ (`npm run build`'s script) unless lib/ is newer than every file of src/, once per bench
 * process, so that `compiled` runs this checkout's code.
 */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    const compiled = path.join(MEASURED, 'lib', 'cli', 'main.js');
    if (
      existsSync(compiled) &&
      (await stat(compiled)).mtimeMs > (await newestChange(path.join(MEASURED, 'src')))
    )
      return;
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, [path.join(MEASURED, 'scripts', 'build.mjs')], { cwd: MEASURED }, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  })();
  return built;
}

/**
 * Imports a module of the measured checkout: the first of `candidates` (paths relative to its root, newest layout
 * first) that exists there, so that a bench can load the same module from a commit of an older layout.
 */
export async function importMeasured<T>(candidates: string[]): Promise<T> {
  for (const candidate of candidates) {
    const file = path.join(MEASURED, candidate);
    if (existsSync(file)) return (await import(pathToFileURL(file).href)) as T;
  }
  throw new Error(`${MEASURED} has none of ${candidates.join(', ')}`);
}
