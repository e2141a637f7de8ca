/**
 * Acceptance test of "Runs, store, metrics and reports: the main job end to end": an end-to-end run of the built-in
 * suite against scripted agents with known true pass rates measures exactly those rates.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computeGoldSolutions,
  createOracleAgent,
  type GoldSolution,
  oracleSolves,
} from '../../test-support/gold-patch-agent.ts';
import { createScriptedClient } from '../../test-support/scripted-client.ts';
import { loadRunMetrics } from '../metrics/load-run-metrics.ts';
import { passAtK, passHatK } from '../metrics/pass-at-k.ts';
import { renderMarkdownReport } from '../report/render-markdown-report.ts';
import { openStore, type Store } from '../store/index.ts';
import { loadSuite } from '../task/load-suite.ts';
import type { Task } from '../task/task.ts';
import { type ModelConfig, shakedownConfigSchema } from './config.ts';
import { type ClientFactory, executeRun } from './execute-run.ts';

const SUITE_DIRECTORY = path.resolve(import.meta.dirname, '../../suites/core');
/** Attempts per task. */
const K = 2;
/** The share of (task, attempt) cells each oracle solves. */
const SOLVE_PROBABILITY: Record<string, number> = {
  'simulated:oracle-a': 0.7,
  'simulated:oracle-b': 0.3,
};
const models: ModelConfig[] = Object.keys(SOLVE_PROBABILITY).map((id) => ({ id, protocol: 'native' }));

let directory: string;
let store: Store;
let tasks: Task[];
let solutions: Map<string, GoldSolution>;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'shakedown-built-in-e2e-'));
  store = openStore(path.join(directory, 'data'));
  const suite = await loadSuite(SUITE_DIRECTORY);
  expect(suite.errors.map((error) => error.message)).toEqual([]);
  tasks = suite.tasks;
  solutions = await computeGoldSolutions(tasks);
}, 120_000);

afterAll(async () => {
  store?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

function solved(modelId: string, taskId: string, attemptIndex: number): boolean {
  return oracleSolves(modelId, taskId, attemptIndex, SOLVE_PROBABILITY[modelId]!);
}

describe('the built-in suite end to end', () => {
  it('measures exactly the known pass rates of scripted oracle agents', { timeout: 600_000 }, async () => {
    expect(tasks.length).toBeGreaterThanOrEqual(20);
    expect(tasks.some((task) => task.turns.length > 0 && task.constraints.length > 0)).toBe(true);

    const factory: ClientFactory = (model, request) => {
      if (request.purpose === 'describe') return createScriptedClient([], { id: model.id });
      return createOracleAgent(solutions, solved(model.id, request.taskId!, request.attemptIndex!), {
        id: model.id,
      });
    };
    const started = performance.now();
    const result = await executeRun({
      // Sandbox 'none' (explicit): the oracle only runs trusted gold files and the suite's own tests, and a
      // bubblewrap/container sandbox per attempt would multiply this test's CI time; sandboxing is covered by the
      // sandbox tests.
      config: shakedownConfigSchema.parse({ attempts: K, concurrency: 2, sandbox: 'none' }),
      models,
      tasks,
      store,
      dataDir: path.join(directory, 'data'),
      clientFactory: factory,
    });
    const wallSeconds = (performance.now() - started) / 1000;
    console.info(
      `built-in suite e2e: ${tasks.length} tasks x ${models.length} models x ${K} attempts in ${wallSeconds.toFixed(1)} s`,
    );

    expect(result.status).toBe('completed');
    const attempts = store.attempts(result.runId);
    expect(attempts).toHaveLength(tasks.length * models.length * K);

    // Every cell: finished, graded (never invalid), and resolved exactly when the oracle solved it.
    const mismatches: string[] = [];
    for (const attempt of attempts) {
      const expected = solved(attempt.modelId, attempt.taskId, attempt.attemptIndex)
        ? 'resolved'
        : 'unresolved';
      if (attempt.status !== 'finished' || attempt.gradeStatus !== expected) {
        mismatches.push(
          `${attempt.modelId} ${attempt.taskId}#${attempt.attemptIndex}: ${attempt.status}/${attempt.agentStatus}/` +
            `${attempt.gradeStatus}, expected ${expected}: ${attempt.error ?? attempt.grade?.reason ?? ''}`,
        );
      }
    }
    expect(mismatches).toEqual([]);
    expect(attempts.filter((attempt) => attempt.gradeStatus === 'invalid')).toEqual([]);
    expect(new Set(attempts.map((attempt) => attempt.agentStatus))).toEqual(new Set(['submitted']));

    // Multi-turn tasks: a solved cell keeps every constraint set in the first turn.
    const tasksById = new Map(tasks.map((task) => [task.id, task]));
    let constrainedCells = 0;
    for (const attempt of attempts) {
      const task = tasksById.get(attempt.taskId)!;
      if (task.turns.length === 0 || task.constraints.length === 0 || !attempt.resolved) continue;
      constrainedCells++;
      expect(attempt.constraintsTotal, attempt.id).toBe(task.constraints.length);
      expect(attempt.constraintsKept, `${attempt.id}: ${JSON.stringify(attempt.grade?.constraints)}`).toBe(
        task.constraints.length,
      );
    }
    expect(constrainedCells).toBeGreaterThan(0);

    // Stored counts and the metrics equal the known truth, computed by hand.
    const metrics = loadRunMetrics(store, result.runId);
    for (const model of models) {
      const perTask = tasks.map((task) => ({
        taskId: task.id,
        successes: Array.from({ length: K }, (_, index) => index).filter((index) =>
          solved(model.id, task.id, index),
        ).length,
      }));
      const truth = perTask.reduce((sum, task) => sum + task.successes, 0);
      const cells = tasks.length * K;
      expect(
        attempts.filter((attempt) => attempt.modelId === model.id && attempt.resolved === true),
        model.id,
      ).toHaveLength(truth);

      const measured = metrics.models.find((entry) => entry.modelId === model.id)!;
      expect(measured.simulated).toBe(true);
      expect(measured.attempts).toMatchObject({
        total: cells,
        scored: cells,
        infrastructureErrors: 0,
        invalidGrades: 0,
      });
      expect(measured.resolved).toMatchObject({ successes: truth, trials: cells });
      expect(measured.resolved.rate).toBeCloseTo(truth / cells, 12);
      expect(measured.minimumAttemptsPerTask).toBe(K);
      expect(measured.passAtK.map((row) => row.k)).toEqual([1, 2]);
      for (const row of measured.passAtK) {
        const expectedPassAtK =
          perTask.reduce((sum, task) => sum + passAtK(K, task.successes, row.k), 0) / tasks.length;
        const expectedPassHatK =
          perTask.reduce((sum, task) => sum + passHatK(K, task.successes, row.k), 0) / tasks.length;
        expect(row.passAtK, `${model.id} pass@${row.k}`).toBeCloseTo(expectedPassAtK, 12);
        expect(row.passHatK, `${model.id} pass^${row.k}`).toBeCloseTo(expectedPassHatK, 12);
      }
      // The known rates sit near the oracle's probability (sanity of the hash, not of the measurement).
      expect(Math.abs(truth / cells - SOLVE_PROBABILITY[model.id]!)).toBeLessThan(0.2);
    }
    expect(metrics.simulated).toBe(true);

    const markdown = renderMarkdownReport(metrics);
    expect(markdown).toContain('**SIMULATED**');
    expect(markdown).toContain('oracle-a');
    expect(markdown).toContain('oracle-b');
  });
});
