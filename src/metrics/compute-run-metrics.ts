/**
 * Computes every metric of a run from its stored transcripts and grade records — no model is called, so
 * `shakedown rescore` reproduces the report's numbers exactly.
 */

import { agentNamesOfStoredConfig, splitCellId } from '../external/agent-cell-id.ts';
import { agentLabelOfStoredConfig } from '../external/agent-choice.ts';
import { costOfUsage, findPrice, type Price, type PriceTable } from '../providers/price-table.ts';
import { redactSecrets } from '../shared/redact-secrets.ts';
import type { AttemptRecord, RunModelRecord, RunRecord, RunTaskRecord } from '../store/store-types.ts';
import type { ToolCallValidity, TranscriptEvent } from '../transcript/events.ts';
import {
  type AttemptEventSummary,
  type ResponseSummary,
  summarizeAttemptEvents,
  timingsSeenByAgent,
} from './attempt-event-summary.ts';
import { groupBy } from './group-by.ts';
import { breakEvenVolume, type LocalCost, localCostOfTime } from './local-cost.ts';
import { modelBackendOf } from './model-backend.ts';
import { pairedComparison } from './paired-comparison.ts';
import { meanPassAtK, meanPassHatK, type TaskOutcomes } from './pass-at-k.ts';
import type {
  BreakEvenMetrics,
  CostMetrics,
  MeanWithStandardError,
  ModelMetrics,
  ModelPairComparison,
  PercentileSummary,
  RateWithInterval,
  RunMetrics,
  SourcedPercentileSummary,
  ToolCallMetrics,
} from './run-metrics.ts';
import { RUN_METRICS_SCHEMA_VERSION } from './run-metrics.ts';
import { shortModelLabels } from './short-model-label.ts';
import { mean, meanWithError, percentile } from './statistics.ts';
import { type TaskPassCounts, taskClusteredInterval } from './task-clustered-interval.ts';

/** The attempt fields the metrics read (a stored `AttemptRecord` fits). */
export type MetricsAttempt = Pick<
  AttemptRecord,
  'id' | 'modelId' | 'taskId' | 'attemptIndex' | 'status' | 'agentStatus' | 'grade' | 'testMs'
>;

export { timingsSeenByAgent };

/** Everything `computeRunMetrics` needs; all of it is in the store. */
export interface RunMetricsInput {
  run: Pick<RunRecord, 'id' | 'createdAt' | 'finishedAt' | 'status' | 'configHash'> &
    Partial<Pick<RunRecord, 'config'>>;
  models: readonly (Pick<RunModelRecord, 'modelId' | 'label' | 'provider' | 'simulated'> &
    Partial<Pick<RunModelRecord, 'endpointInfo'>>)[];
  tasks: readonly Pick<RunTaskRecord, 'taskId' | 'suite' | 'multiTurn'>[];
  attempts: readonly MetricsAttempt[];
  /** Transcript events per attempt id; an attempt without events has no step, call or token data. */
  eventsByAttempt: ReadonlyMap<string, readonly TranscriptEvent[]>;
  /** Prices of API models. */
  priceTable: PriceTable;
  /** Local cost settings per model id; a model listed here is priced by time, not by token. */
  localCosts?: Readonly<Record<string, LocalCost>>;
}

/**
 * `RunMetricsInput` with each attempt's transcript already summarized (`summarizeAttemptEvents`), so a run's events
 * need not all be in memory at once: a store streams them attempt by attempt (see `loadRunMetrics`).
 */
export interface RunSummaryInput extends Omit<RunMetricsInput, 'eventsByAttempt'> {
  /** Transcript summary per attempt id; an attempt without one has no step, call or token data. */
  summariesByAttempt: ReadonlyMap<string, AttemptEventSummary>;
}

const EMPTY_SUMMARY: AttemptEventSummary = summarizeAttemptEvents([]);

const VALIDITY_CLASSES: readonly ToolCallValidity[] = [
  'valid',
  'format',
  'unknown-tool',
  'schema',
  'execution-error',
];

/** Turns NaN / infinities into null so the metrics survive JSON. */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

