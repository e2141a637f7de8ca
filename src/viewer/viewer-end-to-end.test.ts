/**
 * End to end: the real viewer server over a seeded store, driven in headless Chromium (playwright-core with the
 * system's /usr/bin/chromium). Screenshots go to a temp dir, and the run and attempt pages also to
 * /tmp/viewer-run.png and /tmp/viewer-attempt.png.
 */
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchHeadlessChromium } from '../../test-support/headless-chromium.ts';
import { openStore, type Store } from '../run/store/store.ts';
import { finishSeededAttempt, seedViewerStore } from './seed-viewer-store.test-helper.ts';
import { startViewerServer, type ViewerServer } from './server.ts';

describe.skipIf(!chromiumAvailable)('viewer in headless Chromium', () => {
  let directory: string;
  let server: ViewerServer;
  let writer: Store;
  let browser: Browser;
  let page: Page;
  let runId: string;
  let attemptIds: string[];

  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'viewer-e2e-'));
    writer = openStore(directory);
    ({ runId, attemptIds } = seedViewerStore(writer, { pendingAttempts: 1 }));
    server = await startViewerServer({ dataDir: directory, port: 0, livePollMs: 100 });
    browser = await launchHeadlessChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    writer?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function screenshot(name: string, copyTo?: string): Promise<string> {
    const file = path.join(directory, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(20_000);
    if (copyTo) copyFileSync(file, copyTo);
    return file;
  }

  it('walks from the runs list to a run, its plots, matrix and live counts, then an attempt transcript', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await page.goto(server.url);
    await page.waitForSelector('.page-runs[data-ready]');
    const row = page.locator(`tr[data-run-id="${runId}"]`);
    await expect(row.textContent()).resolves.toContain('SIMULATED');
    await expect(row.textContent()).resolves.toContain('LIVE');
    await screenshot('runs');

    await row.locator('a.run-link').click();
    await page.waitForSelector('.page-run[data-ready]');
    // Plots: five cards, each an Observable Plot SVG with marks.
    const plotCards = page.locator('.plot-card');
    expect(await plotCards.count()).toBe(5);
    expect(await page.locator('.plot-card svg').count()).toBeGreaterThanOrEqual(5);
    expect(
      await page.locator('.plot-card[data-plot="Resolved rate"] svg rect').count(),
    ).toBeGreaterThanOrEqual(2);
    expect(
      await page.locator('.plot-card[data-plot="Tool-call validity"] svg rect').count(),
    ).toBeGreaterThanOrEqual(2);
    const body = await page.locator('body').innerText();
    expect(body).toContain('SIMULATED: this run includes simulated models');
    expect(body).toContain('simulated:echo (SIMULATED)');
    // Matrix: 3 tasks × 2 models, coloured, the unfinished cell shows (+1).
    expect(await page.locator('.matrix td.cell').count()).toBe(6);
    const lastCell = page.locator(
      '.matrix td.cell[data-model-id="simulated:echo"][data-task-id="sum-off-by-one"]',
    );
    await expect(lastCell.innerText()).resolves.toBe('1 / 1 (+1)');
    expect(await page.locator('.run-progress .done-count').innerText()).toBe('11 / 12');
    await screenshot('run', '/tmp/viewer-run.png');

    // Live update: finish the pending attempt in the store while the page is open.
    finishSeededAttempt(writer, attemptIds.at(-1)!);
    await page.waitForFunction(
      () => document.querySelector('.run-progress .done-count')?.textContent === '12 / 12',
      null,
      {
        timeout: 10_000,
      },
    );
    await page.waitForFunction(
      () =>
        document.querySelector(
          '.matrix td.cell[data-model-id="simulated:echo"][data-task-id="sum-off-by-one"]',
        )?.textContent === '2 / 2',
      null,
      { timeout: 10_000 },
    );

    // Matrix cell → filtered attempts; failure-class filter.
    await page
      .locator('.matrix td.cell[data-model-id="ollama:qwen3.5:9b"][data-task-id="parse-date"] a')
      .click();
    await page.waitForFunction(() => document.querySelectorAll('.attempts-table tbody tr').length === 2);
    await page.selectOption('select[name="failure"]', 'infrastructure');
    await page.waitForFunction(() => document.querySelector('.attempts-empty') !== null);
    await page.goto(`${server.url}#/runs/${encodeURIComponent(runId)}?failure=infrastructure`);
    await page.waitForFunction(() => document.querySelectorAll('.attempts-table tbody tr').length === 1);
    expect(await page.locator('.attempts-table tbody').innerText()).toContain('infrastructure-error');

    // Attempt page of a resolved attempt of the real model.
    await page.goto(
      `${server.url}#/runs/${encodeURIComponent(runId)}?model=ollama:qwen3.5:9b&task=parse-date`,
    );
    await page.waitForSelector('.page-run[data-ready]');
    await page.locator('.attempts-table tbody tr').first().locator('a.attempt-link').click();
    await page.waitForSelector('.page-attempt[data-ready]');
    const transcript = await page.locator('.transcript').innerText();
    expect(transcript).toContain('TTFT');
    expect(transcript).toContain('tok/s');
    expect(transcript).toContain('schema error');
    expect(transcript).toContain('RECOVERED (hermes-json)');
    expect(await page.locator('.tool-call.validity-valid').count()).toBe(2);
    expect(await page.locator('.tool-call.validity-schema').count()).toBe(1);
    const schemaColor = await page
      .locator('.tool-call.validity-schema')
      .evaluate((node) => getComputedStyle(node).borderLeftColor);
    expect(schemaColor).toBe('rgb(239, 108, 0)');
    expect(await page.locator('.tool-call[data-origin="recovered"] .recovered-marker').count()).toBe(1);
    expect(await page.locator('.file-diff .line.added').innerText()).toContain('a + b;');
    expect(await page.locator('.file-diff .line.removed').innerText()).toContain('a + b + 1;');
    const grading = await page.locator('.grading').innerText();
    expect(grading).toContain('FAIL_TO_PASS (1 / 1 passed)');
    expect(grading).toContain('PASS_TO_PASS (2 / 2 passed)');
    expect(grading).toContain('sum adds two numbers');
    await screenshot('attempt', '/tmp/viewer-attempt.png');

    // A simulated model's attempt is labelled.
    await page.goto(`${server.url}#/attempts/${encodeURIComponent(attemptIds[6]!)}`);
    await page.waitForSelector('.page-attempt[data-ready]');
    expect(await page.locator('h1').innerText()).toContain('SIMULATED');
    expect(errors).toEqual([]);
  });
});
