import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { transcript } from '../../test-support/transcript-fixture.ts';
import { mergeStores } from './merge-stores.ts';
import { computeConfigHash } from './stable-json.ts';
import { openStore, type Store } from './store.ts';

const runId = 'run-20261126-132900-ab12';
const config = { models: ['m1', 'm2'], tasks: ['t1', 't2'], attempts: 1 };
const plans = ['m1', 'm2'].flatMap((modelId) =>
  ['t1', 't2'].map((taskId) => ({ modelId, taskId, attemptIndex: 0 })),
);

function shard(
  dataDir: string,
  finish: (cell: { modelId: string; taskId: string }) => boolean,
  hash = computeConfigHash(config),
): void {
  const store = openStore(dataDir);
  store.createRun({
    id: runId,
    config,
    configHash: hash,
    simulated: true,
    models: ['m1', 'm2'].map((modelId) => ({ modelId, provider: 'simulated', simulated: true })),
    tasks: ['t1', 't2'].map((taskId) => ({ taskId, taskHash: `hash-${taskId}` })),
  });
  store.ensureAttempts(runId, plans);
  for (const attempt of store.attempts(runId)) {
    if (!finish(attempt)) continue;
    store.claimAttempt(attempt.id, dataDir);
    store.finishAttempt(attempt.id, { events: transcript(), grade: { status: 'resolved' } });
  }
  store.close();
}

let directory: string;
let target: Store;
beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'shakedown-merge-'));
  target = openStore(path.join(directory, 'target'));
});
afterEach(() => {
  target.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('mergeStores', () => {
  it('merges two shards so that each attempt counts once, idempotently', () => {
    const first = path.join(directory, 'shard-1');
    const second = path.join(directory, 'shard-2');
    shard(first, (cell) => cell.modelId === 'm1');
    shard(second, (cell) => cell.modelId === 'm2');

    const report = mergeStores(target, [first, second]);
    expect(report).toMatchObject({
      runsAdded: 1,
      attemptsCopied: 4,
      attemptsAlreadyPresent: 0,
      attemptsUnfinished: 4,
    });
    expect(report.conflicts).toEqual([]);
    const finished = target.attempts(runId, { status: 'finished' });
    expect(finished.map((attempt) => [attempt.modelId, attempt.taskId, attempt.worker])).toEqual([
      ['m1', 't1', first],
      ['m1', 't2', first],
      ['m2', 't1', second],
      ['m2', 't2', second],
    ]);
    expect(target.attempts(runId)).toHaveLength(4);
    expect(target.runModels(runId)).toHaveLength(2);
    expect(target.steps({ runId })).toHaveLength(8);
    expect(target.toolCalls({ runId })).toHaveLength(12);
    expect(target.events(finished[0].id)).toEqual(transcript());

    const again = mergeStores(target, [first, path.join(second, 'shakedown.db')]);
    expect(again).toMatchObject({
      runsAdded: 0,
      attemptsCopied: 0,
      attemptsAlreadyPresent: 4,
      conflicts: [],
    });
    expect(target.attempts(runId)).toHaveLength(4);
    expect(target.steps({ runId })).toHaveLength(8);
  });

  it('keeps one copy of an attempt finished in two shards and reports the conflict', () => {
    const first = path.join(directory, 'shard-1');
    const second = path.join(directory, 'shard-2');
    shard(first, (cell) => cell.taskId === 't1');
    shard(second, () => true);

    const report = mergeStores(target, [first, second]);
    expect(report.attemptsCopied).toBe(4);
    expect(report.conflicts.map((conflict) => conflict.attemptId).sort()).toEqual([
      `${runId}/m1/t1/0`,
      `${runId}/m2/t1/0`,
    ]);
    expect(report.conflicts[0]).toMatchObject({ source: second });
    const finished = target.attempts(runId, { status: 'finished' });
    expect(finished).toHaveLength(4);
    expect(
      finished.filter((attempt) => attempt.taskId === 't1').every((attempt) => attempt.worker === first),
    ).toBe(true);
    expect(target.events(`${runId}/m1/t1/0`)).toHaveLength(12);
  });

  it('fills a pending attempt of the target, and skips a run whose config differs', () => {
    const own = path.join(directory, 'target');
    const other = path.join(directory, 'shard');
    target.close();
    shard(own, () => false);
    target = openStore(own);
    shard(other, (cell) => cell.taskId === 't2');
    expect(mergeStores(target, [other]).attemptsCopied).toBe(2);
    expect(target.attempts(runId, { status: 'pending' })).toHaveLength(2);

    const changed = path.join(directory, 'changed');
    shard(changed, () => true, computeConfigHash({ ...config, attempts: 5 }));
    const report = mergeStores(target, [changed]);
    expect(report.runsSkipped).toEqual([expect.objectContaining({ runId, source: changed })]);
    expect(report.attemptsCopied).toBe(0);
    expect(() => mergeStores(target, [path.join(directory, 'missing')])).toThrow(/no store at/);
    expect(() => mergeStores(target, [own])).toThrow(/into itself/);
  });
});
