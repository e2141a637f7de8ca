/**
 * The shape of a run's metrics: everything the reports show, computed only from stored transcripts and grade
 * records (see `computeRunMetrics`), so re-scoring a run reproduces it exactly. Unknown values are `null` (never
 * NaN), so the object survives a JSON round trip unchanged.
 */
import type { ToolCallValidity } from '../transcript/events.ts';
import type { BreakEven } from './local-cost.ts';
import type { PairedComparison } from './paired-comparison.ts';
import type { PassRateIntervalMethod } from './task-clustered-interval.ts';

/**
 * Version of the `RunMetrics` shape; bump on any breaking change of a field's name or meaning.
 * 2: comparison `pValue` from exact tests (was a paired t-test), with `method`, `minimumPValue`, `tooFewToTell`,
 * `interval`; `repetitions.resolvedRate.standardError` is null for a single repetition (was 0).
 * 3: resolved-rate intervals take the task as the unit when tasks have several attempts (`method`,
 * `effectiveTrials`); they were Wilson intervals over attempts.
 */
export const RUN_METRICS_SCHEMA_VERSION = 3;

/**
 * A proportion with its 95% interval: Wilson over attempts with one attempt per task, else Wilson at the effective
 * number of trials with tasks as the unit (see `taskClusteredInterval`).
 */
export interface RateWithInterval {
  /** successes / trials; null with no trials. */
  rate: number | null;
  successes: number;
  trials: number;
  low: number | null;
  high: number | null;
  /** How the interval was computed; null with no trials. */
  method: PassRateIntervalMethod | null;
  /** Trials the interval is as wide as (attempts / design effect); null with no trials. */
  effectiveTrials: number | null;
}

/** The compute backend an embedded (GGUF) model ran on. */
export interface ModelBackend {
  /** `cuda`, `vulkan`, `metal` or `cpu`. */
  name: string;
  /** The client's note on why the model ran on the CPU (no usable GPU, `gpu: false`); null otherwise. */
  cpuNote: string | null;
}

/** Mean ± standard error of the mean over repetitions. */
export interface MeanWithStandardError {
  mean: number | null;
  /** Null with fewer than 2 repetitions (no spread to measure). */
  standardError: number | null;
  count: number;
}

/** Median and 95th percentile of a set of values, and how many values there were. */
export interface PercentileSummary {
  count: number;
  p50: number | null;
  p95: number | null;
  mean: number | null;
}

/** A per-step latency measure, with how many values the server reported and how many the client measured. */
export interface SourcedPercentileSummary extends PercentileSummary {
  serverReported: number;
  measured: number;
  /** Steps that had no value for this measure. */
  unavailable: number;
}

/** Tool calls by validity class (first failing level wins) and origin. */
export interface ToolCallMetrics {
  total: number;
  byValidity: Record<ToolCallValidity, number>;
  /** Share of calls per validity class (null with no calls). */
  validityShares: Record<ToolCallValidity, number | null>;
  /** Share of valid calls (null with no calls). */
  validShare: number | null;
  /** Calls recovered from leaked text (`origin: recovered`) and their share. */
  recovered: number;
  recoveredShare: number | null;
  /** Calls exchanged through a text protocol (`origin: text-protocol`) and their share. */
  textProtocol: number;
  textProtocolShare: number | null;
  /** Invalid calls followed by another call in the same attempt, and how many of those next calls were valid. */
  recoveryOpportunities: number;
  recoveries: number;
  /** recoveries / recoveryOpportunities (null with no opportunity). */
  recoveryRate: number | null;
  /** `format-error` events by reason (empty turns, unparseable calls, malformed arguments). */
  formatErrors: Record<string, number>;
}

/** Constraint retention on multi-turn tasks. */
export interface RetentionMetrics {
  /** Scored attempts on multi-turn tasks. */
  attempts: number;
  constraintsKept: number;
  constraintsTotal: number;
  /** constraintsKept / constraintsTotal (null when no constraint was graded). */
  retention: number | null;
  /** Resolved rate on multi-turn tasks. */
  resolved: RateWithInterval;
}

/** Where the wall time of the model's attempts went (sums over attempts with a transcript). */
export interface TimeSplit {
  wallMs: number;
  modelMs: number;
  toolMs: number;
  /** Time running the hidden tests (from the grade records). */
  testMs: number;
  /** Shares of model + tool + test time (null when all are 0). */
  modelShare: number | null;
  toolShare: number | null;
  testShare: number | null;
}

/** Token totals over all attempts of the model (infrastructure errors included: they were spent). */
export interface TokenMetrics {
  input: number;
  cachedInput: number;
  output: number;
  reasoning: number;
  /** Token source of the steps: server-reported vs measured. */
  serverReportedSteps: number;
  measuredSteps: number;
  /** (input + output) per resolved task; null with no resolved task. */
  totalPerResolvedTask: number | null;
  outputPerResolvedTask: number | null;
}

/** What the model's attempts cost and how it was priced. */
export interface CostMetrics {
  /** `api`: priced per token; `local`: priced per hour of model time; `unpriced`: no price known. */
  kind: 'api' | 'local' | 'unpriced';
  totalUsd: number | null;
  /** totalUsd / resolved tasks; null with no resolved task or no price. */
  perResolvedTaskUsd: number | null;
  /** Human-readable basis: the price used, or the local rate. */
  basis: string;
  api: {
    priceTableVersion: string;
    model: string;
    inputPerMillion: number;
    cachedInputPerMillion: number;
    outputPerMillion: number;
    source: string;
    asOf: string;
  } | null;
  local: {
    /** Hours of model time that were priced. */
    hours: number;
    gpuHourlyRateUsd: number | null;
    watts: number | null;
    electricityUsdPerKwh: number | null;
    hardwareUsd: number | null;
  } | null;
}

