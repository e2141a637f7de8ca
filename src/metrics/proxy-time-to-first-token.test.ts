import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_MODEL, writeSyntheticRun } from '../../test-support/synthetic-run.ts';
import { openStore } from '../store/store.ts';
import type { TranscriptEvent } from '../transcript/events.ts';
import { computeRunMetrics } from './compute-run-metrics.ts';
import { priceTableOfConfig } from './load-run-metrics.ts';

const directory = mkdtempSync(path.join(os.tmpdir(), 'shakedown-proxy-ttft-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Re-scores a stored run (no model called), with `edit` applied to each stored model-response event. */
function rescore(
  edit: (event: TranscriptEvent & { type: 'model-response' }, index: number) => TranscriptEvent,
) {
  const store = openStore(path.join(directory, `store-${Math.random().toString(16).slice(2)}`));
  try {
    const runId = writeSyntheticRun(store);
    const attempts = store.attempts(runId);
    let index = 0;
    const eventsByAttempt = new Map(
      attempts.map((attempt) => [
        attempt.id,
        store
          .events(attempt.id)
          .map((event) =>
            event.type === 'model-response' && attempt.modelId === LOCAL_MODEL ? edit(event, index++) : event,
          ),
      ]),
    );
    const run = store.getRun(runId)!;
    return computeRunMetrics({
      run,
      models: store.runModels(runId),
      tasks: store.runTasks(runId),
      attempts,
      eventsByAttempt,
      priceTable: priceTableOfConfig(run.config),
    }).models.find((model) => model.modelId === LOCAL_MODEL)!;
  } finally {
    store.close();
  }
}

describe('time to first token of external agents', () => {
  it("is the recording proxy's, from the stored transcript, counted as measured", () => {
    const asStored = rescore((event) => event);
    const proxied = rescore((event, index) => ({
      ...event,
      proxy: { streamed: true, timeToFirstTokenMs: 1000 + index },
    }));
    const samples = asStored.latency.timeToFirstTokenMs;
    const atProxy = proxied.latency.timeToFirstTokenMs;
    // Every step now has the proxy's figure (1000 + its index), measured; none is left unavailable.
    expect(atProxy.measured + atProxy.serverReported).toBe(
      samples.measured + samples.serverReported + samples.unavailable,
    );
    expect(atProxy.unavailable).toBe(0);
    expect(atProxy.serverReported).toBe(0);
    expect(atProxy.p50).not.toBe(samples.p50);
    expect(atProxy.p50).toBeGreaterThanOrEqual(1000);
    // Prefill and decode rates stay the model client's (server-reported or measured, never estimated).
    expect(proxied.latency.decodeTokensPerSecond).toEqual(asStored.latency.decodeTokensPerSecond);
    expect(proxied.latency.prefillTokensPerSecond).toEqual(asStored.latency.prefillTokensPerSecond);
  });

  it('keeps the client figure when the proxy recorded none (an answer that never sent a token)', () => {
    const asStored = rescore((event) => event);
    const none = rescore((event) => ({ ...event, proxy: { streamed: true, timeToFirstTokenMs: null } }));
    expect(none.latency.timeToFirstTokenMs).toEqual(asStored.latency.timeToFirstTokenMs);
  });
});
