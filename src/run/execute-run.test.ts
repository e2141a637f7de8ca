import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScriptedClient } from '../../test-support/scripted-client.ts';
import { createCalcAgent, solves, writeSyntheticSuite } from '../../test-support/synthetic-suite.ts';
import { InfrastructureError } from '../providers/infrastructure-error.ts';
import type { ModelClient } from '../providers/types.ts';
import { createRunProgressDisplay } from '../report/run-progress-display.ts';
import { openStore, type Store } from '../store/index.ts';
import type { Task } from '../task/task.ts';
import { type ModelConfig, shakedownConfigSchema } from './config.ts';
import { type ClientFactory, executeRun, findResumableRun, type RunProgressEvent } from './execute-run.ts';
import { EndpointsUnreachableError, RunConfigChangedError } from './set-up-run.ts';

let directory: string;
let store: Store;
let tasks: Task[];

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'shakedown-execute-run-'));
  tasks = await writeSyntheticSuite(path.join(directory, 'suite'), 3);
  store = openStore(path.join(directory, 'data'));
});

afterEach(async () => {
  store.close();
  await rm(directory, { recursive: true, force: true });
});

const models: ModelConfig[] = [
  { id: 'simulated:alpha', protocol: 'native' },
  { id: 'simulated:beta', protocol: 'native' },
];

function configOf(overrides: Record<string, unknown> = {}) {
  return shakedownConfigSchema.parse({ attempts: 4, concurrency: 2, sandbox: 'none', ...overrides });
}

