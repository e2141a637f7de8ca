import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../task/task.ts';
import { type ModelConfig, shakedownConfigSchema } from '../config.ts';
import { executeRun } from '../execute-run.ts';
import { buildRunMatrix } from '../run-matrix.ts';
import { mergeStores, openStore } from '../store/index.ts';
import { createCalcAgent, solves, writeSyntheticSuite } from '../synthetic-suite.test-helper.ts';
import { inShard, parseShard, shardIndexOf, shardRunIdOf } from './shard-of.ts';

const models: ModelConfig[] = [
  { id: 'simulated:alpha', protocol: 'native' },
  { id: 'simulated:beta', protocol: 'native' },
];

describe('parseShard', () => {
  it('takes i/n with 1 ≤ i ≤ n and refuses the rest', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/2', '3/2', '1/0', '1', 'a/b', '1/2/3'])
      expect(() => parseShard(bad), bad).toThrow();
  });
});

describe('shardIndexOf', () => {
  it('puts every cell in exactly one shard, stably and independently of the run id', () => {
    const tasks = Array.from({ length: 20 }, (_, index) => ({ id: `task-${index}` }));
    const cells = buildRunMatrix('run-a', models, tasks, 3);
    const otherRun = buildRunMatrix('run-b', models, tasks, 3);
    const counts = [0, 0, 0];
    for (const cell of cells) {
      const owners = [1, 2, 3].filter((index) => inShard(cell, { index, count: 3 }));
      expect(owners).toHaveLength(1);
      counts[owners[0]! - 1]! += 1;
      expect(shardIndexOf(otherRun[cells.indexOf(cell)]!, 3)).toBe(shardIndexOf(cell, 3));
    }
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });
});

describe('shard runs + mergeStores', () => {
  let directory: string;
  let tasks: Task[];
  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'shakedown-shard-'));
    tasks = await writeSyntheticSuite(path.join(directory, 'suite'), 3);
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('merging the shards gives the unsharded run’s attempts and outcomes', async () => {
    const config = shakedownConfigSchema.parse({ attempts: 2, concurrency: 2, sandbox: 'none' });
    const clientFactory = (
      model: ModelConfig,
      request: { taskId: string | null; attemptIndex: number | null },
    ) =>
      createCalcAgent(
        request.taskId !== null && solves(model.id, request.taskId, request.attemptIndex ?? 0, 0.5),
      );
    const runId = shardRunIdOf(config, models, tasks);
    expect(shardRunIdOf(config, models, tasks)).toBe(runId);
    const run = async (dataDir: string, shard?: { index: number; count: number }) => {
      const store = openStore(dataDir);
      try {
        const result = await executeRun({
          config,
          models,
          tasks,
          store,
          dataDir,
          runId,
          clientFactory,
          ...(shard ? { attemptFilter: (plan) => inShard(plan, shard) } : {}),
        });
        expect(result.status).toBe('completed');
        return store.attempts(runId).map((attempt) => `${attempt.id}=${attempt.gradeStatus}`);
      } finally {
        store.close();
      }
    };
    const whole = await run(path.join(directory, 'whole'));
    const first = await run(path.join(directory, 'shard-1'), { index: 1, count: 2 });
    const second = await run(path.join(directory, 'shard-2'), { index: 2, count: 2 });
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
    expect(first.length + second.length).toBe(whole.length);

    const merged = openStore(path.join(directory, 'merged'));
    try {
      const report = mergeStores(merged, [path.join(directory, 'shard-1'), path.join(directory, 'shard-2')]);
      expect(report.conflicts).toEqual([]);
      expect(report.attemptsCopied).toBe(whole.length);
      expect(merged.listRuns().map((entry) => entry.id)).toEqual([runId]);
      const attempts = merged.attempts(runId).map((attempt) => `${attempt.id}=${attempt.gradeStatus}`);
      expect(attempts.sort()).toEqual([...whole].sort());
    } finally {
      merged.close();
    }
  }, 60_000);
});
