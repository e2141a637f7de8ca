import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalcAgent, solves, writeSyntheticSuite } from '../../../test-support/synthetic-suite.ts';
import { mergeStores, openStore } from '../../store/index.ts';
import type { Task } from '../../task/task.ts';
import { type ModelConfig, shakedownConfigSchema } from '../config.ts';
import { executeRun } from '../execute-run.ts';
import { buildRunMatrix } from '../run-matrix.ts';
import { parseShard, shardFilter, shardIndexes, shardRunIdOf } from './shard-of.ts';

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

describe('shardIndexes', () => {
  it('deals every cell to exactly one shard, evenly, stably and independently of the run id', () => {
    const tasks = Array.from({ length: 20 }, (_, index) => ({ id: `task-${index}` }));
    const cells = buildRunMatrix('run-a', models, tasks, 3);
    const shards = shardIndexes(cells, 3);
    expect(shards).toHaveLength(120);
    const counts = [0, 1, 2].map((index) => shards.filter((shard) => shard === index).length);
    expect(counts).toEqual([40, 40, 40]);
    // Each shard gets both models, not one model per shard.
    for (const index of [0, 1, 2]) {
      const modelsOfShard = new Set(
        cells.filter((_, position) => shards[position] === index).map((c) => c.modelId),
      );
      expect(modelsOfShard.size).toBe(2);
    }
    expect(shardIndexes(buildRunMatrix('run-b', models, tasks, 3), 3)).toEqual(shards);
    // An uneven matrix differs by at most one cell between shards.
    const uneven = shardIndexes(buildRunMatrix('run-a', models, tasks.slice(0, 7), 1), 4);
    const unevenCounts = [0, 1, 2, 3].map((index) => uneven.filter((shard) => shard === index).length);
    expect(Math.max(...unevenCounts) - Math.min(...unevenCounts)).toBeLessThanOrEqual(1);
    // The filter keeps exactly its shard's cells.
    const second = cells.filter(shardFilter({ index: 2, count: 3 }));
    expect(second).toEqual(cells.filter((_, position) => shards[position] === 1));
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
          ...(shard ? { attemptFilter: shardFilter(shard) } : {}),
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