describe('executeRun', () => {
  it('records exactly the known outcomes of every model × task × attempt', async () => {
    const factory: ClientFactory = (model, request) => {
      if (request.purpose === 'describe') return createScriptedClient([]);
      const fix =
        model.id === 'simulated:alpha' ? solves('alpha', request.taskId!, request.attemptIndex!, 0.5) : false;
      return createCalcAgent(fix);
    };
    const result = await executeRun({
      config: configOf(),
      models,
      tasks,
      store,
      dataDir: path.join(directory, 'data'),
      clientFactory: factory,
    });

    expect(result.status).toBe('completed');
    const attempts = store.attempts(result.runId);
    expect(attempts).toHaveLength(2 * 3 * 4);
    for (const attempt of attempts) {
      const expected =
        attempt.modelId === 'simulated:alpha' && solves('alpha', attempt.taskId, attempt.attemptIndex, 0.5);
      expect(attempt.status, `${attempt.id}: ${attempt.error}`).toBe('finished');
      expect(attempt.gradeStatus, attempt.id).toBe(expected ? 'resolved' : 'unresolved');
      expect(attempt.agentStatus).toBe('submitted');
      expect(store.events(attempt.id).at(-1)?.type).toBe('attempt-finished');
    }
    const truth = tasks.flatMap((task) =>
      [0, 1, 2, 3].filter((index) => solves('alpha', task.id, index, 0.5)),
    );
    expect(truth.length).toBeGreaterThan(0);
    expect(truth.length).toBeLessThan(12);
    expect(
      attempts.filter((attempt) => attempt.modelId === 'simulated:alpha' && attempt.resolved),
    ).toHaveLength(truth.length);
    expect(
      attempts.filter((attempt) => attempt.modelId === 'simulated:beta' && attempt.resolved),
    ).toHaveLength(0);
    const transcripts = await readdir(path.join(directory, 'data', 'runs', result.runId, 'transcripts'));
    expect(transcripts.filter((name) => name.endsWith('.jsonl'))).toHaveLength(24);
    expect(store.getRun(result.runId)?.status).toBe('completed');
    // 24 attempts, each graded on a clean copy of its own: generous for a loaded 2-core machine.
  }, 300_000);

  it('keeps the final diff of every graded attempt, failed ones included', async () => {
    const fixed = tasks[0]!.id;
    const result = await executeRun({
      config: configOf({ attempts: 1, concurrency: 1 }),
      models: [models[0]!],
      tasks: tasks.slice(0, 2),
      store,
      dataDir: path.join(directory, 'data'),
      clientFactory: (_model, request) =>
        request.purpose === 'describe' ? createScriptedClient([]) : createCalcAgent(request.taskId === fixed),
    });
    const byTask = new Map(store.attempts(result.runId).map((attempt) => [attempt.taskId, attempt]));
    expect(byTask.get(fixed)?.gradeStatus).toBe('resolved');
    expect(byTask.get(fixed)?.grade?.workspaceDiff).toMatch(/^\+\+\+ b\/src\/calc\.js$/m);
    const failed = byTask.get(tasks[1]!.id);
    expect(failed?.gradeStatus).toBe('unresolved');
    // Empty, not absent: the agent changed nothing.
    expect(failed?.grade?.workspaceDiff).toBe('');
  }, 300_000);

  it('retries infrastructure errors and never counts them as unresolved', async () => {
    const calls = new Map<string, number>();
    const factory: ClientFactory = (_model, request) => {
      if (request.purpose === 'describe') return createScriptedClient([]);
      const key = `${request.taskId}/${request.attemptIndex}`;
      calls.set(key, (calls.get(key) ?? 0) + 1);
      // Task 0: always broken infrastructure. Task 1: broken on the first try only. Task 2: fine.
      const broken =
        request.taskId === 'calc-task-0' || (request.taskId === 'calc-task-1' && request.tryIndex === 0);
      if (broken) {
        return createScriptedClient([{ throw: new InfrastructureError('connection', 'connection refused') }]);
      }
      return createCalcAgent(true);
    };
    const result = await executeRun({
      config: configOf({ attempts: 1, attemptRetries: 2 }),
      models: [models[0]!],
      tasks,
      store,
      dataDir: path.join(directory, 'data'),
      clientFactory: factory,
    });
    const byTask = new Map(store.attempts(result.runId).map((attempt) => [attempt.taskId, attempt]));
    expect(byTask.get('calc-task-0')).toMatchObject({
      status: 'infrastructure-error',
      gradeStatus: null,
      resolved: null,
    });
    expect(byTask.get('calc-task-1')).toMatchObject({ status: 'finished', gradeStatus: 'resolved' });
    expect(byTask.get('calc-task-2')).toMatchObject({ status: 'finished', gradeStatus: 'resolved' });
    expect(calls.get('calc-task-0/0')).toBe(3);
    expect(calls.get('calc-task-1/0')).toBe(2);
    expect(result.outcomes).toMatchObject({ resolved: 2, unresolved: 0, 'infrastructure-error': 1 });
    // The retried attempt's stored transcript is the successful try alone.
    const events = store.events(byTask.get('calc-task-1')!.id);
    expect(events.filter((event) => event.type === 'attempt-started')).toHaveLength(1);
    expect(events.some((event) => event.type === 'infrastructure-error')).toBe(false);
    const archive = await readdir(
      path.join(directory, 'data', 'runs', result.runId, 'transcripts', 'archive'),
    );
    expect(archive.filter((name) => name.includes('calc-task-0'))).toHaveLength(2);
  }, 120_000);

  it('records a failing setup command as an infrastructure error, not a model failure', async () => {
    const broken = { ...tasks[0]!, setup: ['exit 3'] };
    const result = await executeRun({
      config: configOf({ attempts: 1 }),
      models: [models[0]!],
      tasks: [broken],
      store,
      dataDir: path.join(directory, 'data'),
      clientFactory: () => createCalcAgent(true),
    });
    const [attempt] = store.attempts(result.runId);
    expect(attempt).toMatchObject({ status: 'infrastructure-error', gradeStatus: null });
    expect(attempt!.error).toMatch(/setup failed.*exit 3.*exited with code 3/);
  }, 60_000);

  it('refuses to resume a run whose configuration changed, saying what changed', async () => {
    const dataDir = path.join(directory, 'data');
    const controller = new AbortController();
    controller.abort();
    const first = await executeRun({
      config: configOf({ attempts: 2 }),
      models,
      tasks,
      store,
      dataDir,
      clientFactory: () => createCalcAgent(true),
      signal: controller.signal,
    });
    expect(first.status).toBe('interrupted');
    expect(findResumableRun(store)?.id).toBe(first.runId);
    const attempt = executeRun({
      config: configOf({ attempts: 3 }),
      models: [models[0]!],
      tasks,
      store,
      dataDir,
      resume: first.runId,
      clientFactory: () => createCalcAgent(true),
    });
    await expect(attempt).rejects.toThrow(RunConfigChangedError);
    await expect(attempt).rejects.toThrow(
      /config changed since run .*models removed: simulated:beta.*attempts per task 2 -> 3.*start a new run/,
    );
    expect(store.attempts(first.runId, { status: 'pending' })).toHaveLength(12);
  }, 60_000);

  it('runs again the infrastructure errors of a run on resume, and never its finished attempts', async () => {
    const dataDir = path.join(directory, 'data');
    // Task 0's endpoint is down during the first run: an infrastructure error (no retries), not a model result.
    const first = await executeRun({
      config: configOf({ attempts: 2, attemptRetries: 0 }),
      models: [models[0]!],
      tasks,
      store,
      dataDir,
      clientFactory: (_model, request) =>
        request.taskId === 'calc-task-0'
          ? createScriptedClient([{ throw: new InfrastructureError('connection', 'connection refused') }])
          : createCalcAgent(request.taskId !== 'calc-task-1'),
    });
    expect(first.status).toBe('completed');
    const before = store.attempts(first.runId);
    const broken = before
      .filter((attempt) => attempt.status === 'infrastructure-error')
      .map((attempt) => attempt.id);
    expect(broken).toHaveLength(2);
    const finished = before.filter((attempt) => attempt.status === 'finished');
    expect(finished.map((attempt) => attempt.gradeStatus).sort()).toEqual([
      'resolved',
      'resolved',
      'unresolved',
      'unresolved',
    ]);
    expect(findResumableRun(store)).toBeNull();
    expect(findResumableRun(store, { retryInfrastructureErrors: true })?.id).toBe(first.runId);

    const rerun: string[] = [];
    const events: RunProgressEvent[] = [];
    const second = await executeRun({
      config: configOf({ attempts: 2, attemptRetries: 0 }),
      models: [models[0]!],
      tasks,
      store,
      dataDir,
      resume: first.runId,
      onProgress: (event) => events.push(event),
      clientFactory: (_model, request) => {
        if (request.purpose === 'attempt') rerun.push(`${request.taskId}/${request.attemptIndex}`);
        return createCalcAgent(true);
      },
    });
    expect(second).toMatchObject({ runId: first.runId, status: 'completed', resumed: true });
    expect(second.outcomes).toMatchObject({ resolved: 2, unresolved: 0, 'infrastructure-error': 0 });
    expect(rerun.sort()).toEqual(['calc-task-0/0', 'calc-task-0/1']);
    expect(events[0]).toMatchObject({
      type: 'run-started',
      resumed: true,
      pending: 2,
      total: 6,
      retriedInfrastructureErrors: 2,
    });
    const lines: string[] = [];
    const display = createRunProgressDisplay({ interactive: false, write: (line) => lines.push(line) });
    display.onProgress(events[0]!);
    await display.stop();
    expect(lines[0]).toBe(
      `resuming run ${first.runId}: 2 of 6 attempts to run (2 infrastructure errors to run again)`,
    );
    const after = new Map(store.attempts(first.runId).map((attempt) => [attempt.id, attempt]));
    for (const id of broken) {
      expect(after.get(id)).toMatchObject({ status: 'finished', gradeStatus: 'resolved', error: null });
      const starts = store.events(id).filter((event) => event.type === 'attempt-started');
      expect(starts).toHaveLength(1);
      expect(store.events(id).some((event) => event.type === 'infrastructure-error')).toBe(false);
    }
    // Completed attempts are untouched, unresolved ones included.
    for (const attempt of finished) expect(after.get(attempt.id)).toEqual(attempt);
    const archive = await readdir(path.join(dataDir, 'runs', first.runId, 'transcripts', 'archive'));
    expect(
      archive.filter((name) => name.includes('calc-task-0') && name.includes('infrastructure-error')),
    ).toHaveLength(2);
    expect(store.getRun(first.runId)?.status).toBe('completed');
    expect(findResumableRun(store, { retryInfrastructureErrors: true })).toBeNull();
  }, 120_000);
});

