import type { AttemptStatus, AttemptTotals } from '../transcript/events.ts';
import type {
  attemptStatuses,
  attempts,
  gradeStatuses,
  runStatuses,
  runs,
  steps,
  toolCalls,
} from './schema.ts';

/** Lifecycle of a run. */
export type RunStatus = (typeof runStatuses)[number];
/** Lifecycle of an attempt. */
export type AttemptRecordStatus = (typeof attemptStatuses)[number];
/** Grading outcome. */
export type GradeStatus = (typeof gradeStatuses)[number];

/** A model of a run, as given to `createRun`. */
export interface RunModelInput {
  modelId: string;
  /** Display name (default: the model id). */
  label?: string;
  provider: string;
  simulated: boolean;
  /** What the endpoint said about itself (`EndpointInfo`); stored redacted. */
  endpointInfo?: unknown;
}

/** A task of a run, as given to `createRun`. */
export interface RunTaskInput {
  taskId: string;
  suite?: string | null;
  /** Content hash of the task, so a changed task is noticed. */
  taskHash: string;
  multiTurn?: boolean;
}

/** Input of `createRun`. */
export interface CreateRunInput {
  /** Default: a new `run-YYYYMMDD-HHMMSS-xxxx` id. */
  id?: string;
  /** The run configuration; stored redacted (never an API key). */
  config: unknown;
  /** `computeConfigHash` of the matrix-determining part of the config. */
  configHash: string;
  priceTableVersion?: string | null;
  /** True when any model is simulated. */
  simulated: boolean;
  notes?: string | null;
  models: RunModelInput[];
  tasks: RunTaskInput[];
  /** Default: now. */
  createdAt?: Date;
}

type RunRow = typeof runs.$inferSelect;

/** A stored run; `config` is the parsed, redacted config JSON. */
export interface RunRecord extends Omit<RunRow, 'configJson'> {
  config: unknown;
}

/** A stored model of a run; `endpointInfo` is the parsed JSON (or null). */
export interface RunModelRecord {
  runId: string;
  modelId: string;
  label: string;
  provider: string;
  simulated: boolean;
  endpointInfo: unknown;
}

/** A stored task of a run. */
export interface RunTaskRecord {
  runId: string;
  taskId: string;
  suite: string | null;
  taskHash: string;
  multiTurn: boolean;
}

/** One cell of the run matrix, as given to `ensureAttempts`. */
export interface AttemptPlan {
  modelId: string;
  taskId: string;
  /** 0-based attempt index (k in pass@k). */
  attemptIndex: number;
  /** Default: `<run>/<model>/<task>/<index>`. */
  id?: string;
}

/** The grader's verdict as stored with an attempt; the whole object is kept as `grade_json`. */
export interface AttemptGrade {
  status: GradeStatus;
  partialScore?: number | null;
  constraintsKept?: number | null;
  constraintsTotal?: number | null;
  [detail: string]: unknown;
}

type AttemptRow = typeof attempts.$inferSelect;

/** A stored attempt; `grade` is the parsed grade JSON (or null). */
export interface AttemptRecord extends Omit<AttemptRow, 'gradeJson'> {
  grade: AttemptGrade | null;
}

/** Selects attempts of a run. */
export interface AttemptFilter {
  status?: AttemptRecordStatus | AttemptRecordStatus[];
  modelId?: string;
  taskId?: string;
}

/** Input of `finishAttempt`. Fields left out are taken from the stored `attempt-finished` event when there is one. */
export interface FinishAttemptInput {
  /** The transcript's `attempt-finished` status. */
  agentStatus?: AttemptStatus | null;
  grade?: AttemptGrade | null;
  totals?: AttemptTotals | null;
  /** Priced cost (default: `totals.costUsd`). */
  costUsd?: number | null;
  /** Time spent running the hidden tests. */
  testMs?: number | null;
  transcriptPath?: string | null;
  /** Error message; stored redacted. */
  error?: string | null;
  /** Default: the sum of retries recorded on the attempt's steps. */
  infrastructureRetries?: number;
  /** Events not yet recorded; stored in the same transaction as the finish. */
  events?: readonly unknown[];
  /** Default: `infrastructure-error` when the agent status is, else `finished`. */
  status?: 'finished' | 'infrastructure-error';
  /** Default: now. */
  finishedAt?: Date;
}

/** Which rows `steps` / `toolCalls` return: those of a run or of one attempt. */
export type RowScope = { runId: string } | { attemptId: string };

/** A stored step row. */
export type StepRecord = typeof steps.$inferSelect;
/** A stored tool-call row. */
export type ToolCallRecord = typeof toolCalls.$inferSelect;
