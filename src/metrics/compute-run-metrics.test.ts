import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_MODEL, LOCAL_MODEL, writeSyntheticRun } from '../../test-support/synthetic-run.ts';
import { BUILT_IN_PRICE_TABLE } from '../providers/price-table.ts';
import { openStore, type Store } from '../store/store.ts';
import { computeRunMetrics } from './compute-run-metrics.ts';
import { loadRunMetrics, localCostsOfConfig, RunNotFoundError, resolveRunId } from './load-run-metrics.ts';
import type { RunMetrics } from './run-metrics.ts';
import { standardDeviation } from './statistics.ts';
import { taskClusteredInterval } from './task-clustered-interval.ts';

let directory: string;
let store: Store;
let metrics: RunMetrics;
const modelOf = (modelId: string) => {
  const model = metrics.models.find((entry) => entry.modelId === modelId);
  if (!model) throw new Error(`no model ${modelId}`);
  return model;
};

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'shakedown-metrics-'));
  store = openStore(directory);
  metrics = loadRunMetrics(store, writeSyntheticRun(store));
});
afterAll(() => {
  store.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('computeRunMetrics on a synthetic run', () => {
  it('counts attempts and excludes infrastructure errors from the scores', () => {
    const local = modelOf(LOCAL_MODEL);
    expect(local.attempts).toMatchObject({ total: 20, scored: 19, infrastructureErrors: 1, incomplete: 0 });
    expect(local.resolved.successes).toBe(9);
    expect(local.resolved.trials).toBe(19);
    expect(local.resolved.rate).toBeCloseTo(9 / 19, 12);
    expect(local.resolved.low).toBeLessThan(9 / 19);
    expect(local.resolved.high).toBeGreaterThan(9 / 19);
    expect(local.tasks.find((task) => task.taskId === 't4')).toMatchObject({
      scored: 3,
      resolved: 1,
      infrastructureErrors: 1,
    });
    const api = modelOf(API_MODEL);
    expect(api.attempts).toMatchObject({ scored: 20, infrastructureErrors: 0, invalidGrades: 1 });
    expect(api.resolved.rate).toBe(14 / 20);
  });

  it('takes the task as the unit of the resolved-rate interval when tasks have several attempts', () => {
    const local = modelOf(LOCAL_MODEL);
    const perTask = local.tasks.map((task) => ({ attempts: task.scored, successes: task.resolved }));
    const expected = taskClusteredInterval(perTask);
    expect(local.resolved).toMatchObject({
      method: 'wilson-task-clustered',
      low: expected?.low,
      high: expected?.high,
      effectiveTrials: expected?.effectiveTrials,
    });
    expect(local.resolved.effectiveTrials).toBeGreaterThanOrEqual(5);
    expect(local.resolved.effectiveTrials).toBeLessThanOrEqual(19);
  });

  it('computes unbiased pass@k and pass^k for k up to the fewest scored attempts per task', () => {
    const local = modelOf(LOCAL_MODEL);
    // Tasks (n, c): (4,4) (4,2) (4,0) (3,1) (4,2).
    expect(local.minimumAttemptsPerTask).toBe(3);
    expect(local.passAtK.map((row) => row.k)).toEqual([1, 2, 3]);
    expect(local.passAtK[0].passAtK).toBeCloseTo((1 + 0.5 + 0 + 1 / 3 + 0.5) / 5, 12);
    expect(local.passAtK[1].passAtK).toBeCloseTo((1 + 5 / 6 + 0 + 2 / 3 + 5 / 6) / 5, 12);
    expect(local.passAtK[2].passAtK).toBeCloseTo(4 / 5, 12);
    expect(local.passAtK[1].passHatK).toBeCloseTo((1 + 1 / 6 + 0 + 0 + 1 / 6) / 5, 12);
    expect(local.passAtK[2].passHatK).toBeCloseTo(1 / 5, 12);
    const api = modelOf(API_MODEL);
    // Tasks (n, c): (4,4) (4,4) (4,1) (4,2) (4,3).
    expect(api.passAtK.map((row) => row.k)).toEqual([1, 2, 3, 4]);
    expect(api.passAtK[1].passAtK).toBeCloseTo((1 + 1 + 0.5 + 5 / 6 + 1) / 5, 12);
    expect(api.passAtK[1].passHatK).toBeCloseTo((1 + 1 + 0 + 1 / 6 + 0.5) / 5, 12);
    expect(api.passAtK[3]).toMatchObject({ passAtK: 1 });
    expect(api.passAtK[3].passHatK).toBeCloseTo(2 / 5, 12);
  });

  it('reports mean ± SEM of the resolved rate over repetitions (attempt indexes)', () => {
    const local = modelOf(LOCAL_MODEL);
    const rates = [0.8, 0.4, 0.4, 0.25];
    expect(local.repetitions.perRepetition.map((row) => row.resolvedRate)).toEqual(rates);
    expect(local.repetitions.perRepetition[3].scored).toBe(4);
    expect(local.repetitions.resolvedRate.mean).toBeCloseTo(0.4625, 12);
    expect(local.repetitions.resolvedRate.standardError).toBeCloseTo(standardDeviation(rates) / 2, 12);
    expect(local.partialScoreMean).toBeCloseTo(14 / 19, 12);
    expect(modelOf(API_MODEL).partialScoreMean).toBeCloseTo(16.5 / 19, 12);
  });

  it('classifies tool calls, recovered calls and recovery after an invalid call', () => {
    const local = modelOf(LOCAL_MODEL);
    expect(local.toolCalls.total).toBe(69);
    expect(local.toolCalls.byValidity).toEqual({
      valid: 39,
      format: 0,
      'unknown-tool': 10,
      schema: 10,
      'execution-error': 10,
    });
    expect(local.toolCalls.validShare).toBeCloseTo(39 / 69, 12);
    expect(local.toolCalls.recovered).toBe(20);
    expect(local.toolCalls.recoveredShare).toBeCloseTo(20 / 69, 12);
    expect(local.toolCalls.textProtocolShare).toBe(0);
    expect(local.toolCalls).toMatchObject({ recoveryOpportunities: 20, recoveries: 10, recoveryRate: 0.5 });
    expect(modelOf(API_MODEL).toolCalls).toMatchObject({ total: 58, recovered: 0 });
  });

  it('measures retention on multi-turn tasks', () => {
    expect(modelOf(LOCAL_MODEL).retention).toMatchObject({
      attempts: 4,
      constraintsKept: 8,
      constraintsTotal: 12,
      resolved: { successes: 2, trials: 4, rate: 0.5 },
    });
    expect(modelOf(API_MODEL).retention.retention).toBeCloseTo(10 / 12, 12);
  });

  it('summarizes steps, latency percentiles with their sources, and the wall-time split', () => {
    const local = modelOf(LOCAL_MODEL);
    expect(local.stepsPerTask).toMatchObject({ count: 19, p50: 4 });
    expect(local.stepsPerTask.mean).toBeCloseTo(58 / 19, 12);
    // TTFT: 20 × 200, 19 × 300, 10 × 400, 10 × 500 ms.
    expect(local.latency.timeToFirstTokenMs).toMatchObject({
      count: 59,
      p50: 300,
      p95: 500,
      measured: 59,
      serverReported: 0,
    });
    expect(local.latency.decodeTokensPerSecond).toMatchObject({ p50: 40, serverReported: 59 });
    const api = modelOf(API_MODEL);
    expect(api.latency.prefillTokensPerSecond).toMatchObject({ count: 0, p50: null, unavailable: 52 });
    expect(api.latency.decodeTokensPerSecond).toMatchObject({ p50: 60, measured: 52 });
    expect(local.latency.split).toMatchObject({ modelMs: 118_000, toolMs: 6900, testMs: 57_000 });
    expect(local.latency.split.modelShare).toBeCloseTo(118_000 / (118_000 + 6900 + 57_000), 12);
  });

  it('totals tokens and prices API and local models', () => {
    const local = modelOf(LOCAL_MODEL);
    expect(local.tokens).toMatchObject({ input: 59_000, output: 5900, cachedInput: 0 });
    expect(local.tokens.totalPerResolvedTask).toBeCloseTo(64_900 / 9, 9);
    expect(local.cost.kind).toBe('local');
    expect(local.cost.totalUsd).toBeCloseTo((118 / 3600) * 0.36, 12);
    expect(local.cost.perResolvedTaskUsd).toBeCloseTo(((118 / 3600) * 0.36) / 9, 12);
    const api = modelOf(API_MODEL);
    // 52 steps × (1000 × $1.10 + 1000 × $0.55 + 200 × $4.40) / 1e6.
    const apiTotal = (52 * 2530) / 1e6;
    expect(api.cost.kind).toBe('api');
    expect(api.cost.totalUsd).toBeCloseTo(apiTotal, 12);
    expect(api.cost.perResolvedTaskUsd).toBeCloseTo(apiTotal / 14, 12);
    expect(api.cost.api).toMatchObject({
      priceTableVersion: BUILT_IN_PRICE_TABLE.version,
      source: 'OpenAI API pricing page',
    });
    expect(api.cost.basis).toContain(
      '(OpenAI API pricing page https://developers.openai.com/api/docs/pricing, ',
    );
    expect(api.cost.basis).toContain(`prompt cache used: ${52 * 1000} tokens read, 0 written`);
    expect(metrics.breakEven).toEqual([
      {
        localModel: LOCAL_MODEL,
        apiModel: API_MODEL,
        resolvedTasks: Math.ceil(1000 / (apiTotal / 14 - ((118 / 3600) * 0.36) / 9)),
        reason: expect.stringContaining('saves'),
      },
    ]);
  });

  it('compares models paired per task and counts failure classes', () => {
    expect(metrics.comparisons).toHaveLength(1);
    const { comparison, modelA, modelB } = metrics.comparisons[0];
    expect([modelA, modelB]).toEqual([LOCAL_MODEL, API_MODEL]);
    expect(comparison).toMatchObject({ pairs: 5, wins: 0, losses: 4, ties: 1 });
    expect(comparison.meanDifference).toBeCloseTo((0 - 0.5 - 0.25 + (1 / 3 - 0.5) - 0.25) / 5, 12);
    // Four non-zero differences of three sizes, all one way: exact permutation test, 2 of 2^4 sign flips.
    expect(comparison).toMatchObject({ method: 'exact-permutation', pValue: 0.125, tooFewToTell: true });
    expect(comparison.interval).toBeNull();
    expect(modelOf(LOCAL_MODEL).failures.outcomes).toEqual({
      'context-exceeded': 1,
      'infrastructure-error': 1,
      resolved: 9,
      'step-limit': 4,
      'wrong-fix': 5,
    });
    expect(modelOf(API_MODEL).failures.outcomes).toEqual({
      'format-errors': 2,
      'invalid-grade': 1,
      'no-submission': 1,
      resolved: 14,
      'wrong-fix': 2,
    });
    expect(modelOf(API_MODEL).failures.gradeStatuses).toEqual({ invalid: 1, resolved: 14, unresolved: 5 });
  });

  it('flags simulated models and the run', () => {
    expect(metrics.simulated).toBe(true);
    expect(modelOf(API_MODEL).simulated).toBe(true);
    expect(modelOf(LOCAL_MODEL).simulated).toBe(false);
  });

  it('is deterministic and survives a JSON round trip unchanged (no NaN)', () => {
    const again = loadRunMetrics(store, metrics.run.id);
    expect(JSON.stringify(again)).toBe(JSON.stringify(metrics));
    expect(JSON.parse(JSON.stringify(metrics))).toEqual(metrics);
  });
});

describe('computeRunMetrics edge cases', () => {
  it('gives nulls, not NaN, for a model without attempts and explains a missing price', () => {
    const result = computeRunMetrics({
      run: {
        id: 'r',
        createdAt: '2026-01-01T00:00:00.000Z',
        finishedAt: null,
        status: 'running',
        configHash: 'h',
      },
      models: [{ modelId: 'custom:unknown', label: 'unknown', provider: 'custom', simulated: false }],
      tasks: [{ taskId: 'a', suite: null, multiTurn: false }],
      attempts: [
        {
          id: 'x',
          modelId: 'custom:unknown',
          taskId: 'a',
          attemptIndex: 0,
          status: 'pending',
          agentStatus: null,
          grade: null,
          testMs: null,
        },
      ],
      eventsByAttempt: new Map(),
      priceTable: { version: 'v1', prices: [] },
    });
    const model = result.models[0];
    expect(model.attempts).toMatchObject({ total: 1, scored: 0, incomplete: 1 });
    expect(model.resolved).toEqual({
      rate: null,
      successes: 0,
      trials: 0,
      low: null,
      high: null,
      method: null,
      effectiveTrials: null,
    });
    expect(model.passAtK).toEqual([]);
    expect(model.cost).toMatchObject({ kind: 'unpriced', totalUsd: null });
    expect(model.cost.basis).toContain('no price for custom:unknown');
    expect(model.failures.outcomes).toEqual({ incomplete: 1 });
    expect(JSON.stringify(result)).not.toContain('NaN');
  });

  it('explains a break-even without a hardware price', () => {
    const costs = localCostsOfConfig({
      models: [{ id: 'ollama:a', localCost: { watts: 300, electricityUsdPerKwh: 0.3 } }],
    });
    expect(costs).toEqual({ 'ollama:a': { watts: 300, electricityUsdPerKwh: 0.3 } });
  });

  it('resolves the latest run and names recent runs when one is missing', () => {
    expect(resolveRunId(store, undefined)).toBe(metrics.run.id);
    expect(() => resolveRunId(store, 'run-nope')).toThrow(RunNotFoundError);
    expect(() => resolveRunId(store, 'run-nope')).toThrow(/recent runs: run-20261126-120000-test/);
  });
});
