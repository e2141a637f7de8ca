/**
 * Viewer load time over a store with one run of 1,000 finished attempts (2 models × 50 tasks × 10 attempts, 15
 * transcript events each): the API calls behind the runs page and then the run page, cold (a fresh app, so the
 * metrics cache is empty) and warm.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../src/run/store/store.ts';
import { seedViewerStore } from '../src/viewer/seed-viewer-store.test-helper.ts';
import { createViewerApp } from '../src/viewer/server.ts';
import { type BenchResult, summarize } from './bench-result.ts';

const RUNS = 7;

/** Seeds the store and times the viewer API; returns one result per measure. */
export default async function viewerLoadBench(): Promise<BenchResult[]> {
  const directory = mkdtempSync(path.join(tmpdir(), 'viewer-bench-'));
  const store = openStore(directory);
  try {
    const { runId, attemptIds } = seedViewerStore(store, {
      runId: 'run-20261126-140000-bench',
      taskIds: Array.from({ length: 50 }, (_, index) => `task-${String(index).padStart(2, '0')}`),
      attemptsPerCell: 10,
    });
    if (attemptIds.length !== 1000) throw new Error(`seeded ${attemptIds.length} attempts, expected 1000`);
    const samples: Record<string, number[]> = {
      runs: [],
      run: [],
      matrix: [],
      attempts: [],
      cold: [],
      warm: [],
    };
    const timed = async (app: ReturnType<typeof createViewerApp>, url: string, key?: string) => {
      const start = performance.now();
      const response = await app.request(url);
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      await response.arrayBuffer();
      const elapsed = performance.now() - start;
      if (key) samples[key]!.push(elapsed);
      return elapsed;
    };
    const pageLoad = async (app: ReturnType<typeof createViewerApp>, record: boolean) => {
      const encoded = encodeURIComponent(runId);
      let total = await timed(app, '/api/runs', record ? 'runs' : undefined);
      const parts = await Promise.all([
        timed(app, `/api/runs/${encoded}`, record ? 'run' : undefined),
        timed(app, `/api/runs/${encoded}/matrix`, record ? 'matrix' : undefined),
        timed(app, `/api/runs/${encoded}/attempts`, record ? 'attempts' : undefined),
      ]);
      total += parts.reduce((sum, part) => sum + part, 0);
      return total;
    };
    await pageLoad(createViewerApp({ store }), false); // warm up the JIT and SQLite page cache
    for (let run = 0; run < RUNS; run++) {
      const app = createViewerApp({ store });
      samples.cold!.push(await pageLoad(app, true));
      samples.warm!.push(await pageLoad(app, false));
    }
    return [
      summarize('1000 attempts: runs page + run page, cold', samples.cold!),
      summarize('1000 attempts: runs page + run page, warm cache', samples.warm!),
      summarize('GET /api/runs', samples.runs!),
      summarize('GET /api/runs/:id (metrics, cold)', samples.run!),
      summarize('GET /api/runs/:id/matrix', samples.matrix!),
      summarize('GET /api/runs/:id/attempts', samples.attempts!),
    ];
  } finally {
    store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
