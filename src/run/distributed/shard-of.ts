import { createHash } from 'node:crypto';
import type { AttemptPlan } from '../../store/store-types.ts';
import type { Task } from '../../task/task.ts';
import type { ModelConfig, ShakedownConfig } from '../config.ts';
import { fingerprintHash, runFingerprintOf } from '../run-fingerprint.ts';

/** One shard of a run's matrix: `index` of `count`, 1-based as `--shard i/n` writes it. */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `i/n` (1 ≤ i ≤ n). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new Error(`shard must be i/n with 1 ≤ i ≤ n, got ${text}`);
  }
  return { index, count };
}

/** A stable hash of a matrix cell (model, task, attempt index), the same on every machine and for every run id. */
function cellHash(plan: Pick<AttemptPlan, 'modelId' | 'taskId' | 'attemptIndex'>): string {
  return createHash('sha256')
    .update(`${plan.modelId}\u0000${plan.taskId}\u0000${plan.attemptIndex}`)
    .digest('hex');
}

/**
 * The 0-based shard of each cell of a run matrix among `count`: the cells ordered by a stable hash of (model, task,
 * attempt index) are dealt round-robin, so shards differ by at most one cell, each gets a fair mix of models and
 * tasks, and every machine given the same matrix deals it the same way (independently of the run id).
 */
export function shardIndexes(
  matrix: ReadonlyArray<Pick<AttemptPlan, 'modelId' | 'taskId' | 'attemptIndex'>>,
  count: number,
): number[] {
  const order = matrix
    .map((plan, position) => ({ position, hash: cellHash(plan) }))
    .sort((left, right) => (left.hash < right.hash ? -1 : left.hash > right.hash ? 1 : 0));
  const shards = new Array<number>(matrix.length);
  order.forEach(({ position }, rank) => {
    shards[position] = rank % count;
  });
  return shards;
}

/** A filter of run matrix cells (`attemptFilter`) that keeps those of `shard`, dealt by {@link shardIndexes}. */
export function shardFilter(
  shard: Shard,
): (plan: AttemptPlan, position: number, matrix: readonly AttemptPlan[]) => boolean {
  const dealt = new WeakMap<readonly AttemptPlan[], number[]>();
  return (_plan, position, matrix) => {
    let shards = dealt.get(matrix);
    if (!shards) {
      shards = shardIndexes(matrix, shard.count);
      dealt.set(matrix, shards);
    }
    return shards[position] === shard.index - 1;
  };
}

/** The data folder of a shard when none is given: `<dataDir>-shard-<i>-of-<n>`, so shards never share a store. */
export function shardDataDirOf(dataDir: string, shard: Shard): string {
  return `${dataDir.replace(/[\\/]+$/, '')}-shard-${shard.index}-of-${shard.count}`;
}

/**
 * The run id shards of one sweep share when `--run-id` is not given: derived from the run's fingerprint (models,
 * tasks, settings), so every shard of the same configuration names the same
 * run and `shakedown merge` joins them into one.
 */
export function shardRunIdOf(
  config: ShakedownConfig,
  models: readonly ModelConfig[],
  tasks: readonly Task[],
): string {
  const hash = fingerprintHash(runFingerprintOf(config, [...models], [...tasks]));
  return `run-shard-${hash.slice(0, 12)}`;
}
