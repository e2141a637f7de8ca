import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_MODEL, LOCAL_MODEL, writeSyntheticRun } from '../../test-support/synthetic-run.ts';
import { loadRunMetrics } from '../metrics/load-run-metrics.ts';
import type { RunMetrics } from '../metrics/run-metrics.ts';
import { openStore } from '../store/store.ts';
import { escapeHtml, jsonForScript, scriptSourceForHtml } from './escape-html.ts';
import { formatMeanWithError, formatPairedInterval } from './format-values.ts';
import { renderHtmlReport } from './render-html-report.ts';
import { renderJsonReport } from './render-json-report.ts';
import { escapeMarkdown, renderMarkdownReport } from './render-markdown-report.ts';

const MALICIOUS = '<script>alert(1)</script>';
let directory: string;
let metrics: RunMetrics;
let malicious: RunMetrics;

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'shakedown-report-'));
  const store = openStore(directory);
  metrics = loadRunMetrics(store, writeSyntheticRun(store));
  store.close();
  const second = openStore(path.join(directory, 'malicious'));
  malicious = loadRunMetrics(
    second,
    writeSyntheticRun(second, { taskIds: ['t1', 't2', MALICIOUS, 't4', 't5'] }),
  );
  second.close();
  malicious.models[0].label = `"><img src=x onerror=alert(2)>`;
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('renderMarkdownReport', () => {
  it('shows the headline numbers, the paired comparison, failure classes and the simulated banner', () => {
    const markdown = renderMarkdownReport(metrics);
    expect(markdown).toContain('**SIMULATED**: o3-mini');
    expect(markdown).toContain(
      '| Qwen 3.5 9B | 47.4% (9/19) | [22.6–73.5%] Wilson, tasks as unit (n_eff 10.9) | 46.3% ± 11.8% | 80.0% (k=3) | 20.0% (k=3) | 56.5% | 300 ms | 40 | $0.0013 | 1 |',
    );
    expect(markdown).toContain(
      '| o3-mini (simulated) | 70.0% (14/20) | [42.4–88.1%] Wilson, tasks as unit (n_eff 12.4)',
    );
    expect(markdown).toContain('100.0% (k=4) | 40.0% (k=4) | 69.0% | 800 ms | 60 | $0.0094 | 0 |');
    expect(markdown).toContain(
      '**Qwen 3.5 9B vs o3-mini** (paired over 5 tasks): -23.3 pts resolved rate, 0 wins / 4 losses / 1 ties, ' +
        'too few tasks to tell: 4 of 5 tasks differ, so the smallest possible p is 0.125; ' +
        'p = 0.125 (exact permutation test (all 2^4 sign flips of the per-task differences)); ' +
        'no 95% interval (too few tasks)',
    );
    // One run has no spread: no "± 0.0%".
    expect(formatMeanWithError({ mean: 0.5, standardError: null })).toBe('50.0% (one run: no SEM)');
    const comparison = structuredClone(metrics.comparisons[0].comparison);
    comparison.interval = { low: -0.4, high: 0.125, method: 'bootstrap percentile interval (test)' };
    expect(formatPairedInterval(comparison)).toBe(
      '95% interval [-40.0 pts, +12.5 pts] (bootstrap percentile interval (test))',
    );
    expect(markdown).toContain(
      '- **Qwen 3.5 9B**: context-exceeded 1, infrastructure-error 1, step-limit 4, wrong-fix 5',
    );
    expect(markdown).toMatch(/break-even after \d+ resolved tasks/);
  });

  it('omits the banner for a run without simulated models and escapes table cells', () => {
    const real = structuredClone(metrics);
    real.simulated = false;
    for (const model of real.models) model.simulated = false;
    expect(renderMarkdownReport(real)).not.toContain('SIMULATED');
    expect(escapeMarkdown('a|b<c>\nd')).toBe('a\\|b&lt;c&gt; d');
    expect(renderMarkdownReport(malicious)).not.toContain('<img');
  });
});

describe('renderHtmlReport', () => {
  const bundles = { d3: 'window.d3 = {};', plot: 'window.Plot = {};' };

  it('is one self-contained page with stable test ids for plots and tables', () => {
    const html = renderHtmlReport(metrics, { bundles });
    expect(html).not.toMatch(/\s(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    for (const id of [
      'plot-pass-rate-latency',
      'plot-cost-per-resolved',
      'plot-failure-classes',
      'plot-tool-call-validity',
      'plot-retention',
      'table-headline',
      'table-pass-at-k',
      'table-tool-calls',
      'table-latency',
      'table-cost',
      'table-break-even',
      'table-comparisons',
      'table-failures',
      'table-tasks',
      'summary-cards',
      'simulated-banner',
      'report-data',
    ]) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html).toContain(`data-model-id="${API_MODEL}"`);
    expect(html).toContain('47.4% (9/19)');
    const data = JSON.parse(
      /<script type="application\/json" id="report-data"[^>]*>([^<]*)<\/script>/.exec(html)?.[1] ?? '',
    );
    expect(data.models.map((model: { modelId: string }) => model.modelId)).toEqual([LOCAL_MODEL, API_MODEL]);
  });

  it('inlines the real d3 and Plot bundles without any external reference', () => {
    const html = renderHtmlReport(metrics);
    expect(html.length).toBeGreaterThan(400_000);
    expect(html).toContain('@observablehq/plot');
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html.match(/<\/script>/g)?.length).toBe(4);
  });

  it('escapes task ids and model names against HTML injection, in markup and in embedded data', () => {
    const html = renderHtmlReport(malicious, { bundles });
    expect(html).not.toContain(MALICIOUS);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // Only our four script elements open.
    expect(html.match(/<script/g)?.length).toBe(4);
  });

  it('escape helpers cover attributes, script data and inlined sources', () => {
    expect(escapeHtml(`<a href="x" title='y'>&`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;');
    expect(jsonForScript({ text: '</script><!--' })).toBe('{"text":"\\u003c/script\\u003e\\u003c!--"}');
    expect(scriptSourceForHtml('const a = "</SCRIPT>";')).toBe('const a = "<\\/SCRIPT>";');
    expect(() => scriptSourceForHtml('x = "<!--"')).toThrow(/cannot be embedded/);
  });
});

describe('renderJsonReport', () => {
  it('prints the metrics with their schema version, parseable back to the same object', () => {
    const json = renderJsonReport(metrics);
    expect(json.endsWith('\n')).toBe(true);
    const parsed = JSON.parse(json);
    expect(parsed.schemaVersion).toBe(3);
    expect(parsed).toEqual(metrics);
  });
});