/** A scripted client whose endpoint says it is not reachable (its attempts still work). */
function unreachable(client: ModelClient): ModelClient {
  return {
    ...client,
    describe: async () => ({ ...(await client.describe()), reachable: false, notes: ['cannot reach it'] }),
  };
}

describe('executeRun with unreachable endpoints', () => {
  it('refuses a new run when every endpoint is unreachable, before creating attempts', async () => {
    const attempt = executeRun({
      config: configOf({ attempts: 1 }),
      models,
      tasks,
      store,
      dataDir: path.join(directory, 'data'),
      clientFactory: () => unreachable(createCalcAgent(true)),
    });
    await expect(attempt).rejects.toThrow(EndpointsUnreachableError);
    await expect(attempt).rejects.toThrow(
      /no model endpoint is reachable: simulated:alpha \(cannot reach it\); simulated:beta .*shakedown doctor --model simulated:alpha.*--allow-unreachable/,
    );
    expect(store.listRuns()).toHaveLength(0);
  });

  it('warns and goes on when only some endpoints are unreachable, or with allowUnreachable', async () => {
    const warnings: string[] = [];
    const partial = await executeRun({
      config: configOf({ attempts: 1 }),
      models,
      tasks: [tasks[0]!],
      store,
      dataDir: path.join(directory, 'data'),
      onProgress: (event) => {
        if (event.type === 'warning') warnings.push(event.message);
      },
      clientFactory: (model) =>
        model.id === 'simulated:beta' ? unreachable(createCalcAgent(true)) : createCalcAgent(true),
    });
    expect(partial.status).toBe('completed');
    expect(warnings.filter((warning) => warning.includes('reachable'))).toEqual([
      'simulated:beta: endpoint not reachable at the start of the run',
    ]);
    expect(store.attempts(partial.runId)).toHaveLength(2);

    const allowed = await executeRun({
      config: configOf({ attempts: 1 }),
      models: [models[0]!],
      tasks: [tasks[0]!],
      store,
      dataDir: path.join(directory, 'data'),
      allowUnreachable: true,
      clientFactory: () => unreachable(createCalcAgent(true)),
    });
    expect(allowed.status).toBe('completed');
    expect(store.attempts(allowed.runId)).toMatchObject([{ status: 'finished', gradeStatus: 'resolved' }]);
  }, 60_000);
});
