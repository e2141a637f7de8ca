import { createHash } from 'node:crypto';
import type { Task } from '../../task/task.ts';
import type { ModelConfig, ShakedownConfig } from '../config.ts';
import { fingerprintHash, runFingerprintOf } from '../run-fingerprint.ts';
import type { AttemptPlan } from '../store/store-types.ts';

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

/**
 * The 0-based shard of a matrix cell among `count`: a stable hash of (model, task, attempt index), the same on
 * every machine and independent of the run id and of the other cells, so shards split any matrix without overlap.
 */
export function shardIndexOf(
  plan: Pick<AttemptPlan, 'modelId' | 'taskId' | 'attemptIndex'>,
  count: number,
): number {
  const digest = createHash('sha256')
    .update(`${plan.modelId}\u0000${plan.taskId}\u0000${plan.attemptIndex}`)
    .digest();
  return digest.readUInt32BE(0) % count;
}

/** Whether a matrix cell belongs to `shard`. */
export function inShard(
  plan: Pick<AttemptPlan, 'modelId' | 'taskId' | 'attemptIndex'>,
  shard: Shard,
): boolean {
  return shardIndexOf(plan, shard.count) === shard.index - 1;
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
