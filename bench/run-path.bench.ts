/**
 * The run path, end to end through `shakedown run` (config, store, workspaces, sandbox, transcripts, grading) against
 * the bench model server in its own process (scripts/bench-model-server.ts, enforced slots):
 *
 * - per agent step: one attempt of `bench-steps: S` (S - 1 `run_command` of `true`, then finish; S = 31, under the
 *   default limit of 40 steps) on a zero-latency 1-slot server, sandbox bubblewrap, from the transcript's own event
 *   times. Two figures: steady, (time of the last model request - time of the second) / (S - 2); and whole,
 *   (last - first) / (S - 1), whose first step also waits for the attempt's sandbox to start (once per attempt: a
 *   bwrap and a Node exec server; it starts during the first model request, which a zero-latency server answers
 *   before it is up). Floor = one bare `bwrap ... true` + one bare HTTP round trip (a chat request answered with a
 *   tool call) to the same server, each the median of many, measured in the same run.
 * - slot utilization: 12 attempts of the synthetic calc task (write the fix, finish; graded) against a 4-slot server
 *   that holds every request 300 ms, default settings (no --concurrency; the endpoint's concurrency is the slots the
 *   server reports). Figure = busy slot time / (slots × the server's first-to-last request window), counted by the
 *   server; floor 100%. The bench fails when the server ever held more chat requests than slots.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeSyntheticSuite } from '../test-support/synthetic-suite.ts';
import { againstFloor, type BenchFigure } from './bench-figure.ts';
import { type BenchServer, median, runShakedown, startBenchServer } from './bench-processes.ts';

const run = promisify(execFile);
const BARE_BWRAP = [
  '--ro-bind',
  '/',
  '/',
  '--unshare-all',
  '--die-with-parent',
  '--proc',
  '/proc',
  '--dev',
  '/dev',
  'true',
];

/** Options of the run-path benchmark. */
export interface RunPathBenchOptions {
  /** Model steps of the per-step attempt, the final finish included. */
  steps?: number;
  /** `shakedown run` invocations of the per-step attempt. */
  stepRuns?: number;
  /** Floor samples (bare bwrap, bare HTTP round trip) each. */
  floorSamples?: number;
  slots?: number;
  latencyMs?: number;
  attempts?: number;
}

async function transcriptFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter(
      (entry) => entry.isFile() && entry.name.endsWith('.jsonl') && !entry.parentPath.includes('archive'),
    )
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/**
 * Milliseconds from the first and from the second model request of a transcript to its last one, and how many
 * requests it has.
 */
async function modelRequestSpan(
  file: string,
): Promise<{ requests: number; spanMs: number; steadySpanMs: number }> {
  const times = (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line.includes('"model-request"'))
    .map((line) => JSON.parse(line) as { type: string; time: string })
    .filter((event) => event.type === 'model-request')
    .map((event) => Date.parse(event.time));
  return {
    requests: times.length,
    spanMs: times.at(-1)! - times[0]!,
    steadySpanMs: times.at(-1)! - times[1]!,
  };
}

async function bareBwrapMs(samples: number): Promise<number> {
  const durations: number[] = [];
  for (let index = 0; index < samples + 2; index++) {
    const started = performance.now();
    await run('bwrap', BARE_BWRAP);
    if (index >= 2) durations.push(performance.now() - started);
  }
  return median(durations);
}

async function bareRoundTripMs(server: BenchServer, samples: number): Promise<number> {
  const durations: number[] = [];
  const body = JSON.stringify({
    model: 'bench-model',
    stream: true,
    messages: [{ role: 'user', content: 'bench-steps: 2' }],
  });
  for (let index = 0; index < samples + 2; index++) {
    const started = performance.now();
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await response.text();
    if (index >= 2) durations.push(performance.now() - started);
  }
  return median(durations);
}

