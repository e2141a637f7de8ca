import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countStoreQueries } from '../../test-support/count-store-queries.ts';
import { seedViewerStore } from '../../test-support/seed-viewer-store.ts';
import { openStore, type Store } from '../store/store.ts';
import { createViewerApp } from './server.ts';

/** A store with a run of 2 models × `tasks` tasks × `perCell` attempts (one pending) and its viewer app. */
function seeded(tasks: number, perCell: number) {
  const directory = mkdtempSync(path.join(tmpdir(), 'viewer-queries-'));
  const store = openStore(directory);
  const { runId, attemptIds } = seedViewerStore(store, {
    taskIds: Array.from({ length: tasks }, (_, index) => `task-${index}`),
    attemptsPerCell: perCell,
    pendingAttempts: 1,
  });
  return { directory, store, runId, attemptIds, app: createViewerApp({ store }) };
}

describe('viewer endpoints', () => {
  let small: ReturnType<typeof seeded>;
  let large: ReturnType<typeof seeded>;
  beforeAll(() => {
    small = seeded(2, 2);
    large = seeded(6, 5);
  });
  afterAll(() => {
    for (const { store, directory } of [small, large]) {
      store.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  /** The queries one request makes, and its status. */
  async function queriesOf(
    subject: { store: Store; app: ReturnType<typeof createViewerApp> },
    url: string,
  ): Promise<{ prepared: number; executed: number; status: number }> {
    const { result, counts } = await countStoreQueries(subject.store, async () => {
      const response = await subject.app.request(url);
      await response.arrayBuffer();
      return response.status;
    });
    return { ...counts, status: result };
  }

  const endpoints: Array<[string, (subject: ReturnType<typeof seeded>) => string]> = [
    ['runs list', () => '/api/runs'],
    ['leaderboard', () => '/api/leaderboard'],
    ['run detail', ({ runId }) => `/api/runs/${runId}`],
    ['run matrix', ({ runId }) => `/api/runs/${runId}/matrix`],
    ['run attempts page', ({ runId }) => `/api/runs/${runId}/attempts?model=simulated:echo&offset=3&limit=4`],
    [
      'run attempts page by failure class',
      ({ runId }) => `/api/runs/${runId}/attempts?failure=grade,agent&offset=3&limit=4`,
    ],
    ['run agents', ({ runId }) => `/api/runs/${runId}/agents`],
    ['attempt detail', ({ attemptIds }) => `/api/attempts/${encodeURIComponent(attemptIds[3]!)}`],
  ];
  it.each(endpoints)('%s makes as many queries for 60 attempts as for 8', async (_name, urlOf) => {
    const smallQueries = await queriesOf(small, urlOf(small));
    const largeQueries = await queriesOf(large, urlOf(large));
    expect(smallQueries.status).toBe(200);
    expect(largeQueries.executed).toBeGreaterThan(0);
    expect(largeQueries).toEqual(smallQueries);
  });
});
