/**
 * The `shakedown view` web app: a JSON API over the SQLite store and the static UI built from `src/viewer/ui`.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { databasePathOf, openStore, type Store } from '../store/store.ts';
import { agentComparisonView } from './agent-comparison-view.ts';
import type { FailureClass } from './api-types.ts';
import { FAILURE_CLASSES } from './failure-class.ts';
import { leaderboardOf } from './leaderboard.ts';
import { LIVE_POLL_MS, streamRunProgress } from './live-progress-stream.ts';
import { readStaticFile } from './static-files.ts';
import {
  attemptDetail,
  DEFAULT_ATTEMPTS_PAGE,
  DEFAULT_MATRIX_PAGE,
  DEFAULT_RUNS_PAGE,
  listRunItems,
  MAX_ATTEMPTS_PAGE,
  MAX_MATRIX_PAGE,
  MAX_RUNS_PAGE,
  pageAttemptItems,
  pageRunItems,
  RunMetricsCache,
  runDetail,
  runItem,
  runMatrix,
} from './viewer-queries.ts';

/** Options of `createViewerApp`. */
export interface ViewerAppOptions {
  store: Store;
  /** The built UI; without it only the API is served. */
  distDir?: string;
  /** Poll interval of the live stream (default 500 ms). */
  livePollMs?: number;
}

/** A non-negative integer query parameter (at most `max`), its default when absent, or an error message. */
function countParameter(
  name: string,
  value: string | undefined,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number | string {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > max)
    return `${name} must be an integer from 0 to ${max}, got ${JSON.stringify(value)}`;
  return parsed;
}

/** The `offset` and `limit` query parameters of a paged list, or the error to answer. */
function pageParameters(
  offsetValue: string | undefined,
  limitValue: string | undefined,
  limits: { fallback: number; max: number },
): { offset: number; limit: number } | { error: string } {
  const offset = countParameter('offset', offsetValue, 0);
  const limit = countParameter('limit', limitValue, limits.fallback, limits.max);
  if (typeof offset === 'string') return { error: offset };
  if (typeof limit === 'string') return { error: limit };
  return { offset, limit };
}

