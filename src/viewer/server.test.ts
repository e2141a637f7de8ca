import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finishSeededAttempt, seedViewerStore } from '../../test-support/seed-viewer-store.ts';
import { openStore, type Store } from '../store/store.ts';
import type {
  AgentComparisonView,
  AttemptDetail,
  AttemptPage,
  LeaderboardEntry,
  RunDetail,
  RunMatrix,
  RunPage,
} from './api-types.ts';
import { createViewerApp } from './server.ts';

describe('viewer API', () => {
  let directory: string;
  let store: Store;
  let runId: string;
  let attemptIds: string[];
  let app: ReturnType<typeof createViewerApp>;

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'viewer-api-'));
    store = openStore(directory);
    ({ runId, attemptIds } = seedViewerStore(store, { pendingAttempts: 1 }));
    app = createViewerApp({ store, livePollMs: 20 });
  });
  afterEach(() => {
    store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function getJson<Body>(url: string, status = 200): Promise<Body> {
    const response = await app.request(url);
    expect(response.status, url).toBe(status);
    return (await response.json()) as Body;
  }

  it('lists runs with counts', async () => {
    const { items: runs, ...page } = await getJson<RunPage>('/api/runs');
    expect(page).toEqual({ total: 1, offset: 0, limit: 100 });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      id: runId,
      status: 'running',
      simulated: true,
      agent: 'built-in',
      models: 2,
      tasks: 3,
      attempts: { total: 12, pending: 1, finished: 10, infrastructureErrors: 1, resolved: 6 },
    });
  });

  it('summarizes each model with metrics', async () => {
    const detail = await getJson<RunDetail>(`/api/runs/${runId}`);
    expect(detail.models.map((model) => model.simulated)).toEqual([false, true]);
    const [local, simulated] = detail.summary;
    expect(local!.modelId).toBe('ollama:qwen3.5:9b');
    expect(simulated!.simulated).toBe(true);
    // Attempts 0..5 of the first model cycle R W R L R X: 3 of 5 scored are resolved.
    expect(local!.resolved).toMatchObject({ successes: 3, trials: 5 });
    expect(local!.resolved.low).toBeLessThan(0.6);
    expect(local!.resolved.high).toBeGreaterThan(0.6);
    expect(local!.passAtK.length).toBeGreaterThan(0);
    expect(local!.toolCalls.byValidity.schema).toBeGreaterThan(0);
    expect(local!.toolCalls.recovered).toBeGreaterThan(0);
    expect(local!.latency.timeToFirstTokenMs.p50).toBe(300);
    await getJson(`/api/runs/nope`, 404);
  });

  it('lists each model of a run with the label and resolved rate', async () => {
    const [run] = (await getJson<RunPage>('/api/runs')).items;
    const detail = await getJson<RunDetail>(`/api/runs/${runId}`);
    expect(run!.modelRows.map((row) => row.modelId)).toEqual(['ollama:qwen3.5:9b', 'simulated:echo']);
    expect(run!.modelRows.map((row) => row.label)).toEqual(['qwen3.5:9b', 'echo']);
    expect(run!.modelRows.map((row) => row.label)).toEqual(detail.summary.map((model) => model.label));
    expect(run!.modelRows.map((row) => row.resolved)).toEqual(detail.summary.map((model) => model.resolved));
    expect(run!.modelRows[0]).toMatchObject({
      simulated: false,
      done: 6,
      total: 6,
      infrastructureErrors: 1,
      resolved: { successes: 3, trials: 5 },
    });
    expect(run!.modelRows[1]).toMatchObject({ simulated: true, done: 5, total: 6 });
    expect(detail.run.modelRows).toEqual(run!.modelRows);
  });

  it('pages the runs list, newest first, each run with its own model rows', async () => {
    seedViewerStore(store, {
      runId: 'run-later',
      createdAt: new Date(Date.UTC(2026, 10, 27, 9, 0, 0)),
      models: [{ modelId: 'ollama:mistral', simulated: false }],
      taskIds: ['parse-date'],
      attemptsPerCell: 1,
    });
    const all = await getJson<RunPage>('/api/runs');
    expect(all.items.map((run) => run.id)).toEqual(['run-later', runId]);
    const pages = await Promise.all(
      [0, 1].map((offset) => getJson<RunPage>(`/api/runs?offset=${offset}&limit=1`)),
    );
    expect(pages.map((page) => page.items)).toEqual([[all.items[0]], [all.items[1]]]);
    expect(pages.map((page) => page.total)).toEqual([2, 2]);
    expect(pages[0]!.items[0]!.modelRows.map((row) => row.modelId)).toEqual(['ollama:mistral']);
    expect((await getJson<RunPage>('/api/runs?offset=2')).items).toEqual([]);
    const tooMany = await getJson<{ error: string }>('/api/runs?limit=1001', 400);
    expect(tooMany.error).toBe('limit must be an integer from 0 to 1000, got "1001"');
  });

  it('ranks models across runs by latest rate, with the best run and links to every run', async () => {
    seedViewerStore(store, {
      runId: 'run-later',
      createdAt: new Date(Date.UTC(2026, 10, 27, 9, 0, 0)),
      models: [
        { modelId: 'ollama:qwen3.5:9b', simulated: false },
        { modelId: 'ollama:mistral', simulated: false },
      ],
      taskIds: ['sum-off-by-one', 'parse-date'],
      attemptsPerCell: 1,
    });
    const board = await getJson<LeaderboardEntry[]>('/api/leaderboard');
    const byModel = new Map(board.map((entry) => [entry.modelId, entry]));
    expect(board).toHaveLength(3);
    const qwen = byModel.get('ollama:qwen3.5:9b')!;
    expect(qwen).toMatchObject({ agent: 'built-in', label: 'qwen3.5:9b', simulated: false });
    expect(qwen.runs.map((run) => run.runId)).toEqual(['run-later', runId]);
    expect(qwen.latest.runId).toBe('run-later');
    expect(qwen.best!.runId).toBe(runId);
    expect(qwen.best!.resolved).toMatchObject({ successes: 3, trials: 5 });
    const later = await getJson<RunDetail>('/api/runs/run-later');
    const laterQwen = later.summary.find((model) => model.modelId === 'ollama:qwen3.5:9b')!;
    expect(qwen.latest.resolved).toEqual(laterQwen.resolved);
    expect(qwen.latest.resolved.rate).toBeLessThan(qwen.best!.resolved.rate!);
    expect(byModel.get('simulated:echo')).toMatchObject({ simulated: true, runs: [{ runId }] });
    const rates = board.map((entry) => entry.latest.resolved.rate ?? -1);
    expect(rates).toEqual([...rates].sort((a, b) => b - a));
  });

  it('builds the task × model matrix', async () => {
    const matrix = await getJson<RunMatrix>(`/api/runs/${runId}/matrix`);
    expect(matrix.models).toHaveLength(2);
    expect(matrix.tasks).toHaveLength(3);
    expect(matrix.cells).toHaveLength(6);
    const total = matrix.cells.reduce((sum, cell) => sum + cell.total, 0);
    expect(total).toBe(12);
    const first = matrix.cells.find(
      (cell) => cell.modelId === 'ollama:qwen3.5:9b' && cell.taskId === 'parse-date',
    );
    expect(first).toMatchObject({ total: 2, finished: 2, resolved: 1, infrastructureErrors: 0 });
    expect(matrix).toMatchObject({ offset: 0, limit: 100, totalTasks: 3 });
  });

  it('pages the matrix by task, every model on each page', async () => {
    const base = `/api/runs/${runId}/matrix`;
    const all = await getJson<RunMatrix>(base);
    const pages = await Promise.all(
      [0, 2].map((offset) => getJson<RunMatrix>(`${base}?offset=${offset}&limit=2`)),
    );
    expect(pages.map((page) => page.tasks)).toEqual([all.tasks.slice(0, 2), all.tasks.slice(2)]);
    expect(pages.flatMap((page) => page.cells)).toEqual(all.cells);
    expect(pages.map((page) => page.totalTasks)).toEqual([3, 3]);
    expect(pages[1]!.models).toEqual(all.models);
    expect(pages[1]!.cells.map((cell) => cell.taskId)).toEqual([all.tasks[2], all.tasks[2]]);
    const past = await getJson<RunMatrix>(`${base}?offset=3&limit=2`);
    expect(past).toMatchObject({ tasks: [], cells: [], totalTasks: 3 });
    const tooMany = await getJson<{ error: string }>(`${base}?limit=5000`, 400);
    expect(tooMany.error).toBe('limit must be an integer from 0 to 1000, got "5000"');
    await getJson(`${base}?offset=x`, 400);
  });

  it('filters attempts by failure class, status, model and task', async () => {
    const base = `/api/runs/${runId}/attempts`;
    const all = await getJson<AttemptPage>(base);
    expect(all).toMatchObject({ total: 12, offset: 0, limit: 100 });
    expect(all.items).toHaveLength(12);
    const infrastructure = (await getJson<AttemptPage>(`${base}?failure=infrastructure`)).items;
    expect(infrastructure.map((attempt) => attempt.outcome)).toEqual(['infrastructure-error']);
    const agentOrGrade = (await getJson<AttemptPage>(`${base}?failure=agent,grade`)).items;
    expect(new Set(agentOrGrade.map((attempt) => attempt.outcome))).toEqual(
      new Set(['step-limit', 'wrong-fix']),
    );
    const pending = (await getJson<AttemptPage>(`${base}?status=pending`)).items;
    expect(pending).toHaveLength(1);
    expect(pending[0]!.failureClass).toBe('incomplete');
    const cell = (await getJson<AttemptPage>(`${base}?model=simulated:echo&task=parse-date`)).items;
    expect(cell.map((attempt) => attempt.attemptIndex)).toEqual([0, 1]);
    await getJson(`${base}?failure=bogus`, 400);
  });

  it('pages attempts: the pages join into the whole list in order, the total counts every match', async () => {
    const base = `/api/runs/${runId}/attempts`;
    const whole = (await getJson<AttemptPage>(base)).items.map((attempt) => attempt.id);
    const joined: string[] = [];
    for (let offset = 0; offset < 12; offset += 5) {
      const page = await getJson<AttemptPage>(`${base}?offset=${offset}&limit=5`);
      expect(page).toMatchObject({ total: 12, offset, limit: 5 });
      expect(page.items.length).toBe(Math.min(5, 12 - offset));
      joined.push(...page.items.map((attempt) => attempt.id));
    }
    expect(joined).toEqual(whole);
    const filtered = await getJson<AttemptPage>(`${base}?failure=agent,grade&offset=1&limit=1`);
    const allFiltered = (await getJson<AttemptPage>(`${base}?failure=agent,grade`)).items;
    expect(filtered.total).toBe(allFiltered.length);
    expect(filtered.items.map((attempt) => attempt.id)).toEqual([allFiltered[1]!.id]);
    expect((await getJson<AttemptPage>(`${base}?offset=50`)).items).toEqual([]);
    const tooMany = await getJson<{ error: string }>(`${base}?limit=5000`, 400);
    expect(tooMany.error).toBe('limit must be an integer from 0 to 1000, got "5000"');
    await getJson(`${base}?offset=-1`, 400);
  });

  it('returns an attempt with its transcript and derived rows', async () => {
    const detail = await getJson<AttemptDetail>(`/api/attempts/${encodeURIComponent(attemptIds[0]!)}`);
    expect(detail.attempt).toMatchObject({ id: attemptIds[0], outcome: 'resolved', simulated: false });
    expect(detail.events).toHaveLength(15);
    expect(detail.steps).toHaveLength(3);
    expect(detail.toolCalls.map((call) => call.validity)).toEqual(['valid', 'schema', 'valid']);
    expect(detail.toolCalls[2]!.origin).toBe('recovered');
    expect((detail.attempt.grade as { failToPass: unknown[] }).failToPass).toHaveLength(1);
    await getJson(`/api/attempts/${encodeURIComponent('missing/attempt')}`, 404);
  });

  it('streams progress until the run completes', async () => {
    const response = await app.request(`/api/runs/${runId}/live`);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}: ${text}`);
        text += decoder.decode(value);
      }
    };
    await readUntil('"pending":1');
    finishSeededAttempt(store, attemptIds.at(-1)!);
    await readUntil('"pending":0');
    store.markRun(runId, 'completed');
    await readUntil('event: end');
    const { done } = await reader.read();
    expect(done).toBe(true);
  });

  it('answers unknown API paths with 404 JSON', async () => {
    await getJson('/api/nothing', 404);
    await getJson(`/api/runs/nope/live`, 404);
    await getJson(`/api/runs/nope/agents`, 404);
  });

  it('says a run of one agent has no agents to compare', async () => {
    const view = await getJson<AgentComparisonView>(`/api/runs/${runId}/agents`);
    expect(view.severalAgents).toBe(false);
    expect(view.pairs).toEqual([]);
  });

  it('puts the same model inside several agents side by side, with paired per-task comparisons', async () => {
    const model = 'llamacpp:qwen3.5-9b';
    const { runId: agentsRunId } = seedViewerStore(store, {
      runId: 'run-20261126-140000-agents',
      models: ['built-in', 'qwen-code', 'opencode'].map((agent) => ({
        modelId: `${model}~${agent}`,
        simulated: false,
      })),
      // Four tasks × two attempts: the outcome cycle (six long) gives each agent different results.
      taskIds: ['sum-off-by-one', 'parse-date', 'retry-backoff', 'slugify'],
      agents: ['built-in', { preset: 'qwen-code' }, { preset: 'opencode' }],
    });
    const view = await getJson<AgentComparisonView>(`/api/runs/${agentsRunId}/agents`);
    const detail = await getJson<RunDetail>(`/api/runs/${agentsRunId}`);
    expect(view.severalAgents).toBe(true);
    expect(view.modelLabels).toEqual({ [model]: 'qwen3.5-9b' });
    expect(view.rows.map((row) => [row.modelId, row.agent, row.rowId])).toEqual([
      [model, 'built-in', `${model}~built-in`],
      [model, 'external (preset opencode)', `${model}~opencode`],
      [model, 'external (preset qwen-code)', `${model}~qwen-code`],
    ]);
    for (const row of view.rows) {
      // Each row is its cell's own metrics, never recomputed.
      const cell = detail.summary.find((summary) => summary.modelId === row.rowId)!;
      expect(row.resolved).toEqual(cell.resolved);
      expect(row.intervalMethod).toMatch(/^Wilson/);
      expect(row.passAt1).toBe(cell.passAtK.find((entry) => entry.k === 1)!.passAtK);
    }
    // The built-in agent's TTFT is the model client's; an external agent's is the recording proxy's (its own value).
    expect(view.rows.map((row) => [row.timeToFirstTokenSource, row.timeToFirstTokenMsP50])).toEqual([
      ['measured at the client', 300],
      ['measured at the proxy', 100],
      ['measured at the proxy', 100],
    ]);
    // Every pair of agents of the model, tested per task; four tasks cannot reach p < 0.05.
    expect(view.pairs.map((pair) => [pair.modelId, pair.agentA, pair.agentB])).toEqual([
      [model, 'built-in', 'external (preset opencode)'],
      [model, 'built-in', 'external (preset qwen-code)'],
      [model, 'external (preset opencode)', 'external (preset qwen-code)'],
    ]);
    // The agents' results differ, so the pairs compare something.
    expect(view.pairs.some((pair) => pair.comparison.wins + pair.comparison.losses > 0)).toBe(true);
    for (const pair of view.pairs) {
      expect(pair.comparison.pairs).toBe(4);
      expect(pair.comparison.tooFewToTell).toBe(true);
    }
  });
});
