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
import { findClippedText } from '../../test-support/clipped-text.ts';
import { chromiumAvailable, launchHeadlessChromium } from '../../test-support/headless-chromium.ts';
import { finishSeededAttempt, seedViewerStore } from '../../test-support/seed-viewer-store.ts';
import { openStore, type Store } from '../store/store.ts';
import type { AgentComparisonView } from './api-types.ts';
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
    const plotCards = page.locator('.plots .plot-card');
    expect(await plotCards.count()).toBe(6);
    expect(await page.locator('.plots .plot-card svg').count()).toBeGreaterThanOrEqual(5);
    // No axis label or value of a plot runs past its SVG.
    expect(await findClippedText(page, '.plots')).toEqual([]);
    expect(
      await page.locator('.plot-card[data-plot="Resolved rate"] svg rect').count(),
    ).toBeGreaterThanOrEqual(2);
    expect(
      await page.locator('.plot-card[data-plot="Tool-call validity"] svg rect').count(),
    ).toBeGreaterThanOrEqual(2);
    // Paired comparison: one pair (2 models), its numbers and verdict, and the difference plot.
    const pairRow = page.locator(
      '.paired-comparison-table tbody tr[data-model-a="ollama:qwen3.5:9b"][data-model-b="simulated:echo"]',
    );
    expect(await page.locator('.paired-comparison-table tbody tr').count()).toBe(1);
    const pairText = await pairRow.innerText();
    expect(pairText).toContain('qwen3.5:9b vs echo (SIMULATED)');
    // The seeded models resolve the same share of every task: 3 tasks, all ties.
    expect(pairText).toContain('0.0 pp ± 0.0 pp');
    expect(pairText).toContain('0 / 0 / 3');
    expect(pairText).toContain('too few tasks to tell (0 of 3 differ; the smallest possible p is 1)');
    expect(pairText).toContain('exact sign test');
    const pairedPlot = page.locator('.paired-comparison .plot-card[data-plot="Paired difference"] svg');
    expect(await pairedPlot.count()).toBe(1);
    expect(await pairedPlot.locator('circle').count()).toBe(1);
    expect(await pairedPlot.innerHTML()).toContain('qwen3.5:9b vs echo (SIMULATED)');
    const body = await page.locator('body').innerText();
    expect(body).toContain('Paired comparison');
    expect(body).toContain('SIMULATED: this run includes simulated models');
    expect(body).toContain('echo (SIMULATED)');
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
    // The final diff has its own section, and says why when the grade kept none.
    expect(await page.locator('h2', { hasText: 'Final workspace diff' }).count()).toBe(1);
    await screenshot('attempt', '/tmp/viewer-attempt.png');

    // A simulated model's attempt is labelled.
    await page.goto(`${server.url}#/attempts/${encodeURIComponent(attemptIds[6]!)}`);
    await page.waitForSelector('.page-attempt[data-ready]');
    expect(await page.locator('h1').innerText()).toContain('SIMULATED');
    expect(errors).toEqual([]);
  });

  it('shows short model labels in the matrix, the attempts table and the attempt title, the full id on hover', async () => {
    const labelled = mkdtempSync(path.join(tmpdir(), 'viewer-labels-'));
    const store = openStore(labelled);
    const secretUrlId = 'llamacpp:http://admin:hunter2@gpu-box.lab.example.internal:8080';
    const longId = 'ollama:qwen2.5-coder:32b-instruct-q4_K_M@http://10.0.0.5:11434';
    const configuredId = 'openai-compatible:https://api.example.com/v1/deployments/very-long-deployment-name';
    const seeded = seedViewerStore(store, {
      runId: 'run-20261126-140000-labels',
      models: [
        { modelId: secretUrlId, simulated: false },
        { modelId: longId, simulated: false },
        { modelId: configuredId, simulated: false, label: 'staging deployment' },
        {
          modelId: 'gguf:/models/tiny-q4.gguf',
          simulated: false,
          endpointInfo: {
            backend: 'cpu',
            notes: ['No usable GPU (CUDA, Vulkan, Metal) found: runs on the CPU.'],
          },
        },
      ],
      taskIds: ['sum-off-by-one'],
      attemptsPerCell: 1,
    });
    const labelsServer = await startViewerServer({ dataDir: labelled, port: 0, livePollMs: 100 });
    try {
      await page.goto(`${labelsServer.url}#/runs/${encodeURIComponent(seeded.runId)}`);
      await page.waitForSelector('.page-run[data-ready]');
      const headers = page.locator('.matrix thead th[data-model-id]');
      const shown = await headers.evaluateAll((cells) =>
        cells.map((cell) => [
          cell.getAttribute('data-model-id'),
          cell.textContent,
          cell.getAttribute('title'),
        ]),
      );
      expect(shown).toEqual([
        ['gguf:/models/tiny-q4.gguf', 'tiny-q4', 'gguf:/models/tiny-q4.gguf'],
        [
          secretUrlId,
          'llamacpp@gpu-box.lab.example.internal:8080',
          'llamacpp:http://gpu-box.lab.example.internal:8080',
        ],
        [longId, 'qwen2.5-coder:32b-instruct-q4_K_M', longId],
        [configuredId, 'staging deployment', configuredId],
      ]);
      // The backend the embedded model ran on, with the reason it ran on the CPU, in the model summary.
      const backends = await page.locator('.model-summary .model-backend').allInnerTexts();
      expect(backends).toEqual([
        'backend: cpu (No usable GPU (CUDA, Vulkan, Metal) found: runs on the CPU.)',
      ]);
      expect(await findClippedText(page, '.model-summary')).toEqual([]);
      const table = await page.locator('.attempts-table tbody').innerText();
      expect(table).toContain('staging deployment');
      expect(table).not.toContain('http');
      for (const section of ['.matrix-section', '.attempts-section', '.filters']) {
        expect(await page.locator(section).innerText()).not.toContain('hunter2');
      }
      // Nor in any hover title (the cost note of the model summary included).
      const titles = await page
        .locator('[title]')
        .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('title')));
      expect(titles.some((title) => title?.includes('no price for llamacpp:http://gpu-box'))).toBe(true);
      expect(titles.filter((title) => title?.includes('hunter2'))).toEqual([]);
      expect(await findClippedText(page, '.matrix-section')).toEqual([]);
      expect(await findClippedText(page, '.attempts-section')).toEqual([]);
      await screenshot('run-labels');

      const attempt = store.attempts(seeded.runId).find((item) => item.modelId === longId);
      await page.goto(`${labelsServer.url}#/attempts/${encodeURIComponent(attempt!.id)}`);
      await page.waitForSelector('.page-attempt[data-ready]');
      const title = page.locator('.page-attempt h1');
      expect(await title.innerText()).toBe('qwen2.5-coder:32b-instruct-q4_K_M · sum-off-by-one · attempt 0');
      expect(await title.getAttribute('title')).toBe(`${longId} · sum-off-by-one · attempt 0`);
      expect(await findClippedText(page, '.page-attempt')).toEqual([]);
    } finally {
      await labelsServer.close();
      store.close();
      rmSync(labelled, { recursive: true, force: true });
    }
  });

  it('pages the attempts table through the server, keeping the filters', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const rows = () => page.locator('.attempts-table tbody tr').count();
    // Each page is fetched from the server: wait for the pager to show it.
    const count = (expected: string) =>
      page.waitForFunction(
        (text) => document.querySelector('.pager-top .pager-count')?.textContent === text,
        expected,
      );
    await page.goto(`${server.url}#/runs/${encodeURIComponent(runId)}?pageSize=5`);
    await page.waitForSelector('.page-run[data-ready]');
    await count('1–5 of 12');
    expect(await rows()).toBe(5);
    expect(await page.locator('.pager-top .pager-previous').isDisabled()).toBe(true);
    await page.locator('.pager-top .pager-next').click();
    await count('6–10 of 12');
    await page.locator('.pager-bottom .pager-next').click();
    await count('11–12 of 12');
    expect(await rows()).toBe(2);
    expect(await page.locator('.pager-top .pager-next').isDisabled()).toBe(true);
    await page.locator('.pager-top .pager-previous').click();
    await count('6–10 of 12');

    // A filter goes back to the first page and keeps the page size.
    await page.selectOption('select[name="model"]', 'ollama:qwen3.5:9b');
    await page.waitForFunction(
      () => document.querySelector('.pager-top .pager-count')?.textContent === '1–5 of 6',
    );
    expect(page.url()).toContain('pageSize=5');
    const models = await page.locator('.attempts-table tbody tr td:nth-child(2)').allInnerTexts();
    expect(models).toEqual(Array(5).fill('qwen3.5:9b'));
    await page.locator('.pager-top .pager-next').click();
    await count('6–6 of 6');
    await page.selectOption('select[name="failure"]', 'infrastructure');
    await page.waitForFunction(
      () => document.querySelector('.pager-top .pager-count')?.textContent === '1–1 of 1',
    );
    expect(await page.locator('.pager-bottom').count()).toBe(0);
    expect(await page.locator('.attempts-table tbody').innerText()).toContain('infrastructure-error');
    expect(errors).toEqual([]);
  });

  it('pages the task × model matrix through the server', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const matrixCount = (expected: string) =>
      page.waitForFunction(
        (text) => document.querySelector('.matrix-pager .pager-count')?.textContent === text,
        expected,
      );
    const tasksShown = () => page.locator('.matrix tbody th').allInnerTexts();
    await page.goto(`${server.url}#/runs/${encodeURIComponent(runId)}?taskPageSize=2`);
    await page.waitForSelector('.page-run[data-ready]');
    await matrixCount('tasks 1–2 of 3');
    expect(await tasksShown()).toEqual(['parse-date', 'retry-backoff']);
    expect(await page.locator('.matrix td.cell').count()).toBe(4);
    expect(await page.locator('.matrix-pager .pager-previous').isDisabled()).toBe(true);
    await page.locator('.matrix-pager .pager-next').click();
    await matrixCount('tasks 3–3 of 3');
    expect(await tasksShown()).toEqual(['sum-off-by-one']);
    expect(await page.locator('.matrix td.cell').count()).toBe(2);
    expect(await page.locator('.matrix-pager .pager-next').isDisabled()).toBe(true);
    // The attempts filter still offers every task, not only the matrix page's.
    const taskOptions = await page.locator('select[name="task"] option').allInnerTexts();
    expect(taskOptions).toEqual(['all tasks', 'parse-date', 'retry-backoff', 'sum-off-by-one']);
    // One page of the default size holds the three tasks: no pager.
    await page.goto(`${server.url}#/runs/${encodeURIComponent(runId)}`);
    await page.waitForFunction(() => document.querySelectorAll('.matrix td.cell').length === 6);
    expect(await page.locator('.matrix-pager').count()).toBe(0);
    expect(errors).toEqual([]);
  });
  it('shows a row per model in the runs list and a leaderboard across runs with run links', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    seedViewerStore(writer, {
      runId: 'run-20261127-090000-later',
      createdAt: new Date(Date.UTC(2026, 10, 27, 9, 0, 0)),
      models: [{ modelId: 'ollama:qwen3.5:9b', simulated: false }],
      taskIds: ['sum-off-by-one', 'parse-date'],
      attemptsPerCell: 1,
    });
    await page.goto(server.url);
    await page.waitForSelector('.page-runs[data-ready]');
    const qwenRow = page.locator(
      `tr.run-model-row[data-parent-run-id="${runId}"][data-model-id="ollama:qwen3.5:9b"]`,
    );
    const qwenText = await qwenRow.innerText();
    // 3 of 5 scored attempts resolved (the sixth was an infrastructure error): 60% with its Wilson interval.
    expect(qwenText).toContain('qwen3.5:9b');
    expect(qwenText).not.toContain('ollama:');
    expect(qwenText).toContain('60% [23%, 88%]');
    expect(qwenText).toContain('6 / 6');
    const echoText = await page
      .locator(`tr.run-model-row[data-parent-run-id="${runId}"][data-model-id="simulated:echo"]`)
      .innerText();
    expect(echoText).toContain('echo');
    expect(echoText).toContain('SIMULATED');
    expect(await page.locator('tr.run-model-row').count()).toBe(3);
    expect(await findClippedText(page, '.runs-table')).toEqual([]);
    await screenshot('runs-models', '/tmp/viewer-runs.png');

    await page.locator('a.leaderboard-link').click();
    await page.waitForSelector('.page-leaderboard[data-ready]');
    const rows = page.locator('.leaderboard-table tbody tr');
    expect(await rows.count()).toBe(2);
    const qwen = page.locator('.leaderboard-table tbody tr[data-model-id="ollama:qwen3.5:9b"]');
    expect(await qwen.locator('td.model-label').innerText()).toBe('qwen3.5:9b');
    expect(await qwen.locator('td.best').innerText()).toContain(`60% [23%, 88%] ${runId}`);
    expect(await qwen.locator('td.latest').innerText()).toContain('run-20261127-090000-later');
    expect(await qwen.locator('td.runs a.run-link').allInnerTexts()).toEqual([
      'run-20261127-090000-later',
      runId,
    ]);
    expect(
      await page.locator('.leaderboard-table tbody tr[data-model-id="simulated:echo"]').innerText(),
    ).toContain('SIMULATED');
    expect(await findClippedText(page, '.page-leaderboard')).toEqual([]);
    await screenshot('leaderboard', '/tmp/viewer-leaderboard.png');

    await qwen.locator('td.runs a.run-link', { hasText: runId }).click();
    await page.waitForSelector('.page-run[data-ready]');
    expect(page.url()).toContain(`#/runs/${runId}?model=ollama%3Aqwen3.5%3A9b`);
    expect(errors).toEqual([]);
  });

  it('puts the same model inside several agents side by side on a run with several agents', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // A run of one agent has no such section.
    await page.goto(`${server.url}#/runs/${encodeURIComponent(runId)}`);
    await page.waitForSelector('.page-run[data-ready]');
    expect(await page.locator('.agent-comparison').count()).toBe(0);

    const agentsDirectory = mkdtempSync(path.join(tmpdir(), 'viewer-agents-'));
    const store = openStore(agentsDirectory);
    const model = 'llamacpp:qwen3.5-9b';
    const seeded = seedViewerStore(store, {
      runId: 'run-20261126-150000-agents',
      models: [
        ...['built-in', 'qwen-code', 'opencode'].map((agent) => ({
          modelId: `${model}~${agent}`,
          simulated: false,
        })),
        ...['built-in', 'qwen-code'].map((agent) => ({
          modelId: `simulated:echo~${agent}`,
          simulated: true,
        })),
      ],
      // Four tasks × two attempts: the outcome cycle (six long) gives each agent different results.
      taskIds: ['sum-off-by-one', 'parse-date', 'retry-backoff', 'slugify'],
      agents: ['built-in', { preset: 'qwen-code' }, { preset: 'opencode' }],
    });
    const agentsServer = await startViewerServer({ dataDir: agentsDirectory, port: 0, livePollMs: 100 });
    try {
      const response = await fetch(`${agentsServer.url}api/runs/${seeded.runId}/agents`);
      const view = (await response.json()) as AgentComparisonView;
      await page.goto(`${agentsServer.url}#/runs/${encodeURIComponent(seeded.runId)}`);
      await page.waitForSelector('.page-run[data-ready]');
      expect(await page.locator('h2#agents').innerText()).toBe('Agents side by side');
      const section = page.locator('.agent-comparison');
      expect(await section.innerText()).toContain('measured at the recording proxy');

      const block = section.locator(`.agent-comparison-model[data-model-id="${model}"]`);
      expect(await block.locator('h3').innerText()).toBe('qwen3.5-9b');
      const rows = block.locator('.agent-comparison-table tbody tr');
      expect(await rows.locator('td.agent-name').allInnerTexts()).toEqual([
        'built-in',
        'external (preset opencode)',
        'external (preset qwen-code)',
      ]);
      const percent = (value: number | null) => `${Math.round((value ?? Number.NaN) * 100)}%`;
      for (const [index, row] of view.rows.filter((entry) => entry.modelId === model).entries()) {
        const cells = await rows.nth(index).locator('td').allInnerTexts();
        const { rate, low, high, successes, trials } = row.resolved;
        expect(cells[2]).toBe(
          `${percent(rate)} [${percent(low)}, ${percent(high)}] (${successes} / ${trials})`,
        );
        expect(cells[3]).toBe(row.intervalMethod);
        expect(cells[4]).toBe(percent(row.passAt1));
        expect(cells[7]).toBe(
          index === 0 ? '300 ms\nmeasured at the client' : '100 ms\nmeasured at the proxy',
        );
      }
      const pairs = block.locator('.agent-pairs-table tbody tr');
      expect(await pairs.locator('td:first-child').allInnerTexts()).toEqual([
        'built-in vs external (preset opencode)',
        'built-in vs external (preset qwen-code)',
        'external (preset opencode) vs external (preset qwen-code)',
      ]);
      for (const verdict of await pairs.locator('td.verdict').allInnerTexts()) {
        expect(verdict).toContain('too few tasks to tell');
      }
      // The simulated model's block: two agents, each marked SIMULATED, one pair.
      const simulatedBlock = section.locator('.agent-comparison-model[data-model-id="simulated:echo"]');
      const simulatedRows = simulatedBlock.locator('.agent-comparison-table tbody tr');
      expect(await simulatedRows.count()).toBe(2);
      for (const text of await simulatedRows.locator('td.agent-name').allInnerTexts()) {
        expect(text).toContain('SIMULATED');
      }
      expect(await simulatedBlock.locator('.agent-pairs-table tbody tr').count()).toBe(1);
      // The model summary's TTFT says where it was measured, too.
      const summaryCell = page.locator(
        `.model-summary tr[data-model-id="${model}~opencode"] td.ttft .ttft-source`,
      );
      expect(await summaryCell.innerText()).toBe('measured at the proxy');
      expect(await findClippedText(page, '.agent-comparison')).toEqual([]);
      expect(await findClippedText(page, '.comparison')).toEqual([]);
      await screenshot('run-agents', '/tmp/viewer-agents.png');
      expect(errors).toEqual([]);
    } finally {
      await agentsServer.close();
      store.close();
      rmSync(agentsDirectory, { recursive: true, force: true });
    }
  });
});
