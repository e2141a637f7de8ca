import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { countStoreQueries } from '../../test-support/count-store-queries.ts';
import { seedViewerStore } from '../../test-support/seed-viewer-store.ts';
import { openStore, type Store } from '../store/store.ts';
import type { TranscriptEvent } from '../transcript/events.ts';
import { computeRunMetrics } from './compute-run-metrics.ts';
import { loadRunMetrics, localCostsOfConfig, priceTableOfConfig } from './load-run-metrics.ts';

const directories: string[] = [];
const stores: Store[] = [];

/** A store with a run of 2 models × `tasks` tasks × `perCell` attempts, one attempt left pending. */
function seededStore(tasks: number, perCell: number): { store: Store; runId: string } {
  const directory = mkdtempSync(path.join(tmpdir(), 'load-run-metrics-'));
  directories.push(directory);
  const store = openStore(directory);
  stores.push(store);
  const { runId } = seedViewerStore(store, {
    taskIds: Array.from({ length: tasks }, (_, index) => `task-${index}`),
    attemptsPerCell: perCell,
    pendingAttempts: 1,
  });
  return { store, runId };
}

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('loadRunMetrics', () => {
  it('gives exactly the figures of computeRunMetrics over every stored event of every attempt', () => {
    const { store, runId } = seededStore(4, 3);
    const run = store.getRun(runId)!;
    const attempts = store.attempts(runId);
    const eventsByAttempt = new Map<string, TranscriptEvent[]>(
      attempts.map((attempt) => [attempt.id, store.events(attempt.id)]),
    );
    const fromAllEvents = computeRunMetrics({
      run,
      models: store.runModels(runId),
      tasks: store.runTasks(runId),
      attempts,
      eventsByAttempt,
      priceTable: priceTableOfConfig(run.config),
      localCosts: localCostsOfConfig(run.config),
    });
    const streamed = loadRunMetrics(store, runId);
    expect(streamed).toEqual(fromAllEvents);
    expect(JSON.stringify(streamed)).toBe(JSON.stringify(fromAllEvents));
    // The seeded transcripts do reach the figures: calls, a recovery, tokens and steps.
    const model = streamed.models[0]!;
    expect(model.toolCalls.total).toBeGreaterThan(0);
    expect(model.toolCalls.recoveries).toBeGreaterThan(0);
    expect(model.tokens.input).toBeGreaterThan(0);
    expect(model.stepsPerTask.count).toBeGreaterThan(0);
  });

  it('reads a run in a fixed number of queries however many attempts and tasks it holds', async () => {
    const small = seededStore(2, 2);
    const large = seededStore(6, 5);
    const countsOf = async ({ store, runId }: { store: Store; runId: string }) => {
      const { result, counts } = await countStoreQueries(store, () => loadRunMetrics(store, runId));
      return { attempts: result.models.reduce((sum, model) => sum + model.attempts.total, 0), counts };
    };
    const smallCounts = await countsOf(small);
    const largeCounts = await countsOf(large);
    expect(smallCounts.attempts).toBe(8);
    expect(largeCounts.attempts).toBe(60);
    expect(largeCounts.counts.executed).toBeGreaterThan(0);
    expect(largeCounts.counts).toEqual(smallCounts.counts);
  });
});
