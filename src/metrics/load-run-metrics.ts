/**
 * Loads a stored run (its record, models, tasks, attempts and transcripts) and computes its metrics. Used by both
 * `shakedown report` and `shakedown rescore`, so they always agree.
 */

import {
  BUILT_IN_PRICE_TABLE,
  mergePriceTables,
  type Price,
  type PriceTable,
  priceSchema,
} from '../providers/price-table.ts';
import type { Store } from '../store/store.ts';
import {
  type AttemptEventSummary,
  addEventToSummary,
  emptyAttemptSummary,
  SUMMARIZED_EVENT_TYPES,
} from './attempt-event-summary.ts';
import { computeRunMetricsFromSummaries } from './compute-run-metrics.ts';
import { type LocalCost, localCostSchema } from './local-cost.ts';
import type { RunMetrics } from './run-metrics.ts';

/** Raised when the run to report on cannot be found. */
export class RunNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunNotFoundError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The price table of a stored run: the built-in table with the run config's `prices:` merged over it. Entries of
 * the stored config that no longer validate are skipped.
 */
export function priceTableOfConfig(config: unknown, base: PriceTable = BUILT_IN_PRICE_TABLE): PriceTable {
  const entries = isRecord(config) && Array.isArray(config.prices) ? config.prices : [];
  const prices = entries.flatMap((entry): Price[] => {
    const parsed = priceSchema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
  return mergePriceTables(base, prices);
}

/** The `localCost` of each model entry of a stored run config, by model id. */
export function localCostsOfConfig(config: unknown): Record<string, LocalCost> {
  const models = isRecord(config) && Array.isArray(config.models) ? config.models : [];
  const costs: Record<string, LocalCost> = {};
  for (const model of models) {
    if (!isRecord(model) || typeof model.id !== 'string' || model.localCost === undefined) continue;
    const parsed = localCostSchema.safeParse(model.localCost);
    if (parsed.success) costs[model.id] = parsed.data;
  }
  return costs;
}

/** Resolves a run id (or the newest run when none is given); throws `RunNotFoundError` with a helpful message. */
export function resolveRunId(store: Store, runId: string | undefined): string {
  if (runId !== undefined) {
    if (!store.getRun(runId)) {
      const known = store
        .listRuns()
        .slice(0, 5)
        .map((run) => run.id);
      throw new RunNotFoundError(
        `no run ${runId} in ${store.path}${known.length > 0 ? ` (recent runs: ${known.join(', ')})` : ''}`,
      );
    }
    return runId;
  }
  const latest = store.latestRun();
  if (!latest) throw new RunNotFoundError(`no runs in ${store.path}: start one with \`shakedown run\``);
  return latest.id;
}

/** Options of `loadRunMetrics`. */
export interface LoadRunMetricsOptions {
  /** Overrides the price table derived from the run's stored config. */
  priceTable?: PriceTable;
  /** Overrides the local costs derived from the run's stored config. */
  localCosts?: Record<string, LocalCost>;
  /**
   * Validate every stored event against the transcript schema as it is read (default true). The viewer skips it:
   * events are validated when stored.
   */
  validateEvents?: boolean;
}

/**
 * The transcript summary of every attempt of a run, streamed from the store in one query: one event in memory at a
 * time, one summary per attempt kept.
 */
export function summarizeRunTranscripts(
  store: Store,
  runId: string,
  options: { validateEvents?: boolean } = {},
): Map<string, AttemptEventSummary> {
  const summaries = new Map<string, AttemptEventSummary>();
  let currentId: string | undefined;
  let current: AttemptEventSummary | undefined;
  for (const { attemptId, event } of store.runEvents(runId, SUMMARIZED_EVENT_TYPES, {
    validate: options.validateEvents,
  })) {
    if (attemptId !== currentId || !current) {
      currentId = attemptId;
      current = summaries.get(attemptId);
      if (!current) {
        current = emptyAttemptSummary();
        summaries.set(attemptId, current);
      }
    }
    addEventToSummary(current, event);
  }
  return summaries;
}

/**
 * Reads a run from the store and computes its metrics from the stored transcripts and grades. Transcripts are
 * streamed and summarized attempt by attempt (`summarizeRunTranscripts`), so memory grows with a few numbers per
 * step, not with the transcripts.
 */
export function loadRunMetrics(store: Store, runId: string, options: LoadRunMetricsOptions = {}): RunMetrics {
  const run = store.getRun(runId);
  if (!run) throw new RunNotFoundError(`no run ${runId} in ${store.path}`);
  const attempts = store.attempts(runId);
  const summariesByAttempt = summarizeRunTranscripts(store, runId, options);
  return computeRunMetricsFromSummaries({
    run,
    models: store.runModels(runId),
    tasks: store.runTasks(runId),
    attempts,
    summariesByAttempt,
    priceTable: options.priceTable ?? priceTableOfConfig(run.config),
    localCosts: options.localCosts ?? localCostsOfConfig(run.config),
  });
}
