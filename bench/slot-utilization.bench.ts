/**
 * Slot utilization: does the run's per-endpoint queue keep a server's parallel slots busy? One simulated llama.cpp
 * endpoint with N slots answers every request after a fixed delay; executeRun runs 16 short attempts of the
 * synthetic calc task against it (endpoint concurrency N, the run's default attempt concurrency N + 1 unless
 * `attemptConcurrency` is given, sandbox 'none'; each attempt = workspace set-up, two model
 * requests with a write_file in between, grading). Every model request is timed in the client, and
 *
 *   slot utilization = (sum of in-flight request time) / (N × wall time of the attempt phase)
 *
 * Requests are laid onto N slots (each takes the lowest free one); an idle-slot gap is a stretch of more than 1 ms
 * during which one slot serves nothing. The same requests driven through a bare p-queue of concurrency N (no
 * workspace, agent or grading) give the queue's own ceiling.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import PQueue from 'p-queue';
import { createModelClient } from '../src/model/create-model-client.ts';
import type { SimulatedTurn } from '../src/model/simulated/script.ts';
import { type SimulatedServer, startSimulatedServer } from '../src/model/simulated/simulated-server.ts';
import { type ModelConfig, shakedownConfigSchema } from '../src/run/config.ts';
import { defaultClientFactory, executeRun } from '../src/run/execute-run.ts';
import { attemptConcurrencyOf } from '../src/run/run-matrix.ts';
import { openStore } from '../src/run/store/index.ts';
import { FIXED_SOURCE, writeSyntheticSuite } from '../src/run/synthetic-suite.test-helper.ts';
import { type BenchResult, summarize } from './bench-result.ts';
import { percent, type Span, timedClient } from './bench-timing.ts';

/** Options of the slot utilization benchmark. */
export interface SlotUtilizationBenchOptions {
  /** Parallel slots of the endpoint, and the endpoint's queue concurrency. */
  concurrency?: number;
  /** Attempts at once (config `concurrency`); 0: the run's default (see attemptConcurrencyOf). */
  attemptConcurrency?: number;
  /** Tasks × attempts per task = attempts per run. */
  tasks?: number;
  attemptsPerTask?: number;
  /** Fixed time the simulated server takes per request. */
  requestMs?: number;
  /** Measured runs (executeRun invocations). */
  runs?: number;
}

/** Ignore gaps shorter than this: the hand-off from one request to the next on a slot. */
const GAP_THRESHOLD_MS = 1;

/** Two requests per attempt: write the fix, then finish (once a tool result is in the conversation). */
function calcTurn(body: unknown, requestMs: number): SimulatedTurn {
  const messages = (body as { messages?: Array<{ role?: string }> } | null)?.messages ?? [];
  const afterTool = messages.some((message) => message.role === 'tool');
  return {
    firstTokenDelayMs: requestMs,
    toolCalls: afterTool
      ? [{ name: 'finish', arguments: { summary: 'fixed add' } }]
      : [{ name: 'write_file', arguments: { path: 'src/calc.js', content: FIXED_SOURCE } }],
  };
}

interface SlotReport {
  utilization: number;
  gaps: number[];
  windowMs: number;
}

/** Lays the spans onto `slots` slots (lowest free first) and measures busy share and idle gaps in [from, to]. */
function slotReport(spans: Span[], slots: number, from: number, to: number): SlotReport {
  const sorted = [...spans].sort((left, right) => left.start - right.start);
  const busyUntil: number[] = Array.from({ length: slots }, () => from);
  const gaps: number[] = [];
  let busy = 0;
  for (const span of sorted) {
    let slot = busyUntil.findIndex((until) => until <= span.start + 0.5);
    // More requests in flight than slots (client-side timing skew): take the slot that frees first.
    if (slot === -1) slot = busyUntil.indexOf(Math.min(...busyUntil));
    const idle = span.start - busyUntil[slot]!;
    if (idle > GAP_THRESHOLD_MS) gaps.push(idle);
    busyUntil[slot] = Math.max(busyUntil[slot]!, span.end);
    busy += span.end - span.start;
  }
  for (const until of busyUntil) if (to - until > GAP_THRESHOLD_MS) gaps.push(to - until);
  const windowMs = to - from;
  return { utilization: busy / (slots * windowMs), gaps, windowMs };
}

