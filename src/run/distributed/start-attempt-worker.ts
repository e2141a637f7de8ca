import { type ConnectionOptions, type Job, Queue, Worker } from 'bullmq';
import type { ClientFactory } from '../execute-run.ts';
import {
  ATTEMPT_JOB_VERSION,
  type AttemptJobData,
  type AttemptResultMessage,
  checkAttemptJobAgent,
} from './attempt-job.ts';
import { attemptQueueNameOf, QUEUE_PREFIX } from './queue-names.ts';
import { runAttemptJob } from './run-attempt-job.ts';

/** Options of {@link startAttemptWorker}. */
export interface AttemptWorkerOptions {
  connection: ConnectionOptions;
  /** Model ids this worker runs attempts for; it takes jobs from these models' queues only. */
  serves: readonly string[];
  /** Stamped on every attempt it runs (the store's `attempts.worker`). */
  name: string;
  /** Attempts run at once per served model (default 1). */
  concurrency?: number;
  /** Workspaces, repository cache and the worker's copy of each transcript. */
  dataDir: string;
  clientFactory?: ClientFactory;
  env?: NodeJS.ProcessEnv;
  /** How long a job's lock lasts without renewal: a worker silent this long has its job retried (default 30 s). */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for (default 30 s). */
  stalledIntervalMs?: number;
  /** Times a job may stall (its worker died) before it fails for good (default 3). */
  maxStalledCount?: number;
  onEvent?: (event: AttemptWorkerEvent) => void;
}

/** What a worker reports as it goes. */
export type AttemptWorkerEvent =
  | { type: 'attempt-started'; attemptId: string; modelId: string; tryIndex: number }
  | { type: 'attempt-finished'; attemptId: string; modelId: string; outcome: string }
  | { type: 'warning'; message: string };

/** A running worker. */
export interface AttemptWorker {
  /** Stops taking jobs, waits for the attempts in flight to finish and report, and disconnects. */
  close(): Promise<void>;
}

/**
 * Starts a worker (`shakedown worker`): one BullMQ worker per served model's queue, each attempt run with the local
 * per-attempt code (see `runAttemptJob`). A job's result — the recorded attempt and its whole transcript — is sent
 * to the run's result queue before the job completes, so a worker killed at any point loses nothing: its job
 * stalls, BullMQ hands it to another worker, and the coordinator keeps the first result it gets for an attempt.
 */
export async function startAttemptWorker(options: AttemptWorkerOptions): Promise<AttemptWorker> {
  if (options.serves.length === 0) throw new Error('a worker must serve at least one model (--serves MODEL)');
  const served = new Set(options.serves);
  const resultQueues = new Map<string, Queue<AttemptResultMessage>>();
  const resultQueueOf = (name: string) => {
    let queue = resultQueues.get(name);
    if (!queue) {
      queue = new Queue<AttemptResultMessage>(name, { connection: options.connection, prefix: QUEUE_PREFIX });
      resultQueues.set(name, queue);
    }
    return queue;
  };
  const emit = (event: AttemptWorkerEvent) => options.onEvent?.(event);

  const process = async (job: Job<AttemptJobData>) => {
    const data = job.data;
    if (data.version !== ATTEMPT_JOB_VERSION) {
      throw new Error(
        `job ${job.id} has version ${data.version}; this worker runs version ${ATTEMPT_JOB_VERSION}`,
      );
    }
    if (!served.has(data.model.id)) throw new Error(`job ${job.id} is for ${data.model.id}, not served here`);
    try {
      checkAttemptJobAgent(data.agent);
    } catch (error) {
      throw new Error(`worker ${options.name}: ${(error as Error).message}`);
    }
    const results = resultQueueOf(data.resultQueue);
    const base = {
      version: ATTEMPT_JOB_VERSION as typeof ATTEMPT_JOB_VERSION,
      runId: data.runId,
      attemptId: data.attemptId,
      worker: options.name,
    };
    const result = await runAttemptJob(data, {
      worker: options.name,
      dataDir: options.dataDir,
      clientFactory: options.clientFactory,
      env: options.env,
      onTry: (tryIndex) => {
        emit({ type: 'attempt-started', attemptId: data.attemptId, modelId: data.model.id, tryIndex });
        void results.add('started', { ...base, kind: 'started', tryIndex }).catch((error: unknown) => {
          emit({
            type: 'warning',
            message: `could not report the start of ${data.attemptId}: ${String(error)}`,
          });
        });
      },
      onWarning: (message) => emit({ type: 'warning', message }),
    });
    if (result.outcome === 'cancelled' || !result.attempt)
      throw new Error(`attempt ${data.attemptId} was cancelled`);
    await results.add('finished', {
      ...base,
      kind: 'finished',
      outcome: result.outcome,
      attempt: result.attempt,
      events: result.events,
    });
    emit({
      type: 'attempt-finished',
      attemptId: data.attemptId,
      modelId: data.model.id,
      outcome: result.outcome,
    });
    return { outcome: result.outcome };
  };

  const workers = options.serves.map(
    (modelId) =>
      new Worker<AttemptJobData>(attemptQueueNameOf(modelId), process, {
        connection: options.connection,
        prefix: QUEUE_PREFIX,
        name: options.name,
        concurrency: options.concurrency ?? 1,
        lockDuration: options.lockDurationMs ?? 30_000,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
        maxStalledCount: options.maxStalledCount ?? 3,
      }),
  );
  for (const worker of workers) {
    worker.on('error', (error) => emit({ type: 'warning', message: `worker error: ${error.message}` }));
    worker.on('failed', (job, error) =>
      emit({
        type: 'warning',
        message: `attempt ${job?.data.attemptId ?? job?.id} failed: ${error.message}`,
      }),
    );
  }
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  return {
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all([...resultQueues.values()].map((queue) => queue.close()));
    },
  };
}
