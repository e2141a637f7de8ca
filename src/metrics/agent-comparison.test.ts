import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_MODEL, writeSyntheticRun } from '../../test-support/synthetic-run.ts';
import { renderAgentComparisonMarkdown } from '../report/render-agent-comparison.ts';
import { openStore } from '../store/store.ts';
import { compareAgents } from './agent-comparison.ts';
import { loadRunMetrics } from './load-run-metrics.ts';
import type { RunMetrics } from './run-metrics.ts';

const directory = mkdtempSync(path.join(os.tmpdir(), 'shakedown-agent-comparison-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function metricsOf(agent: string, runId: string, taskIds?: string[]): RunMetrics {
  const store = openStore(path.join(directory, runId));
  try {
    const id = writeSyntheticRun(store, taskIds ? { taskIds } : {});
    const metrics = loadRunMetrics(store, id);
    // The synthetic run has the built-in agent; the same figures under another agent label stand for a second run.
    return { ...metrics, run: { ...metrics.run, id: runId, agent } };
  } finally {
    store.close();
  }
}

describe('compareAgents', () => {
  it('puts the same model inside different agents side by side, built-in first, each run its own figures', () => {
    const builtIn = metricsOf('built-in', 'run-b');
    const qwen = metricsOf('external (preset qwen-code)', 'run-q');
    const comparison = compareAgents([qwen, builtIn]);
    const local = comparison.rows.filter((row) => row.modelId === LOCAL_MODEL);
    expect(local.map((row) => [row.agent, row.runId])).toEqual([
      ['built-in', 'run-b'],
      ['external (preset qwen-code)', 'run-q'],
    ]);
    const source = builtIn.models.find((model) => model.modelId === LOCAL_MODEL)!;
    expect(local[0]?.resolved).toEqual(source.resolved);
    expect(local[0]?.validToolCallShare).toBe(source.toolCalls.validShare);
    expect(comparison.tasksInSomeRunsOnly).toBe(0);

    const markdown = renderAgentComparisonMarkdown(comparison);
    expect(markdown).toContain('| external (preset qwen-code) | run-q |');
    // The simulated model of the synthetic run is labelled so in every row.
    expect(markdown).toMatch(/o3-mini[^|]*\(SIMULATED\)/);
  });

  it('warns when the runs scored different tasks', () => {
    const comparison = compareAgents([
      metricsOf('built-in', 'run-x'),
      metricsOf('external (preset opencode)', 'run-y', ['t1', 't2']),
    ]);
    expect([comparison.tasksInEveryRun, comparison.tasksInSomeRunsOnly]).toEqual([2, 3]);
    expect(renderAgentComparisonMarkdown(comparison)).toContain('Task sets differ');
  });
});