function simulatedServer(slots: number, requestMs: number): Promise<SimulatedServer> {
  return startSimulatedServer({
    flavour: 'llamacpp',
    endpoint: { totalSlots: slots },
    script: (request) => calcTurn(request.body, requestMs),
  });
}

/** One executeRun over the synthetic suite; returns request spans, per-attempt phases and the attempt window. */
async function measureRun(
  root: string,
  run: number,
  options: Required<SlotUtilizationBenchOptions>,
): Promise<{
  spans: Span[];
  from: number;
  to: number;
  runWallMs: number;
  beforeFirstRequest: number[];
  betweenRequests: number[];
  afterLastRequest: number[];
  resolved: number;
}> {
  const { concurrency, tasks: taskCount, attemptsPerTask, requestMs } = options;
  const directory = path.join(root, `run-${run}`);
  const tasks = await writeSyntheticSuite(path.join(directory, 'suite'), taskCount);
  const dataDir = path.join(directory, 'data');
  const store = openStore(dataDir);
  const server = await simulatedServer(concurrency, requestMs);
  try {
    const config = shakedownConfigSchema.parse({
      attempts: attemptsPerTask,
      ...(options.attemptConcurrency > 0 ? { concurrency: options.attemptConcurrency } : {}),
      sandbox: 'none',
    });
    const model: ModelConfig = { id: `simulated:bench@${server.url}`, protocol: 'native', concurrency };
    const base = defaultClientFactory(config, process.env);
    const spansByAttempt = new Map<string, Span[]>();
    const startedAt = new Map<string, number>();
    const finishedAt = new Map<string, number>();
    const started = performance.now();
    const result = await executeRun({
      config,
      models: [model],
      tasks,
      store,
      dataDir,
      clientFactory: (modelConfig, request) => {
        const client = base(modelConfig, request);
        if (request.purpose !== 'attempt') return client;
        const key = `${request.taskId}/${request.attemptIndex}`;
        if (!spansByAttempt.has(key)) spansByAttempt.set(key, []);
        return timedClient(client, spansByAttempt.get(key)!);
      },
      onProgress: (event) => {
        if (event.type === 'attempt-started')
          startedAt.set(`${event.taskId}/${event.attemptIndex}`, performance.now());
        if (event.type === 'attempt-finished')
          finishedAt.set(`${event.taskId}/${event.attemptIndex}`, performance.now());
      },
    });
    const runWallMs = performance.now() - started;
    const expected = taskCount * attemptsPerTask;
    if (result.status !== 'completed' || finishedAt.size !== expected) {
      throw new Error(`run ${run}: ${result.status}, ${finishedAt.size}/${expected} attempts finished`);
    }
    const beforeFirstRequest: number[] = [];
    const betweenRequests: number[] = [];
    const afterLastRequest: number[] = [];
    for (const [key, spans] of spansByAttempt) {
      beforeFirstRequest.push(spans[0]!.start - startedAt.get(key)!);
      for (let index = 1; index < spans.length; index++)
        betweenRequests.push(spans[index]!.start - spans[index - 1]!.end);
      afterLastRequest.push(finishedAt.get(key)! - spans.at(-1)!.end);
    }
    return {
      spans: [...spansByAttempt.values()].flat(),
      from: Math.min(...startedAt.values()),
      to: Math.max(...finishedAt.values()),
      runWallMs,
      beforeFirstRequest,
      betweenRequests,
      afterLastRequest,
      resolved: result.outcomes.resolved,
    };
  } finally {
    await server.close();
    store.close();
  }
}

