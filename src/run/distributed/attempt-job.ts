import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ExternalAgentSpec } from '../../external/agent-choice.ts';
import type { AttemptRecord } from '../../store/store-types.ts';
import type { Task } from '../../task/task.ts';
import type { AgentLimits, ToolProtocolName, TranscriptEvent } from '../../transcript/events.ts';
import type { ModelConfig, ShakedownConfig } from '../config.ts';
import type { AttemptOutcome } from '../run-attempt.ts';

/**
 * Version of the job and result messages; a worker refuses messages of another version. 2: jobs carry the agent
 * under test (a version-1 worker would have run an external agent's jobs with the built-in agent).
 */
export const ATTEMPT_JOB_VERSION = 2 as const;

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
  /**
   * The external agent under test, resolved on the coordinator (`resolveExternalAgent`: a preset's executable by
   * its absolute path, the read-only installation folders); null: the built-in agent. Workers run it from the same
   * paths, so it must be installed there at the same place (checked by {@link checkAttemptJobAgent}).
   */
  agent: ExternalAgentSpec | null;
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

/**
 * Checks a job's agent before a worker runs it: a well-formed spec whose read-only installation folders exist on
 * this host (the agent is installed at the same path as on the coordinator). Throws a message naming what is
 * missing; the job then fails and the coordinator records the attempt as an infrastructure error.
 */
export function checkAttemptJobAgent(
  agent: unknown,
  exists: (path: string) => boolean = (entry) => existsSync(entry),
): void {
  if (agent === null) return;
  const spec = agent as Partial<ExternalAgentSpec> | undefined;
  if (
    typeof spec !== 'object' ||
    typeof spec.command !== 'string' ||
    spec.command.trim() === '' ||
    typeof spec.label !== 'string' ||
    !Array.isArray(spec.readOnlyPaths) ||
    !spec.readOnlyPaths.every((entry) => typeof entry === 'string' && path.isAbsolute(entry)) ||
    (spec.env !== undefined &&
      (typeof spec.env !== 'object' ||
        spec.env === null ||
        !Object.values(spec.env).every((value) => typeof value === 'string')))
  ) {
    throw new Error(
      'the job names no valid agent (expected null or { label, command, env?, readOnlyPaths })',
    );
  }
  // A preset's executable leads its command by absolute path (single-quoted, see resolveExternalAgent).
  const executable = /^'(\/[^']*)'(?:\s|$)/.exec(spec.command)?.[1] ?? /^(\/\S*)/.exec(spec.command)?.[1];
  const missing = [...(executable ? [executable] : []), ...spec.readOnlyPaths].filter(
    (entry) => !exists(entry),
  );
  if (missing.length > 0) {
    throw new Error(
      `the agent ${spec.label} is not installed on this worker at the coordinator's path (missing: ${missing.join(', ')})`,
    );
  }
}
