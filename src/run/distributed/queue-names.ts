import { createHash } from 'node:crypto';
import { fileSafeName } from '../transcript-files.ts';

/** Redis key prefix of every shakedown queue (BullMQ `prefix`): keys are `shakedown:<queue>:…`. */
export const QUEUE_PREFIX = 'shakedown';

/**
 * The queue of a model's attempts: `attempts.<sanitized model id>-<hash>`, one per model and shared by every run,
 * so a worker that serves a model needs to know only the model (the run travels in each job). BullMQ queue names
 * cannot contain `:`; the short hash of the exact id keeps two ids that sanitize alike apart.
 */
export function attemptQueueNameOf(modelId: string): string {
  return `attempts.${fileSafeName(modelId)}-${shortHash(modelId)}`;
}

/** The queue a run's results come back on: `results.<run id>`; only that run's coordinator consumes it. */
export function resultQueueNameOf(runId: string): string {
  return `results.${fileSafeName(runId)}-${shortHash(runId)}`;
}

/**
 * The BullMQ job id of an attempt: the attempt id, URI-encoded because BullMQ job ids cannot contain `:`. Adding
 * a job whose id exists is a no-op, so enqueueing an attempt twice (a resumed coordinator) queues it once.
 */
export function jobIdOf(attemptId: string): string {
  return encodeURIComponent(attemptId);
}

/** The attempt id of a job id made by {@link jobIdOf}. */
export function attemptIdOfJob(jobId: string): string {
  return decodeURIComponent(jobId);
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