async function perStep(root: string, options: Required<RunPathBenchOptions>): Promise<BenchFigure[]> {
  const server = await startBenchServer({ slots: 1, latencyMs: 0 });
  try {
    const suite = path.join(root, 'steps-suite');
    await writeSyntheticSuite(suite, 1);
    await writeFile(
      path.join(suite, 'calc-task-0', 'instruction.md'),
      `bench-steps: ${options.steps}. Run true until told to stop.\n`,
    );
    const floorBwrap = await bareBwrapMs(options.floorSamples);
    const floorHttp = await bareRoundTripMs(server, options.floorSamples);
    const perStepMs: number[] = [];
    const steadyStepMs: number[] = [];
    const walls: number[] = [];
    for (let index = 0; index < options.stepRuns; index++) {
      const dataDir = path.join(root, `steps-data-${index}`);
      const sample = await runShakedown([
        'run',
        '--model',
        `simulated:bench-model@${server.url}`,
        '--suite',
        suite,
        '--k',
        '1',
        '--sandbox',
        'bubblewrap',
        '--data-dir',
        dataDir,
        '--json',
      ]);
      const [file] = await transcriptFiles(dataDir);
      const span = await modelRequestSpan(file!);
      if (span.requests !== options.steps)
        throw new Error(`per-step attempt made ${span.requests} model requests, expected ${options.steps}`);
      perStepMs.push(span.spanMs / (options.steps - 1));
      steadyStepMs.push(span.steadySpanMs / (options.steps - 2));
      walls.push(sample.wallMs);
    }
    const floor = {
      what: `bare bwrap true ${floorBwrap.toFixed(1)} + HTTP round trip ${floorHttp.toFixed(1)}`,
      value: floorBwrap + floorHttp,
    };
    const runs = (values: number[]) => `runs ${values.map((value) => value.toFixed(1)).join('/')}`;
    return [
      againstFloor(
        `per agent step, steady (run_command true, bubblewrap; steps 2-${options.steps}) × ${options.stepRuns} runs`,
        median(steadyStepMs),
        'ms',
        floor,
        runs(steadyStepMs),
      ),
      againstFloor(
        `per agent step, whole attempt (steps 1-${options.steps}: the first waits for the sandbox to start)`,
        median(perStepMs),
        'ms',
        floor,
        `${runs(perStepMs)}; whole command ${(median(walls) / 1000).toFixed(1)} s`,
      ),
    ];
  } finally {
    await server.close();
  }
}

async function slotUtilization(root: string, options: Required<RunPathBenchOptions>): Promise<BenchFigure[]> {
  const { slots, latencyMs, attempts } = options;
  const server = await startBenchServer({ slots, latencyMs });
  try {
    const suite = path.join(root, 'slots-suite');
    await writeSyntheticSuite(suite, attempts);
    await server.reset();
    const sample = await runShakedown([
      'run',
      '--model',
      `simulated:bench-model@${server.url}`,
      '--suite',
      suite,
      '--k',
      '1',
      '--data-dir',
      path.join(root, 'slots-data'),
      '--json',
    ]);
    const stats = await server.stats();
    if (stats.maxInFlight > slots) {
      throw new Error(
        `slot utilization: the run sent ${stats.maxInFlight} chat requests at once to a ${slots}-slot server`,
      );
    }
    if (stats.chatRequests < 2 * attempts)
      throw new Error(`slot utilization: ${stats.chatRequests} chat requests, expected ${2 * attempts}`);
    const windowMs = stats.lastEndMs! - stats.firstStartMs!;
    const utilization = (100 * stats.busyMs) / (slots * windowMs);
    const ideal = (2 * attempts * latencyMs) / slots;
    return [
      againstFloor(
        `slot utilization, ${slots} slots × ${latencyMs} ms, ${attempts} calc attempts, default settings`,
        utilization,
        '%',
        { what: 'every slot busy', value: 100 },
        `max ${stats.maxInFlight} requests at once; window ${Math.round(windowMs)} ms (ideal ${ideal})`,
      ),
      againstFloor(`whole \`shakedown run\` of the ${attempts} attempts`, sample.wallMs, 'ms', {
        what: `model time alone (${attempts}×2×${latencyMs}/${slots})`,
        value: ideal,
      }),
    ];
  } finally {
    await server.close();
  }
}

/** Measures the run path; see the file comment. */
export default async function runPathBench(options: RunPathBenchOptions = {}): Promise<BenchFigure[]> {
  const resolved: Required<RunPathBenchOptions> = {
    steps: 31,
    stepRuns: 3,
    floorSamples: 20,
    slots: 4,
    latencyMs: 300,
    attempts: 12,
    ...options,
  };
  const root = await mkdtemp(path.join(tmpdir(), 'bench-run-path-'));
  try {
    return [...(await perStep(root, resolved)), ...(await slotUtilization(root, resolved))];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