/** All metrics of one model of the run. */
export interface ModelMetrics {
  modelId: string;
  label: string;
  /**
   * In a run with several agents, the model × agent cell this row is (`modelId` is then `<model id>~<agent>`):
   * the model's own id and the agent's name (`built-in`, a preset name, `command`). Absent with one agent.
   */
  agentCell?: { modelId: string; agentName: string };
  provider: string;
  /** The compute backend an embedded model ran on (from the stored endpoint info); null when not known. */
  backend: ModelBackend | null;
  /** True when the model or any of its responses was simulated: numbers say nothing about a real model. */
  simulated: boolean;
  attempts: {
    /** Attempts of the matrix. */
    total: number;
    /** Finished attempts that count in the scores. */
    scored: number;
    /** Attempts that ended on an infrastructure error: excluded from the scores, shown apart. */
    infrastructureErrors: number;
    /** Attempts not finished yet (pending or running). */
    incomplete: number;
    /** Scored attempts whose grade was `invalid` (no evidence the tests ran): counted as not resolved. */
    invalidGrades: number;
    /**
     * Scored attempts whose grading detected tampering (a must-fail sentinel passed, or test infrastructure or a
     * graded test file was changed and dropped); never resolved by it, since grading ran on a clean copy.
     */
    tamperingDetected: number;
    /** Scored attempts without any grade: counted as not resolved. */
    ungraded: number;
    /** Infrastructure retries that were survived. */
    infrastructureRetries: number;
  };
  resolved: RateWithInterval;
  /** Mean partial score of the scored attempts that have one. */
  partialScoreMean: number | null;
  /** Resolved rate per repetition (attempt index), then mean ± SEM over the repetitions. */
  repetitions: {
    perRepetition: Array<{ attemptIndex: number; resolvedRate: number | null; scored: number }>;
    resolvedRate: MeanWithStandardError;
  };
  /** Tasks with at least one scored attempt; the minimum of scored attempts per such task. */
  tasksScored: number;
  minimumAttemptsPerTask: number;
  /** Unbiased pass@k and pass^k for k = 1 .. minimumAttemptsPerTask, averaged over the scored tasks. */
  passAtK: Array<{ k: number; passAtK: number; passHatK: number }>;
  toolCalls: ToolCallMetrics;
  retention: RetentionMetrics;
  /** Model steps per scored attempt. */
  stepsPerTask: PercentileSummary;
  latency: {
    timeToFirstTokenMs: SourcedPercentileSummary;
    prefillTokensPerSecond: SourcedPercentileSummary;
    decodeTokensPerSecond: SourcedPercentileSummary;
    stepWallMs: PercentileSummary;
    /** Mean wall time of a scored attempt. */
    attemptWallMs: PercentileSummary;
    split: TimeSplit;
  };
  tokens: TokenMetrics;
  cost: CostMetrics;
  failures: {
    /**
     * One outcome per attempt: `resolved`, `infrastructure-error`, `tampering-detected` (not resolved, and grading
     * detected tampering), `invalid-grade`, `ungraded`, `incomplete`,
     * `wrong-fix` (submitted but unresolved) or the agent status that ended it (`step-limit`, `time-limit`,
     * `context-exceeded`, `format-errors`, `no-submission`, ...).
     */
    outcomes: Record<string, number>;
    /** Agent statuses of the finished attempts. */
    agentStatuses: Record<string, number>;
    /** Grade statuses of the scored attempts (`ungraded` when there is none). */
    gradeStatuses: Record<string, number>;
  };
  /** Per-task results, ordered by task id. */
  tasks: Array<{
    taskId: string;
    multiTurn: boolean;
    scored: number;
    resolved: number;
    resolvedRate: number | null;
    infrastructureErrors: number;
  }>;
}

/** Paired per-task comparison of two models (per-task resolved rate of `modelA` minus `modelB`). */
export interface ModelPairComparison {
  modelA: string;
  modelB: string;
  /**
   * Per-task statistics over the tasks both models have scored attempts on; null values where undefined.
   * `pValue` comes from the exact test named by `method` / `methodDescription` (never a t-test, never 0);
   * `tooFewToTell` is true when no outcome on this many tasks could reach p < 0.05; `interval` is a seeded
   * bootstrap 95% interval of the mean difference.
   */
  comparison: Omit<PairedComparison, 'meanDifference' | 'standardError' | 'pValue'> & {
    meanDifference: number | null;
    standardError: number | null;
    pValue: number | null;
  };
}

/** Break-even volume of a local model against an API model. */
export interface BreakEvenMetrics {
  localModel: string;
  apiModel: string;
  /** Resolved tasks until the hardware is paid off; null when never or unknown (see `reason`). */
  resolvedTasks: BreakEven['resolvedTasks'];
  reason: string;
}

/** The metrics of a whole run. */
export interface RunMetrics {
  schemaVersion: typeof RUN_METRICS_SCHEMA_VERSION;
  run: {
    id: string;
    createdAt: string;
    finishedAt: string | null;
    status: string;
    configHash: string;
    /** Price table that priced the API models. */
    priceTableVersion: string;
    /** The agent under test: `built-in` or `external (…)` (absent in metrics of older versions). */
    agent?: string;
  };
  /** True when any model is simulated. */
  simulated: boolean;
  tasks: Array<{ taskId: string; suite: string | null; multiTurn: boolean }>;
  models: ModelMetrics[];
  comparisons: ModelPairComparison[];
  breakEven: BreakEvenMetrics[];
}
