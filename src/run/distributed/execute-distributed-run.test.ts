import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasRedisServer,
  REDIS_SERVER_PATH,
  startTestRedisServer,
  type TestRedisServer,
} from '../../../test-support/redis-server.ts';
import { createScriptedClient } from '../../../test-support/scripted-client.ts';
import { writeSyntheticSuite } from '../../../test-support/synthetic-suite.ts';
import { createRunProgressDisplay } from '../../report/run-progress-display.ts';
import { openStore, type Store } from '../../store/index.ts';
import type { Task } from '../../task/task.ts';
import { type ModelConfig, shakedownConfigSchema } from '../config.ts';
import { type DistributedResult, executeDistributedRun } from './execute-distributed-run.ts';
import { redisConnectionOf } from './redis-connection.ts';

const models: ModelConfig[] = [
  { id: 'simulated:alpha', protocol: 'native' },
  { id: 'simulated:beta', protocol: 'native' },
];

interface WorkerProcess {
  child: ChildProcess;
  events: Array<{ type: string; attemptId?: string; message?: string }>;
  output: () => string;
  exited: Promise<void>;
}

function startWorker(redisUrl: string, name: string, serves: string[], dataDir: string): WorkerProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, '../../../test-support/attempt-worker.ts')],
    {
      env: {
        ...process.env,
        SHAKEDOWN_TEST_REDIS_URL: redisUrl,
        SHAKEDOWN_TEST_SERVES: serves.join(','),
        SHAKEDOWN_TEST_WORKER_NAME: name,
        SHAKEDOWN_TEST_DATA_DIR: dataDir,
        SHAKEDOWN_TEST_LATENCY_MS: '350',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const events: WorkerProcess['events'] = [];
  let text = '';
  let buffered = '';
  child.stdout?.on('data', (chunk) => {
    buffered += String(chunk);
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line));
  });
  child.stderr?.on('data', (chunk) => {
    text += String(chunk);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, events, output: () => text, exited };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!hasRedisServer())(`distributed run on Redis (needs ${REDIS_SERVER_PATH})`, () => {
  let directory: string;
  let tasks: Task[];
  let redis: TestRedisServer;
  let store: Store;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'shakedown-distributed-'));
    tasks = await writeSyntheticSuite(path.join(directory, 'suite'), 2);
    redis = await startTestRedisServer();
    store = openStore(path.join(directory, 'coordinator'));
  });

  afterAll(async () => {
    for (const worker of workers) {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    store?.close();
    await redis?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('records every attempt exactly once when a worker is killed mid-attempt', async () => {
    const first = startWorker(
      redis.url,
      'worker-1',
      ['simulated:alpha', 'simulated:beta'],
      path.join(directory, 'w1'),
    );
    const second = startWorker(redis.url, 'worker-2', ['simulated:alpha'], path.join(directory, 'w2'));
    workers.push(first, second);
    await waitFor(
      () => workers.every((worker) => worker.events.some((event) => event.type === 'ready')),
      120_000,
      'the workers to start',
    );

    const results: DistributedResult[] = [];
    const warnings: string[] = [];
    const requeued: Array<{ attemptId: string; worker?: string }> = [];
    let killedAttempt: string | undefined;
    // Attempts the coordinator has seen start, with their worker: worker-2 is killed only once its start is known
    // there (a worker killed before its start message reaches Redis is requeued with no worker to name).
    const startedOnCoordinator: Array<{ attemptId: string; worker?: string }> = [];
    const run = executeDistributedRun({
      config: shakedownConfigSchema.parse({ attempts: 3, sandbox: 'none' }),
      models,
      tasks,
      store,
      dataDir: path.join(directory, 'coordinator'),
      connection: redisConnectionOf(redis.url),
      runId: 'run-20260101-000000-d15d',
      clientFactory: () => createScriptedClient([]),
      onResult: (result) => results.push(result),
      onProgress: (event) => {
        if (event.type === 'warning') warnings.push(event.message);
        if (event.type === 'attempt-requeued') requeued.push(event);
        if (event.type === 'attempt-started') startedOnCoordinator.push(event);
      },
    });
    const killWhenBusy = (async () => {
      await waitFor(
        () => startedOnCoordinator.some((event) => event.worker === 'worker-2'),
        120_000,
        'the coordinator to see worker-2 start an attempt',
      );
      killedAttempt = startedOnCoordinator.find((event) => event.worker === 'worker-2')?.attemptId;
      second.child.kill('SIGKILL');
    })();
    const result = await run;
    await killWhenBusy;

    expect(result.status).toBe('completed');
    const attempts = store.attempts(result.runId);
    expect(attempts).toHaveLength(2 * 2 * 3);
    for (const attempt of attempts) {
      expect(attempt.status, `${attempt.id}: ${attempt.error}`).toBe('finished');
      expect(attempt.gradeStatus, attempt.id).toBe(
        attempt.modelId === 'simulated:alpha' ? 'resolved' : 'unresolved',
      );
      const events = store.events(attempt.id);
      expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index));
      expect(events.filter((event) => event.type === 'attempt-started')).toHaveLength(1);
      expect(events.at(-1)?.type).toBe('attempt-finished');
      expect(store.steps({ attemptId: attempt.id }).length).toBeGreaterThan(0);
      if (attempt.modelId === 'simulated:beta') expect(attempt.worker).toBe('worker-1');
      else expect(['worker-1', 'worker-2']).toContain(attempt.worker);
    }
    const recorded = results.filter((entry) => entry.status === 'recorded').map((entry) => entry.attemptId);
    expect(new Set(recorded).size).toBe(recorded.length);
    expect(recorded.sort()).toEqual(attempts.map((attempt) => attempt.id).sort());
    expect(result.outcomes.resolved + result.outcomes.unresolved).toBe(12);
    expect(result.duplicates).toBe(results.filter((entry) => entry.status === 'duplicate').length);

    // The killed worker's attempt stalled, was retried by worker-1 and recorded from there, once.
    expect(killedAttempt).toBeDefined();
    expect(store.attempt(killedAttempt!)?.worker).toBe('worker-1');
    expect(
      second.events.some((event) => event.type === 'attempt-finished' && event.attemptId === killedAttempt),
    ).toBe(false);
    expect(
      first.events.some((event) => event.type === 'attempt-started' && event.attemptId === killedAttempt),
    ).toBe(true);
    expect(warnings.filter((warning) => !warning.startsWith('ignored a duplicate'))).toEqual([]);
    expect(store.getRun(result.runId)?.status).toBe('completed');
    // The progress said so when the job went back to the queue, naming the lost worker.
    expect(requeued).toContainEqual(
      expect.objectContaining({ attemptId: killedAttempt, worker: 'worker-2' }),
    );

    // Nothing of the finished run stays in Redis: neither its result queue nor its attempts' jobs.
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('shakedown:*');
      expect(keys.filter((key) => key.startsWith('shakedown:results.'))).toEqual([]);
      const jobKeys = keys.filter((key) =>
        /^shakedown:attempts\.[^:]+:[^:]*run-20260101-000000-d15d/.test(key),
      );
      expect(jobKeys).toEqual([]);
    } finally {
      client.disconnect();
    }

    first.child.kill('SIGTERM');
    await first.exited;
    expect(first.child.exitCode, first.output()).toBe(0);
  }, 240_000);
  it('shows in its plain progress lines which worker picked up and ran each attempt', async () => {
    const pair = [
      startWorker(redis.url, 'worker-a', ['simulated:alpha'], path.join(directory, 'wa')),
      startWorker(redis.url, 'worker-b', ['simulated:alpha'], path.join(directory, 'wb')),
    ];
    workers.push(...pair);
    await waitFor(
      () => pair.every((worker) => worker.events.some((event) => event.type === 'ready')),
      120_000,
      'the workers to start',
    );
    const lines: string[] = [];
    const display = createRunProgressDisplay({ interactive: false, write: (line) => lines.push(line) });
    const result = await executeDistributedRun({
      config: shakedownConfigSchema.parse({ attempts: 2, sandbox: 'none' }),
      models: [models[0]!],
      tasks,
      store,
      dataDir: path.join(directory, 'coordinator'),
      connection: redisConnectionOf(redis.url),
      runId: 'run-20260101-000000-a0b1',
      clientFactory: () => createScriptedClient([]),
      onProgress: (event) => display.onProgress(event),
    });
    await display.stop();
    expect(result.status).toBe('completed');

    const attempts = store.attempts(result.runId);
    expect(attempts).toHaveLength(4);
    const started = lines.filter((line) => / started on worker-[ab]/.test(line));
    const finished = lines.filter((line) => /: resolved on worker-[ab] · elapsed /.test(line));
    expect(finished).toHaveLength(4);
    for (const attempt of attempts) {
      const name = `simulated:alpha [SIMULATED] ${attempt.taskId} #${attempt.attemptIndex}`;
      expect(finished).toContainEqual(expect.stringContaining(`${name}: resolved on ${attempt.worker}`));
      expect(started).toContainEqual(expect.stringContaining(`${name}: started on ${attempt.worker}`));
    }
    // Both workers ran attempts (each runs one at a time, and an attempt takes several 350 ms model steps).
    expect(lines.some((line) => line.includes(': resolved on worker-a ·'))).toBe(true);
    expect(lines.some((line) => line.includes(': resolved on worker-b ·'))).toBe(true);
    expect(lines.filter((line) => line.startsWith('warning:'))).toEqual([]);
  }, 240_000);
});

describe('distributed run input', () => {
  it('refuses a model URL with credentials before anything reaches Redis, without printing them', async () => {
    const store = openStore(':memory:');
    try {
      const run = executeDistributedRun({
        config: shakedownConfigSchema.parse({ attempts: 1, sandbox: 'none' }),
        models: [{ id: 'llamacpp:http://alice:s3cret@127.0.0.1:9/', protocol: 'native' }],
        tasks: [],
        store,
        dataDir: ':memory:',
        connection: { host: '127.0.0.1', port: 9 },
      });
      await expect(run).rejects.toThrow(/credentials in a server URL are not supported with --queue/);
      await expect(run).rejects.not.toThrow(/s3cret|alice/);
      expect(store.listRuns()).toEqual([]);
    } finally {
      store.close();
    }
  });
});
