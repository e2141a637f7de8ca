import { describe, expect, it } from 'vitest';
import type { RunListItem, RunModelRow } from './api-types.ts';
import { leaderboardOf } from './leaderboard.ts';
import { resolvedRate } from './run-model-rows.ts';

function model(modelId: string, successes: number, trials: number, label = modelId): RunModelRow {
  return {
    modelId,
    label,
    simulated: false,
    resolved: resolvedRate(
      Array.from({ length: trials }, (_, index) => ({ attempts: 1, successes: index < successes ? 1 : 0 })),
    ),
    done: trials,
    total: trials,
    infrastructureErrors: 0,
  };
}

function run(id: string, agent: string, modelRows: RunModelRow[]): RunListItem {
  const counts = { total: 0, pending: 0, running: 0, finished: 0, infrastructureErrors: 0, resolved: 0 };
  return {
    id,
    createdAt: `2026-11-${id.slice(-2)}T00:00:00.000Z`,
    finishedAt: null,
    status: 'completed',
    simulated: false,
    notes: null,
    agent,
    models: modelRows.length,
    tasks: 1,
    attempts: counts,
    modelRows,
  };
}

describe('leaderboardOf', () => {
  // Newest first, as listRunItems returns runs.
  const runs = [
    run('run-29', 'built-in', [model('a', 0, 0, 'a-newest')]),
    run('run-28', 'built-in', [model('a', 1, 4, 'a-latest'), model('b', 2, 2)]),
    run('run-27', 'built-in', [model('a', 3, 4)]),
    run('run-26', 'built-in', [model('a', 6, 8)]),
    run('run-25', 'external (preset aider)', [model('a', 4, 4, 'a in aider')]),
  ];
  const board = leaderboardOf(runs);
  const entry = (modelId: string, agent = 'built-in') =>
    board.find((candidate) => candidate.modelId === modelId && candidate.agent === agent)!;

  it('keeps one entry per model id and agent, with every run newest first', () => {
    // Ordered by latest rate (100%, 100%, 25%), ties by label.
    expect(board.map((row) => [row.modelId, row.agent])).toEqual([
      ['a', 'external (preset aider)'],
      ['b', 'built-in'],
      ['a', 'built-in'],
    ]);
    const a = entry('a');
    expect(a.runs.map((entry) => entry.runId)).toEqual(['run-29', 'run-28', 'run-27', 'run-26']);
  });

  it('takes the newest scored run as latest, and the best rate with more scored attempts breaking ties', () => {
    const a = entry('a');
    expect(a.latest.runId).toBe('run-28');
    expect(a.label).toBe('a-latest');
    // run-27 (3/4) and run-26 (6/8) tie at 75%: the one with more scored attempts wins.
    expect(a.best?.runId).toBe('run-26');
    expect(entry('a', 'external (preset aider)').best?.resolved).toMatchObject({ rate: 1, trials: 4 });
  });

  it('has no best and keeps the newest run as latest when nothing was scored', () => {
    const [only] = leaderboardOf([run('run-30', 'built-in', [model('c', 0, 0)])]);
    expect(only).toMatchObject({ best: null, latest: { runId: 'run-30' } });
    expect(only!.latest.resolved.rate).toBeNull();
  });
});
