import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchHeadlessChromium } from '../../test-support/headless-chromium.ts';
import { loadRunMetrics } from '../metrics/load-run-metrics.ts';
import { writeSyntheticRun } from '../metrics/synthetic-run.test-helper.ts';
import { openStore } from '../run/store/store.ts';
import { renderHtmlReport } from './render-html-report.ts';

const PLOTS = [
  'plot-pass-rate-latency',
  'plot-cost-per-resolved',
  'plot-failure-classes',
  'plot-tool-call-validity',
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

  async function renderInBrowser(file: string) {
    const page = await browser.newPage();
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
    await page.close();
    return { plots, pageErrors, requests };
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
    expect(plots.find((plot) => plot.id === 'plot-pass-rate-latency')?.svg).toBeGreaterThan(0);
    expect(plots.find((plot) => plot.id === 'plot-tool-call-validity')?.svg).toBeGreaterThan(0);
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
    const { plots, pageErrors } = await renderInBrowser(file);
    expect(pageErrors).toEqual([]);
    const cost = plots.find((plot) => plot.id === 'plot-cost-per-resolved');
    expect(cost?.empty).toMatch(/No cost per resolved task/);
    expect(cost?.svg).toBe(0);
    expect(plots.find((plot) => plot.id === 'plot-retention')?.empty).toMatch(/No multi-turn tasks/);
  });
});
