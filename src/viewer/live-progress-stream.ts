import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Store } from '../store/store.ts';
import type { LiveProgress } from './api-types.ts';
import { runProgress } from './viewer-queries.ts';

/** How often the store is polled for changes. */
export const LIVE_POLL_MS = 500;

/**
 * Answers `GET /api/runs/:id/live` with server-sent events: a `progress` event ({@link LiveProgress}) at once and
 * whenever the run's attempt counts or status change (the store is polled every `pollMs`), then an `end` event
 * when the run is no longer running. A comment is sent every ~15 s to keep idle connections open.
 */
export function streamRunProgress(
  context: Context,
  store: Store,
  runId: string,
  pollMs = LIVE_POLL_MS,
): Response {
  return streamSSE(context, async (stream) => {
    let aborted = false;
    stream.onAbort(() => {
      aborted = true;
    });
    let last = '';
    let idlePolls = 0;
    while (!aborted) {
      const progress = runProgress(store, runId);
      if (!progress) {
        await stream.writeSSE({ event: 'error', data: JSON.stringify({ error: `no run ${runId}` }) });
        return;
      }
      const payload: LiveProgress = { runId, ...progress };
      const data = JSON.stringify(payload);
      if (data !== last) {
        last = data;
        idlePolls = 0;
        await stream.writeSSE({ event: 'progress', data });
      } else if (++idlePolls * pollMs >= 15_000) {
        idlePolls = 0;
        await stream.write(': keep-alive\n\n');
      }
      if (progress.status !== 'running') {
        await stream.writeSSE({ event: 'end', data });
        return;
      }
      await stream.sleep(pollMs);
    }
  });
}
