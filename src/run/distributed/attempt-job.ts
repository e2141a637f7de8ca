import type { AgentLimits, ToolProtocolName, TranscriptEvent } from '../../agent/events.ts';
import type { Task } from '../../task/task.ts';
import type { ModelConfig, ShakedownConfig } from '../config.ts';
import type { AttemptOutcome } from '../run-attempt.ts';
import type { AttemptRecord } from '../store/store-types.ts';

/** Version of the job and result messages; a worker refuses messages of another version. */
export const ATTEMPT_JOB_VERSION = 1 as const;

/**
 * Everything a worker needs to run one attempt (the data of an attempt job). The task travels whole (instruction,
 * patches, tests, limits); its repository is a reference: a snapshot directory or a git repository at the same
 * path (or URL) on every worker. No API key is ever part of a job: workers read their own environment.
 */
export interface AttemptJobData {
  version: typeof ATTEMPT_JOB_VERSION;
  runId: string;
  attemptId: string;
  attemptIndex: number;
  /** The queue to send the result to (see `resultQueueNameOf`). */
  resultQueue: string;
  model: ModelConfig;
  task: Task;
  protocol: ToolProtocolName;
  limits: AgentLimits;
  commandTimeoutMs: number;
  testTimeoutMs: number;
  settings: Pick<
    ShakedownConfig,
    'sandbox' | 'infrastructureRetries' | 'attemptRetries' | 'keepWorkspaces' | 'prices'
  >;
}

/** A worker's messages to the coordinator, on the run's result queue. */
export type AttemptResultMessage =
  | {
      version: typeof ATTEMPT_JOB_VERSION;
      kind: 'started';
      runId: string;
      attemptId: string;
      worker: string;
      tryIndex: number;
    }
  | {
      version: typeof ATTEMPT_JOB_VERSION;
      kind: 'finished';
      runId: string;
      attemptId: string;
      worker: string;
      outcome: Exclude<AttemptOutcome, 'cancelled'>;
      /** The finished attempt as the worker recorded it (status, grade, totals, timings, worker). */
      attempt: AttemptRecord;
      /** The attempt's whole transcript. */
      events: TranscriptEvent[];
    };
