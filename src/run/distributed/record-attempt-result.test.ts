import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store/index.ts';
import { transcriptPathOf } from '../transcript-files.ts';
import { ATTEMPT_JOB_VERSION, type AttemptResultMessage } from './attempt-job.ts';
import { recordAttemptResult } from './record-attempt-result.ts';

let directory: string;
let coordinator: Store;
let worker: Store;

const runId = 'run-20260101-000000-aaaa';
const attemptId = `${runId}/simulated:alpha/task-a/0`;
const events = [
  {
    type: 'attempt-started',
    sequence: 0,
    time: '2026-01-01T00:00:00.000Z',
    attemptId,
    taskId: 'task-a',
    modelId: 'simulated:alpha',
    protocol: 'native',
    limits: { maxSteps: 5, maxWallMs: 1000, maxConsecutiveFormatErrors: 3 },
    simulated: true,
    toolNames: [],
    systemPrompt: '',
  },
];

function seed(store: Store) {
  store.createRun({
    id: runId,
    config: null,
    configHash: 'hash',
    simulated: true,
    models: [{ modelId: 'simulated:alpha', provider: 'simulated', simulated: true }],
    tasks: [{ taskId: 'task-a', taskHash: 'task' }],
  });
  store.ensureAttempts(runId, [
    { id: attemptId, modelId: 'simulated:alpha', taskId: 'task-a', attemptIndex: 0 },
  ]);
}

function finishedMessage(name: string): Extract<AttemptResultMessage, { kind: 'finished' }> {
  worker.resetAttempt(attemptId);
  worker.claimAttempt(attemptId, name);
  const attempt = worker.finishAttempt(attemptId, {
    agentStatus: 'submitted',
    grade: { status: 'resolved', partialScore: 1 },
    events,
  });
  return {
    version: ATTEMPT_JOB_VERSION,
    kind: 'finished',
    runId,
    attemptId,
    worker: name,
    outcome: 'resolved',
    attempt: JSON.parse(JSON.stringify(attempt)),
    events: worker.events(attemptId),
  };
}

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'shakedown-record-result-'));
  coordinator = openStore(path.join(directory, 'data'));
  worker = openStore(':memory:');
  seed(coordinator);
  seed(worker);
});

afterEach(async () => {
  coordinator.close();
  worker.close();
  await rm(directory, { recursive: true, force: true });
});

describe('recordAttemptResult', () => {
  it('records a result once and ignores a late duplicate', async () => {
    const dataDir = path.join(directory, 'data');
    const first = await recordAttemptResult(coordinator, dataDir, finishedMessage('worker-1'));
    expect(first.status).toBe('recorded');
    const stored = coordinator.attempt(attemptId)!;
    expect(stored).toMatchObject({
      status: 'finished',
      worker: 'worker-1',
      gradeStatus: 'resolved',
      resolved: true,
    });
    expect(coordinator.events(attemptId)).toHaveLength(1);
    const transcript = await readFile(transcriptPathOf(dataDir, runId, stored), 'utf8');
    expect(transcript.trim().split('\n')).toHaveLength(1);

    const second = await recordAttemptResult(coordinator, dataDir, finishedMessage('worker-2'));
    expect(second.status).toBe('duplicate');
    expect(coordinator.attempt(attemptId)).toEqual(stored);
    expect(coordinator.events(attemptId)).toHaveLength(1);
  });

  it('ignores a result for an attempt of another run', async () => {
    const message = finishedMessage('worker-1');
    const result = await recordAttemptResult(coordinator, path.join(directory, 'data'), {
      ...message,
      runId: 'run-20260101-000000-bbbb',
    });
    expect(result.status).toBe('unknown');
    expect(coordinator.attempt(attemptId)?.status).toBe('pending');
  });
});
