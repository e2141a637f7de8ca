import path from 'node:path';
import { openStore, type Store } from '../store/index.ts';
import type { Task } from '../task/task.ts';
import type { ModelConfig, ShakedownConfig } from './config.ts';
import { parseShard, type Shard, shardDataDirOf, shardRunIdOf } from './distributed/shard-of.ts';
import { findResumableRun } from './execute-run.ts';

/** What `shakedown run` was asked for, beside the config: a shard, a queue, a data folder, a run id, a resume. */
export interface RunTargetRequest {
  config: ShakedownConfig;
  models: readonly ModelConfig[];
  tasks: readonly Task[];
  /** Folder relative paths of the config are resolved against. */
  baseDirectory: string;
  /** `i/n` from `--shard`. */
  shard?: string;
  /** A distributed run (`--queue`). */
  distributed: boolean;
  /** `--data-dir` was given (a shard then keeps it instead of its own folder). */
  dataDirGiven: boolean;
  runId?: string;
  /** `--resume` with a run id, or `true` for the latest resumable one. */
  resume?: string | true;
}

/** Where a run goes: its data folder and open store, its shard, the id of a new run, or the run it resumes. */
export interface RunTarget {
  dataDir: string;
  store: Store;
  shard?: Shard;
  runId?: string;
  resume?: string;
}

/**
 * Chooses the data folder, shard, run id and resumed run of `shakedown run` and opens the store. A shard runs in
 * its own data folder under an id derived from the config (so the shards of one sweep merge into one run); a bare
 * `--resume` takes the latest run that did not complete or has infrastructure errors (a distributed run re-queues
 * only unfinished attempts). Throws an Error with a one-line message for a bad shard, a shard with a queue, or
 * nothing to resume; the store is closed then.
 */
export function chooseRunTarget(request: RunTargetRequest): RunTarget {
  const shard = request.shard !== undefined ? parseShard(request.shard) : undefined;
  if (shard && request.distributed) throw new Error('--shard and --queue do not go together');
  const { config } = request;
  const dataDir = path.resolve(
    request.baseDirectory,
    shard && !request.dataDirGiven ? shardDataDirOf(config.dataDir, shard) : config.dataDir,
  );
  const runId =
    request.runId ??
    (shard && request.resume === undefined ? shardRunIdOf(config, request.models, request.tasks) : undefined);
  const store = openStore(dataDir);
  let resume: string | undefined;
  if (request.resume !== undefined) {
    resume =
      request.resume === true
        ? findResumableRun(store, { retryInfrastructureErrors: !request.distributed })?.id
        : request.resume;
    if (!resume) {
      store.close();
      throw new Error(`no interrupted run to resume in ${dataDir}`);
    }
  }
  return {
    dataDir,
    store,
    ...(shard ? { shard } : {}),
    ...(runId && resume === undefined ? { runId } : {}),
    ...(resume ? { resume } : {}),
  };
}