function increment(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Orders a count record by key, so its JSON is stable. */
function sortedCounts(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** The resolved rate of scored attempts with its 95% interval, tasks as the unit when they have several attempts. */
function rateWithInterval(scoredAttempts: MetricsAttempt[]): RateWithInterval {
  const byTask = new Map<string, TaskPassCounts>();
  for (const attempt of scoredAttempts) {
    const counts = byTask.get(attempt.taskId) ?? { attempts: 0, successes: 0 };
    counts.attempts += 1;
    if (isResolved(attempt)) counts.successes += 1;
    byTask.set(attempt.taskId, counts);
  }
  const successes = scoredAttempts.filter(isResolved).length;
  const trials = scoredAttempts.length;
  const interval = taskClusteredInterval([...byTask.values()]);
  if (interval === null)
    return { rate: null, successes, trials, low: null, high: null, method: null, effectiveTrials: null };
  return {
    rate: interval.rate,
    successes,
    trials,
    low: interval.low,
    high: interval.high,
    method: interval.method,
    effectiveTrials: interval.effectiveTrials,
  };
}

function summarize(values: number[]): PercentileSummary {
  return {
    count: values.length,
    p50: finiteOrNull(percentile(values, 50)),
    p95: finiteOrNull(percentile(values, 95)),
    mean: finiteOrNull(mean(values)),
  };
}

function summarizeSourced(
  samples: Array<{ value: number | null; source: 'server' | 'measured' | 'unavailable' }>,
): SourcedPercentileSummary {
  const present = samples.filter(
    (sample): sample is { value: number; source: 'server' | 'measured' } =>
      sample.value !== null && sample.source !== 'unavailable',
  );
  return {
    ...summarize(present.map((sample) => sample.value)),
    serverReported: present.filter((sample) => sample.source === 'server').length,
    measured: present.filter((sample) => sample.source === 'measured').length,
    unavailable: samples.length - present.length,
  };
}

function meanWithStandardError(values: number[]): MeanWithStandardError {
  const summary = meanWithError(values);
  return {
    mean: finiteOrNull(summary.mean),
    // One repetition has no spread to measure: no SEM rather than a misleading ± 0.
    standardError: values.length < 2 ? null : summary.standardError,
    count: summary.count,
  };
}

/** True when the attempt ended on an infrastructure error (its store status or its agent status says so). */
function isInfrastructureError(attempt: MetricsAttempt): boolean {
  return attempt.status === 'infrastructure-error' || attempt.agentStatus === 'infrastructure-error';
}

function isScored(attempt: MetricsAttempt): boolean {
  return attempt.status === 'finished' && !isInfrastructureError(attempt);
}

function isResolved(attempt: MetricsAttempt): boolean {
  return attempt.grade?.status === 'resolved';
}

/** Whether grading found signs of tampering (a passing must-fail sentinel, changed test infrastructure...). */
export function isTamperingDetected(attempt: Pick<MetricsAttempt, 'grade'>): boolean {
  const tampering = attempt.grade?.tampering as { detected?: unknown } | undefined;
  return tampering?.detected === true;
}

/** The agent status of an attempt: its transcript's `attempt-finished` event, else the stored column. */
function agentStatusOf(attempt: MetricsAttempt, summary: AttemptEventSummary): string | null {
  return summary.finished?.status ?? attempt.agentStatus ?? null;
}

function outcomeOf(attempt: MetricsAttempt, summary: AttemptEventSummary): string {
  if (isInfrastructureError(attempt)) return 'infrastructure-error';
  if (attempt.status !== 'finished') return 'incomplete';
  if (isResolved(attempt)) return 'resolved';
  if (isTamperingDetected(attempt)) return 'tampering-detected';
  if (attempt.grade?.status === 'invalid') return 'invalid-grade';
  const status = agentStatusOf(attempt, summary);
  if (status === null) return attempt.grade ? 'wrong-fix' : 'ungraded';
  if (status === 'submitted') return attempt.grade ? 'wrong-fix' : 'ungraded';
  return status;
}

function computeToolCallMetrics(summaries: readonly AttemptEventSummary[]): ToolCallMetrics {
  const byValidity = Object.fromEntries(VALIDITY_CLASSES.map((validity) => [validity, 0])) as Record<
    ToolCallValidity,
    number
  >;
  const formatErrors: Record<string, number> = {};
  let total = 0;
  let recovered = 0;
  let textProtocol = 0;
  let recoveryOpportunities = 0;
  let recoveries = 0;
  for (const { toolCalls, formatErrors: errorsOfAttempt } of summaries) {
    total += toolCalls.total;
    for (const validity of VALIDITY_CLASSES) byValidity[validity] += toolCalls.byValidity[validity];
    recovered += toolCalls.recovered;
    textProtocol += toolCalls.textProtocol;
    recoveryOpportunities += toolCalls.recoveryOpportunities;
    recoveries += toolCalls.recoveries;
    for (const [reason, count] of Object.entries(errorsOfAttempt)) increment(formatErrors, reason, count);
  }
  const validityShares = Object.fromEntries(
    VALIDITY_CLASSES.map((validity) => [validity, ratio(byValidity[validity], total)]),
  ) as Record<ToolCallValidity, number | null>;
  return {
    total,
    byValidity,
    validityShares,
    validShare: ratio(byValidity.valid, total),
    recovered,
    recoveredShare: ratio(recovered, total),
    textProtocol,
    textProtocolShare: ratio(textProtocol, total),
    recoveryOpportunities,
    recoveries,
    recoveryRate: ratio(recoveries, recoveryOpportunities),
    formatErrors: sortedCounts(formatErrors),
  };
}

/** The fewest attempts of a task (0 for none), without spreading a long list into arguments. */
function fewestAttempts(outcomes: readonly TaskOutcomes[]): number {
  if (outcomes.length === 0) return 0;
  let minimum = Number.POSITIVE_INFINITY;
  for (const task of outcomes) minimum = Math.min(minimum, task.attempts);
  return minimum;
}

function passAtKRows(outcomes: TaskOutcomes[]): ModelMetrics['passAtK'] {
  if (outcomes.length === 0) return [];
  const minimum = fewestAttempts(outcomes);
  return Array.from({ length: minimum }, (_, index) => ({
    k: index + 1,
    passAtK: meanPassAtK(outcomes, index + 1),
    passHatK: meanPassHatK(outcomes, index + 1),
  }));
}

function computeCost(
  modelId: string,
  responses: ResponseSummary[],
  resolvedCount: number,
  input: RunSummaryInput,
): CostMetrics {
  // A model × agent cell is priced as its model.
  const cell = splitCellId(modelId, agentNamesOfStoredConfig(input.run.config));
  const priceId = cell?.modelId ?? modelId;
  const localCost = input.localCosts?.[modelId] ?? input.localCosts?.[priceId];
  const perResolved = (total: number | null) =>
    total === null || resolvedCount === 0 ? null : total / resolvedCount;
  if (localCost) {
    const modelMs = responses.reduce((sum, response) => sum + response.timings.wallMs, 0);
    const totalUsd = localCostOfTime(localCost, modelMs);
    const basis =
      localCost.gpuHourlyRateUsd !== undefined
        ? `local: $${localCost.gpuHourlyRateUsd}/GPU-hour × model time`
        : `local: ${localCost.watts} W × model time × $${localCost.electricityUsdPerKwh}/kWh`;
    return {
      kind: 'local',
      totalUsd,
      perResolvedTaskUsd: perResolved(totalUsd),
      basis,
      api: null,
      local: {
        hours: modelMs / 3_600_000,
        gpuHourlyRateUsd: localCost.gpuHourlyRateUsd ?? null,
        watts: localCost.watts ?? null,
        electricityUsdPerKwh: localCost.electricityUsdPerKwh ?? null,
        hardwareUsd: localCost.hardwareUsd ?? null,
      },
    };
  }
  const price = findPrice(input.priceTable, priceId);
  if (!price) {
    return {
      kind: 'unpriced',
      totalUsd: null,
      perResolvedTaskUsd: null,
      basis: `no price for ${redactSecrets(modelId, [])} in price table ${input.priceTable.version} and no local cost set`,
      api: null,
      local: null,
    };
  }
  const totalUsd = responses.reduce((sum, response) => sum + costOfUsage(price, response.usage), 0);
  const cachedInputPerMillion = price.cachedInputPerMillion ?? price.inputPerMillion;
  return {
    kind: 'api',
    totalUsd,
    perResolvedTaskUsd: perResolved(totalUsd),
    basis: apiCostBasis(price, responses, input.priceTable.version),
    api: {
      priceTableVersion: input.priceTable.version,
      model: price.model,
      inputPerMillion: price.inputPerMillion,
      cachedInputPerMillion,
      outputPerMillion: price.outputPerMillion,
      source: price.source,
      asOf: price.asOf,
    },
    local: null,
  };
}

/**
 * What an API cost rests on, in words: the rates and where they were read, the prompt cache the responses used
 * (reads and writes as the server counted them) and how many responses carried a server-reported cost instead.
 */
function apiCostBasis(price: Price, responses: ResponseSummary[], tableVersion: string): string {
  const usages = responses.map((response) => response.usage);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const read = sum(usages.map((usage) => usage.cachedInputTokens));
  const written = sum(usages.map((usage) => usage.cacheWriteInputTokens ?? 0));
  const writtenOneHour = sum(usages.map((usage) => usage.cacheWriteOneHourInputTokens ?? 0));
  const reported = usages.filter((usage) => usage.reportedCostUsd !== undefined).length;
  const cachedRate = price.cachedInputPerMillion ?? price.inputPerMillion;
  const writeRate = price.cacheWritePerMillion ?? price.inputPerMillion;
  const parts = [
    `API: $${price.inputPerMillion}/M input, $${cachedRate}/M cached, $${price.outputPerMillion}/M output`,
  ];
  if (written > 0) {
    parts.push(
      `$${writeRate}/M cache writes${writtenOneHour > 0 ? `, $${price.cacheWriteOneHourPerMillion ?? writeRate}/M 1-hour cache writes` : ''}`,
    );
  }
  const source = `${price.source}${price.url ? ` ${price.url}` : ''}, ${price.asOf}, table ${tableVersion}`;
  const cache =
    read > 0 || written > 0
      ? `prompt cache used: ${read} tokens read, ${written} written${writtenOneHour > 0 ? ` (${writtenOneHour} for 1 hour)` : ''}`
      : 'no prompt cache used';
  const reportedNote =
    reported > 0 ? `; ${reported} of ${usages.length} responses at the cost the server reported` : '';
  return `${parts.join(', ')} (${source}); ${cache}${reportedNote}`;
}

/** What every model of a run shares: the input, its tasks sorted by id, and the multi-turn task ids. */
interface RunContext {
  input: RunSummaryInput;
  sortedTasks: RunSummaryInput['tasks'][number][];
  multiTurnTasks: Set<string>;
}

function computeModelMetrics(
  model: RunSummaryInput['models'][number],
  attempts: readonly MetricsAttempt[],
  { input, sortedTasks, multiTurnTasks }: RunContext,
): ModelMetrics {
  const summaryOf = (attempt: MetricsAttempt) => input.summariesByAttempt.get(attempt.id) ?? EMPTY_SUMMARY;
  const scored = attempts.filter(isScored);
  const resolvedCount = scored.filter(isResolved).length;

  // Per task.
  const attemptsByTask = groupBy(attempts, (attempt) => attempt.taskId);
  const taskRows = sortedTasks.map((task) => {
    const ofTask = attemptsByTask.get(task.taskId) ?? [];
    const scoredOfTask = ofTask.filter(isScored);
    const resolved = scoredOfTask.filter(isResolved).length;
    return {
      taskId: task.taskId,
      multiTurn: task.multiTurn,
      scored: scoredOfTask.length,
      resolved,
      resolvedRate: ratio(resolved, scoredOfTask.length),
      infrastructureErrors: ofTask.filter(isInfrastructureError).length,
    };
  });
  const outcomes: TaskOutcomes[] = taskRows
    .filter((task) => task.scored > 0)
    .map((task) => ({ taskId: task.taskId, attempts: task.scored, successes: task.resolved }));

  // Repetitions: the attempt index is the repetition.
  const indexes = [...new Set(attempts.map((attempt) => attempt.attemptIndex))].sort((a, b) => a - b);
  const scoredByIndex = groupBy(scored, (attempt) => attempt.attemptIndex);
  const perRepetition = indexes.map((attemptIndex) => {
    const ofIndex = scoredByIndex.get(attemptIndex) ?? [];
    return {
      attemptIndex,
      resolvedRate: ratio(ofIndex.filter(isResolved).length, ofIndex.length),
      scored: ofIndex.length,
    };
  });

  // Retention on multi-turn tasks.
  const multiTurnScored = scored.filter((attempt) => multiTurnTasks.has(attempt.taskId));
  let constraintsKept = 0;
  let constraintsTotal = 0;
  for (const attempt of multiTurnScored) {
    const total = attempt.grade?.constraintsTotal ?? null;
    if (total === null || total <= 0) continue;
    constraintsTotal += total;
    constraintsKept += attempt.grade?.constraintsKept ?? 0;
  }

  // Steps, latency and tokens, from the model responses.
  const summaries = attempts.map(summaryOf);
  const responses = summaries.flatMap((summary) => summary.responses);
  const timings = responses.map((response) => response.timings);
  const usage = responses.map((response) => response.usage);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const inputTokens = sum(usage.map((entry) => entry.inputTokens));
  const outputTokens = sum(usage.map((entry) => entry.outputTokens));

  // Wall-time split, from the `attempt-finished` totals and the grade records.
  let wallMs = 0;
  let modelMs = 0;
  let toolMs = 0;
  let testMs = 0;
  const attemptWall: number[] = [];
  for (const attempt of attempts) {
    const finished = summaryOf(attempt).finished;
    if (finished) {
      wallMs += finished.totals.wallMs;
      modelMs += finished.totals.modelMs;
      toolMs += finished.totals.toolMs;
      if (isScored(attempt)) attemptWall.push(finished.totals.wallMs);
    }
    testMs += attempt.testMs ?? 0;
  }
  const splitTotal = modelMs + toolMs + testMs;

  // Failure classes.
  const outcomeCounts: Record<string, number> = {};
  const agentStatuses: Record<string, number> = {};
  const gradeStatuses: Record<string, number> = {};
  for (const attempt of attempts) {
    const summary = summaryOf(attempt);
    increment(outcomeCounts, outcomeOf(attempt, summary));
    const status = agentStatusOf(attempt, summary);
    if (status !== null && attempt.status !== 'pending' && attempt.status !== 'running')
      increment(agentStatuses, status);
    if (isScored(attempt)) increment(gradeStatuses, attempt.grade?.status ?? 'ungraded');
  }

  const partialScores = scored
    .map((attempt) => attempt.grade?.partialScore)
    .filter((score): score is number => typeof score === 'number');
  const simulated =
    model.simulated ||
    responses.some((response) => response.simulated) ||
    summaries.some((summary) => summary.simulatedStart);

  const agentCell = splitCellId(model.modelId, agentNamesOfStoredConfig(input.run.config));
  return {
    modelId: model.modelId,
    label: model.label,
    ...(agentCell ? { agentCell } : {}),
    provider: model.provider,
    backend: modelBackendOf(model.endpointInfo),
    simulated,
    attempts: {
      total: attempts.length,
      scored: scored.length,
      infrastructureErrors: attempts.filter(isInfrastructureError).length,
      incomplete: attempts.filter((attempt) => attempt.status === 'pending' || attempt.status === 'running')
        .length,
      invalidGrades: scored.filter((attempt) => attempt.grade?.status === 'invalid').length,
      tamperingDetected: scored.filter(isTamperingDetected).length,
      ungraded: scored.filter((attempt) => attempt.grade === null).length,
      infrastructureRetries: sum(responses.map((response) => response.retries)),
    },
    resolved: rateWithInterval(scored),
    partialScoreMean: finiteOrNull(mean(partialScores)),
    repetitions: {
      perRepetition,
      resolvedRate: meanWithStandardError(
        perRepetition.map((row) => row.resolvedRate).filter((rate): rate is number => rate !== null),
      ),
    },
    tasksScored: outcomes.length,
    minimumAttemptsPerTask: fewestAttempts(outcomes),
    passAtK: passAtKRows(outcomes),
    toolCalls: computeToolCallMetrics(summaries),
    retention: {
      attempts: multiTurnScored.length,
      constraintsKept,
      constraintsTotal,
      retention: ratio(constraintsKept, constraintsTotal),
      resolved: rateWithInterval(multiTurnScored),
    },
    stepsPerTask: summarize(scored.map((attempt) => summaryOf(attempt).responses.length)),
    latency: {
      timeToFirstTokenMs: summarizeSourced(
        timings.map((timing) => ({
          value: timing.timeToFirstTokenMs,
          source: timing.sources.timeToFirstToken,
        })),
      ),
      prefillTokensPerSecond: summarizeSourced(
        timings.map((timing) => ({ value: timing.prefillTokensPerSecond, source: timing.sources.prefill })),
      ),
      decodeTokensPerSecond: summarizeSourced(
        timings.map((timing) => ({ value: timing.decodeTokensPerSecond, source: timing.sources.decode })),
      ),
      stepWallMs: summarize(timings.map((timing) => timing.wallMs)),
      attemptWallMs: summarize(attemptWall),
      split: {
        wallMs,
        modelMs,
        toolMs,
        testMs,
        modelShare: ratio(modelMs, splitTotal),
        toolShare: ratio(toolMs, splitTotal),
        testShare: ratio(testMs, splitTotal),
      },
    },
    tokens: {
      input: inputTokens,
      cachedInput: sum(usage.map((entry) => entry.cachedInputTokens)),
      output: outputTokens,
      reasoning: sum(usage.map((entry) => entry.reasoningTokens)),
      serverReportedSteps: usage.filter((entry) => entry.source === 'server').length,
      measuredSteps: usage.filter((entry) => entry.source === 'measured').length,
      totalPerResolvedTask: ratio(inputTokens + outputTokens, resolvedCount),
      outputPerResolvedTask: ratio(outputTokens, resolvedCount),
    },
    cost: computeCost(model.modelId, responses, resolvedCount, input),
    failures: {
      outcomes: sortedCounts(outcomeCounts),
      agentStatuses: sortedCounts(agentStatuses),
      gradeStatuses: sortedCounts(gradeStatuses),
    },
    tasks: taskRows,
  };
}

/** Paired per-task comparison of two models' (or cells') resolved rates over the tasks both scored. */
export function compareModels(a: ModelMetrics, b: ModelMetrics): ModelPairComparison {
  const tasksOf = (model: ModelMetrics) =>
    new Map(model.tasks.filter((task) => task.resolvedRate !== null).map((task) => [task.taskId, task]));
  const tasksA = tasksOf(a);
  const tasksB = tasksOf(b);
  const shared = [...tasksA.keys()].filter((taskId) => tasksB.has(taskId)).sort();
  const pairsOf = (tasks: typeof tasksA) => shared.map((taskId) => tasks.get(taskId)!);
  // One scored attempt per task on both sides: binary outcomes, so the exact test is McNemar's.
  const singleAttempt = [...pairsOf(tasksA), ...pairsOf(tasksB)].every((task) => task.scored === 1);
  const result = pairedComparison(
    pairsOf(tasksA).map((task) => task.resolvedRate as number),
    pairsOf(tasksB).map((task) => task.resolvedRate as number),
    { singleAttempt },
  );
  return {
    modelA: a.modelId,
    modelB: b.modelId,
    comparison: {
      ...result,
      meanDifference: finiteOrNull(result.meanDifference),
      standardError: shared.length < 2 ? null : finiteOrNull(result.standardError),
      pValue: finiteOrNull(result.pValue),
    },
  };
}

function computeBreakEven(models: ModelMetrics[]): BreakEvenMetrics[] {
  const rows: BreakEvenMetrics[] = [];
  for (const local of models.filter((model) => model.cost.kind === 'local')) {
    for (const api of models.filter((model) => model.cost.kind === 'api')) {
      const base = { localModel: local.modelId, apiModel: api.modelId };
      const hardwareUsd = local.cost.local?.hardwareUsd ?? null;
      if (hardwareUsd === null) {
        rows.push({
          ...base,
          resolvedTasks: null,
          reason: 'set localCost.hardwareUsd for this model to compute a break-even volume',
        });
      } else if (local.cost.perResolvedTaskUsd === null || api.cost.perResolvedTaskUsd === null) {
        rows.push({
          ...base,
          resolvedTasks: null,
          reason: 'no cost per resolved task: one of the models resolved no task',
        });
      } else {
        rows.push({
          ...base,
          ...breakEvenVolume(hardwareUsd, local.cost.perResolvedTaskUsd, api.cost.perResolvedTaskUsd),
        });
      }
    }
  }
  return rows;
}

/**
 * Computes the metrics of a run. Scores count finished attempts only: attempts that ended on an infrastructure
 * error are excluded and counted apart; an `invalid` grade or a missing grade counts as not resolved. pass@k and
 * pass^k use the unbiased estimators over tasks with a scored attempt, for k up to the fewest scored attempts of
 * such a task. Deterministic: the same input always gives the same object.
 */
export function computeRunMetrics(input: RunMetricsInput): RunMetrics {
  const { eventsByAttempt, ...rest } = input;
  const summariesByAttempt = new Map<string, AttemptEventSummary>();
  for (const [attemptId, events] of eventsByAttempt)
    summariesByAttempt.set(attemptId, summarizeAttemptEvents(events));
  return computeRunMetricsFromSummaries({ ...rest, summariesByAttempt });
}

/**
 * `computeRunMetrics` on transcripts already summarized attempt by attempt: the same figures, with memory for one
 * summary per attempt rather than every event of the run. Attempts are grouped by model and task once (no list is
 * filtered again per model or task), so the work grows linearly with the attempts.
 */
export function computeRunMetricsFromSummaries(input: RunSummaryInput): RunMetrics {
  const agent = agentLabelOfStoredConfig(input.run.config);
  const labels = shortModelLabels(input.models, agent);
  const sortedTasks = [...input.tasks].sort((a, b) => a.taskId.localeCompare(b.taskId));
  const context: RunContext = {
    input,
    sortedTasks,
    multiTurnTasks: new Set(input.tasks.filter((task) => task.multiTurn).map((task) => task.taskId)),
  };
  const attemptsByModel = groupBy(input.attempts, (attempt) => attempt.modelId);
  const models = [...input.models]
    .sort((a, b) => a.modelId.localeCompare(b.modelId))
    .map((model) =>
      computeModelMetrics(
        { ...model, label: labels.get(model.modelId) ?? model.label },
        attemptsByModel.get(model.modelId) ?? [],
        context,
      ),
    );
  const comparisons: ModelPairComparison[] = [];
  for (let first = 0; first < models.length; first++) {
    for (let second = first + 1; second < models.length; second++) {
      comparisons.push(compareModels(models[first], models[second]));
    }
  }
  return {
    schemaVersion: RUN_METRICS_SCHEMA_VERSION,
    run: {
      id: input.run.id,
      createdAt: input.run.createdAt,
      finishedAt: input.run.finishedAt,
      status: input.run.status,
      configHash: input.run.configHash,
      priceTableVersion: input.priceTable.version,
      agent,
    },
    simulated: models.some((model) => model.simulated),
    tasks: sortedTasks.map((task) => ({ taskId: task.taskId, suite: task.suite, multiTurn: task.multiTurn })),
    models,
    comparisons,
    breakEven: computeBreakEven(models),
  };
}
