import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedViewerStore } from '../../test-support/seed-viewer-store.ts';
import { loadRunMetrics } from '../metrics/load-run-metrics.ts';
import type { ModelMetrics, RunMetrics } from '../metrics/run-metrics.ts';
import { renderHtmlReport, renderMarkdownReport } from '../report/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { createViewerApp } from '../viewer/server.ts';

/**
 * The backend an embedded GGUF model ran on, stored in its endpoint info, reaches the metrics, the Markdown and HTML
 * reports and the viewer's run summary, with the reason when it ran on the CPU. From a stored run: no model call.
 */

const CPU_NOTE = 'No usable GPU (CUDA, Vulkan, Metal) found: runs on the CPU.';
let directory: string;
let store: Store;
let runId: string;
let metrics: RunMetrics;

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'shakedown-backend-'));
  store = openStore(directory);
  ({ runId } = seedViewerStore(store, {
    models: [
      {
        modelId: 'gguf:/models/tiny-cpu.gguf',
        simulated: false,
        endpointInfo: { provider: 'gguf', backend: 'cpu', notes: [CPU_NOTE] },
      },
      {
        modelId: 'gguf:/models/tiny-gpu.gguf',
        simulated: false,
        endpointInfo: { provider: 'gguf', backend: 'cuda', notes: ['33 layer(s) offloaded to the GPU'] },
      },
      { modelId: 'ollama:qwen3.5:9b', simulated: false, endpointInfo: { provider: 'ollama', notes: [] } },
    ],
    taskIds: ['sum-off-by-one'],
    attemptsPerCell: 1,
  }));
  metrics = loadRunMetrics(store, runId);
});
afterAll(() => {
  store.close();
  rmSync(directory, { recursive: true, force: true });
});

function backendOf(models: readonly ModelMetrics[], modelId: string) {
  return models.find((model) => model.modelId === modelId)?.backend;
}

describe('the backend of an embedded model', () => {
  it('is in the metrics, from the stored endpoint info', () => {
    expect(backendOf(metrics.models, 'gguf:/models/tiny-cpu.gguf')).toEqual({
      name: 'cpu',
      cpuNote: CPU_NOTE,
    });
    expect(backendOf(metrics.models, 'gguf:/models/tiny-gpu.gguf')).toEqual({ name: 'cuda', cpuNote: null });
    expect(backendOf(metrics.models, 'ollama:qwen3.5:9b')).toBeNull();
  });

  it('shows in the Markdown and HTML reports, with the reason it ran on the CPU', () => {
    const markdown = renderMarkdownReport(metrics);
    expect(markdown).toContain('**Embedded model backend**');
    expect(markdown).toContain(`- **tiny-cpu**: cpu (${CPU_NOTE})`);
    expect(markdown).toContain('- **tiny-gpu**: cuda');
    const backendSection = markdown.slice(markdown.indexOf('**Embedded model backend**'));
    expect(backendSection).not.toContain('qwen3.5:9b');
    const html = renderHtmlReport(metrics);
    const shown = [...html.matchAll(/<p data-testid="model-backend">([^<]*)<\/p>/g)].map((match) => match[1]);
    expect(shown).toEqual([`backend: cpu (${CPU_NOTE})`, 'backend: cuda']);
  });

  it("is in the viewer's run summary", async () => {
    const response = await createViewerApp({ store }).request(`/api/runs/${runId}`);
    expect(response.status).toBe(200);
    const detail = (await response.json()) as { summary: ModelMetrics[] };
    expect(backendOf(detail.summary, 'gguf:/models/tiny-cpu.gguf')).toEqual({
      name: 'cpu',
      cpuNote: CPU_NOTE,
    });
    expect(backendOf(detail.summary, 'gguf:/models/tiny-gpu.gguf')).toEqual({ name: 'cuda', cpuNote: null });
  });
});
