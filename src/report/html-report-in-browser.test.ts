import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findClippedText } from '../../test-support/clipped-text.ts';
import { chromiumAvailable, launchHeadlessChromium } from '../../test-support/headless-chromium.ts';
import { writeSyntheticRun } from '../../test-support/synthetic-run.ts';
import { loadRunMetrics } from '../metrics/load-run-metrics.ts';
import { openStore } from '../store/store.ts';
import { renderHtmlReport } from './render-html-report.ts';

const PLOTS = [
  'plot-pass-rate-latency',
  'plot-pass-at-k',
  'plot-task-heatmap',
  'plot-time-split',
  'plot-cost-per-resolved',
  'plot-failure-classes',
  'plot-tool-call-validity',
  'plot-tool-call-errors',
  'plot-retention',
];

describe.skipIf(!chromiumAvailable)('the HTML report in headless Chromium', () => {
  let directory: string;
  let browser: Browser;

  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'shakedown-html-report-'));
    browser = await launchHeadlessChromium();
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function renderInBrowser(file: string, screenshot?: string) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith('file://')) requests.push(request.url());
    });
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-plots-rendered="true"]', { timeout: 20_000 });
    const plots = await page.evaluate(
      (ids) =>
        ids.map((id) => {
          const container = document.getElementById(id);
          return {
            id,
            rendered: container?.dataset.rendered ?? null,
            error: container?.dataset.error ?? null,
            svg: container?.querySelectorAll('svg').length ?? 0,
            empty: container?.querySelector('.plot-empty')?.textContent ?? null,
          };
        }),
      PLOTS,
    );
    const clipped = await findClippedText(page);
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    await page.close();
    return { plots, pageErrors, requests, clipped };
  }

  it('draws every plot offline, with no script error', async () => {
    const store = openStore(path.join(directory, 'full'));
    const metrics = loadRunMetrics(store, writeSyntheticRun(store));
    store.close();
    const file = path.join(directory, 'full.html');
    writeFileSync(file, renderHtmlReport(metrics));
    const { plots, pageErrors, requests } = await renderInBrowser(file);
    expect(pageErrors).toEqual([]);
    expect(requests).toEqual([]);
    for (const plot of plots) {
      expect(plot, plot.id).toMatchObject({ rendered: 'true', error: null });
      expect(plot.svg + (plot.empty ? 1 : 0), plot.id).toBeGreaterThan(0);
    }
    for (const id of [
      'plot-pass-rate-latency',
      'plot-tool-call-validity',
      'plot-pass-at-k',
      'plot-task-heatmap',
    ]) {
      expect(plots.find((plot) => plot.id === id)?.svg, id).toBeGreaterThan(0);
    }
  });

  it('fits every label: long model names and task ids are shortened, never clipped', async () => {
    const store = openStore(path.join(directory, 'long'));
    const metrics = loadRunMetrics(store, writeSyntheticRun(store));
    store.close();
    metrics.models.forEach((model, index) => {
      model.label = `a-configured-label-far-too-long-for-any-axis-qwen3.5-9b-instruct-q4_k_m-${index}`;
    });
    const file = path.join(directory, 'long.html');
    writeFileSync(file, renderHtmlReport(metrics));
    const { plots, pageErrors, clipped } = await renderInBrowser(
      file,
      path.join(tmpdir(), 'shakedown-report-long-labels.png'),
    );
    expect(pageErrors).toEqual([]);
    expect(plots.filter((plot) => plot.error !== null)).toEqual([]);
    expect(clipped).toEqual([]);
  });

  it('finds clipped text when a label does not fit (the check can fail)', async () => {
    const page = await browser.newPage();
    await page.setContent(
      '<svg width="100" height="40" viewBox="0 0 100 40" style="overflow:visible"><text x="60" y="20">a label that runs past the edge</text></svg>' +
        '<table><tr><td style="max-width:40px;overflow:hidden;white-space:nowrap">a cell far too narrow</td></tr></table>',
    );
    const clipped = await findClippedText(page);
    await page.close();
    expect(clipped.map((entry) => entry.text)).toEqual([
      'a label that runs past the edge',
      'a cell far too narrow',
    ]);
  });

  it('says why a plot is empty instead of drawing blank axes', async () => {
    const store = openStore(path.join(directory, 'single'));
    const metrics = loadRunMetrics(store, writeSyntheticRun(store));
    store.close();
    for (const model of metrics.models) {
      model.cost.perResolvedTaskUsd = null;
      model.retention.retention = null;
      model.retention.resolved.rate = null;
    }
    const file = path.join(directory, 'empty.html');
    writeFileSync(file, renderHtmlReport(metrics));
    const { plots, pageErrors, clipped } = await renderInBrowser(file);
    expect(pageErrors).toEqual([]);
    expect(clipped).toEqual([]);
    const cost = plots.find((plot) => plot.id === 'plot-cost-per-resolved');
    expect(cost?.empty).toMatch(/No cost per resolved task/);
    expect(cost?.svg).toBe(0);
    expect(plots.find((plot) => plot.id === 'plot-retention')?.empty).toMatch(/No multi-turn tasks/);
  });
});