/** The same number of two-request jobs through a bare p-queue: the queue's own ceiling. */
async function measureBareQueue(options: Required<SlotUtilizationBenchOptions>): Promise<SlotReport> {
  const { concurrency, tasks, attemptsPerTask, requestMs } = options;
  const server = await simulatedServer(concurrency, requestMs);
  const spans: Span[] = [];
  try {
    const queue = new PQueue({ concurrency });
    const from = performance.now();
    await Promise.all(
      Array.from({ length: tasks * attemptsPerTask }, () =>
        queue.add(async () => {
          const client = timedClient(
            createModelClient(`simulated:bench@${server.url}`, { retry: false }),
            spans,
          );
          const messages = [{ role: 'user' as const, content: 'Make add add.' }];
          const first = await client.step({ messages, tools: [] });
          await client.step({
            messages: [
              ...messages,
              { role: 'assistant' as const, content: '', toolCalls: first.toolCalls },
              ...first.toolCalls.map((call) => ({
                role: 'tool' as const,
                content: 'ok',
                toolCallId: call.id,
                toolName: call.name,
              })),
            ],
            tools: [],
          });
        }),
      ),
    );
    return slotReport(spans, concurrency, from, performance.now());
  } finally {
    await server.close();
  }
}

/** Measures slot utilization of executeRun against an N-slot endpoint, and of a bare queue for comparison. */
export async function runSlotUtilizationBench(
  options: SlotUtilizationBenchOptions = {},
): Promise<BenchResult[]> {
  const resolved: Required<SlotUtilizationBenchOptions> = {
    concurrency: 4,
    attemptConcurrency: 0,
    tasks: 4,
    attemptsPerTask: 4,
    requestMs: 200,
    runs: 3,
    ...options,
  };
  const { concurrency: slots, requestMs, runs } = resolved;
  const attempts = resolved.tasks * resolved.attemptsPerTask;
  const inFlight = attemptConcurrencyOf(resolved.attemptConcurrency || undefined, [
    { key: 'bench', concurrency: slots, modelIds: [] },
  ]);
  const root = await mkdtemp(path.join(tmpdir(), 'bench-slots-'));
  try {
    const windows: number[] = [];
    const runWalls: number[] = [];
    const utilizations: number[] = [];
    const gaps: number[] = [];
    const requests: number[] = [];
    const before: number[] = [];
    const between: number[] = [];
    const after: number[] = [];
    let solved = 0;
    for (let run = 0; run < runs; run++) {
      const measured = await measureRun(root, run, resolved);
      const report = slotReport(measured.spans, slots, measured.from, measured.to);
      windows.push(report.windowMs);
      runWalls.push(measured.runWallMs);
      utilizations.push(report.utilization);
      gaps.push(...report.gaps);
      requests.push(...measured.spans.map((span) => span.end - span.start));
      before.push(...measured.beforeFirstRequest);
      between.push(...measured.betweenRequests);
      after.push(...measured.afterLastRequest);
      solved += measured.resolved;
    }
    const bare = await measureBareQueue(resolved);
    const utilizationText = utilizations.map(percent).join(' / ');
    const gapsPerRun = (gaps.length / runs).toFixed(1);
    const idealMs = (2 * requestMs * attempts) / slots;
    return [
      summarize(
        `executeRun: attempt phase, N=${slots}, ${attempts} attempts, ${inFlight} at once (ideal ${idealMs} ms); slot utilization ${utilizationText}`,
        windows,
      ),
      summarize(
        `executeRun: whole run incl. endpoint check (${solved}/${attempts * runs} resolved)`,
        runWalls,
      ),
      summarize(`executeRun: idle-slot gaps > ${GAP_THRESHOLD_MS} ms (${gapsPerRun} per run)`, gaps),
      summarize(`executeRun: one request in flight (server holds it ${requestMs} ms)`, requests),
      summarize('per attempt: start → first request (workspace, sandbox)', before),
      summarize('per attempt: between its 2 requests (write_file, harness)', between),
      summarize('per attempt: last request → finished (grading, store)', after),
      summarize(
        `bare p-queue N=${slots}, same requests: slot utilization ${percent(bare.utilization)}, ${bare.gaps.length} gaps`,
        [bare.windowMs],
      ),
    ];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Entry point used by bench/index.ts. */
export default runSlotUtilizationBench;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(await runSlotUtilizationBench());
}