function listParameter(value: string | undefined): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * The viewer's hono app. API: `GET /api/runs?offset=&limit=` (one page of at most 1,000 runs, newest first, 100 by
 * default, with the count of all), `/api/leaderboard`, `/api/runs/:id`,
 * `/api/runs/:id/matrix?offset=&limit=` (one page of at most 1,000 tasks, 100 by default, with the count of all),
 * `/api/runs/:id/attempts?status=&failure=&outcome=&model=&task=&offset=&limit=` (comma lists are alternatives; one
 * page of at most 1,000 attempts, 100 by default, with the count of all that match),
 * `/api/runs/:id/agents` (the run's model × agent cells side by side, with paired per-task comparisons),
 * `/api/attempts/:id` and the server-sent event stream `/api/runs/:id/live`; everything else is the static UI.
 */
export function createViewerApp(options: ViewerAppOptions): Hono {
  const { store } = options;
  const metricsCache = new RunMetricsCache(store);
  const app = new Hono();
  const notFound = (what: string) => ({ error: `not found: ${what}` });

  app.onError((error, context) => context.json({ error: error.message }, 500));

  app.get('/api/runs', (context) => {
    const page = pageParameters(context.req.query('offset'), context.req.query('limit'), {
      fallback: DEFAULT_RUNS_PAGE,
      max: MAX_RUNS_PAGE,
    });
    if ('error' in page) return context.json(page, 400);
    return context.json(pageRunItems(store, page));
  });
  app.get('/api/leaderboard', (context) => context.json(leaderboardOf(listRunItems(store))));
  app.get('/api/runs/:id', (context) => {
    const detail = runDetail(store, context.req.param('id'), metricsCache);
    return detail ? context.json(detail) : context.json(notFound(`run ${context.req.param('id')}`), 404);
  });
  app.get('/api/runs/:id/matrix', (context) => {
    const runId = context.req.param('id');
    if (!store.getRun(runId)) return context.json(notFound(`run ${runId}`), 404);
    const page = pageParameters(context.req.query('offset'), context.req.query('limit'), {
      fallback: DEFAULT_MATRIX_PAGE,
      max: MAX_MATRIX_PAGE,
    });
    if ('error' in page) return context.json(page, 400);
    return context.json(runMatrix(store, runId, page));
  });
  app.get('/api/runs/:id/agents', (context) => {
    const metrics = metricsCache.get(context.req.param('id'));
    if (!metrics) return context.json(notFound(`run ${context.req.param('id')}`), 404);
    return context.json(agentComparisonView(metrics));
  });
  app.get('/api/runs/:id/attempts', (context) => {
    const runId = context.req.param('id');
    if (!store.getRun(runId)) return context.json(notFound(`run ${runId}`), 404);
    const failure = listParameter(context.req.query('failure'));
    const unknown = failure?.filter((entry) => !(FAILURE_CLASSES as readonly string[]).includes(entry));
    if (unknown && unknown.length > 0) {
      return context.json(
        { error: `unknown failure class ${unknown.join(', ')} (one of ${FAILURE_CLASSES.join(', ')})` },
        400,
      );
    }
    const page = pageParameters(context.req.query('offset'), context.req.query('limit'), {
      fallback: DEFAULT_ATTEMPTS_PAGE,
      max: MAX_ATTEMPTS_PAGE,
    });
    if ('error' in page) return context.json(page, 400);
    return context.json(
      pageAttemptItems(
        store,
        runId,
        {
          status: listParameter(context.req.query('status')),
          failureClass: failure as FailureClass[] | undefined,
          outcome: listParameter(context.req.query('outcome')),
          modelId: context.req.query('model') || undefined,
          taskId: context.req.query('task') || undefined,
        },
        page,
      ),
    );
  });
  app.get('/api/runs/:id/live', (context) => {
    const runId = context.req.param('id');
    if (!runItem(store, runId)) return context.json(notFound(`run ${runId}`), 404);
    return streamRunProgress(context, store, runId, options.livePollMs ?? LIVE_POLL_MS);
  });
  app.get('/api/attempts/:id', (context) => {
    const detail = attemptDetail(store, context.req.param('id'));
    return detail ? context.json(detail) : context.json(notFound(`attempt ${context.req.param('id')}`), 404);
  });
  app.all('/api/*', (context) => context.json(notFound(context.req.path), 404));

  app.get('*', async (context) => {
    if (!options.distDir) return context.text('The viewer UI is not built.', 404);
    const file = await readStaticFile(options.distDir, context.req.path);
    if (!file) return context.text('Not found', 404);
    return context.body(new Uint8Array(file.body), 200, {
      'content-type': file.contentType,
      'cache-control': 'no-cache',
    });
  });
  return app;
}

/** Options of `startViewerServer`. */
export interface StartViewerOptions {
  /** Data directory (or `.db` file) of the store. */
  dataDir: string;
  /** Default 127.0.0.1 (local only). */
  host?: string;
  /** Default 4173; 0 picks a free port. */
  port?: number;
  /** Built UI folder (default `dist/viewer`, built on demand). */
  distDir?: string;
  livePollMs?: number;
}

/** A running viewer. */
export interface ViewerServer {
  url: string;
  port: number;
  store: Store;
  close(): Promise<void>;
}

/** Default port of `shakedown view`. */
export const DEFAULT_VIEWER_PORT = 4173;

/** Builds the UI when needed, opens the store and starts the viewer's HTTP server. */
export async function startViewerServer(options: StartViewerOptions): Promise<ViewerServer> {
  const databasePath = databasePathOf(options.dataDir);
  if (!existsSync(databasePath)) {
    throw new Error(
      `no store at ${databasePath}: start a run with \`npx shakedown run\`, or pass --data-dir (\`npx shakedown demo\` keeps its runs in --data-dir .shakedown-demo)`,
    );
  }
  // Loaded on demand: building the UI needs vite, which the API alone (and its memory) does without.
  const { ensureViewerUi } = await import('./build-viewer-ui.ts');
  const distDir = await ensureViewerUi(options.distDir);
  const store = openStore(options.dataDir);
  const app = createViewerApp({ store, distDir, livePollMs: options.livePollMs });
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve(
      { fetch: app.fetch, port: options.port ?? DEFAULT_VIEWER_PORT, hostname: host },
      () => resolve(started),
    );
    started.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    port,
    store,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => {
          store.close();
          resolve();
        });
      }),
  };
}
