/**
 * Read-only queries behind the viewer API. Counts and lists are single aggregate SQL statements over the store's
 * indexes, so a run of thousands of attempts loads in milliseconds; the model summary comes from
 * `loadRunMetrics` (transcripts streamed attempt by attempt, as `shakedown report` reads them), cached until the run
 * changes.
 */

import { agentLabelOfStoredConfig } from '../external/agent-choice.ts';
import { loadRunMetrics } from '../metrics/load-run-metrics.ts';
import type { RunMetrics } from '../metrics/run-metrics.ts';
import { shortModelLabels } from '../metrics/short-model-label.ts';
import type { Store } from '../store/store.ts';
import type {
  AttemptCounts,
  AttemptDetail,
  AttemptListItem,
  AttemptPage,
  FailureClass,
  MatrixCell,
  RunDetail,
  RunListItem,
  RunMatrix,
  RunModelRow,
  RunPage,
} from './api-types.ts';
import { failureClassOf, outcomeOf } from './failure-class.ts';
import { runModelRows } from './run-model-rows.ts';

const COUNT_COLUMNS = `COUNT(a.id) AS total,
  COALESCE(SUM(a.status = 'pending'), 0) AS pending,
  COALESCE(SUM(a.status = 'running'), 0) AS running,
  COALESCE(SUM(a.status = 'finished'), 0) AS finished,
  COALESCE(SUM(a.status = 'infrastructure-error'), 0) AS infrastructureErrors,
  COALESCE(SUM(a.status = 'finished' AND a.grade_status = 'resolved'), 0) AS resolved`;

/** The counts alone, from a row that selects more columns. */
function countsOf(row: AttemptCounts): AttemptCounts {
  return {
    total: row.total,
    pending: row.pending,
    running: row.running,
    finished: row.finished,
    infrastructureErrors: row.infrastructureErrors,
    resolved: row.resolved,
  };
}

/** A run as `RUN_SELECT` selects it: the API's run with `simulated` stored as 0/1, and its counts. */
interface RunRow extends AttemptCounts, Omit<RunDetail['run'], 'simulated' | 'attempts' | 'agent'> {
  simulated: number;
  configJson: string;
}

/** The agent label of a stored config (`built-in`, `external (preset qwen-code)` …). */
function agentOfConfigJson(configJson: string): string {
  try {
    return agentLabelOfStoredConfig(JSON.parse(configJson));
  } catch {
    return 'external (unrecognized)';
  }
}

const RUN_SELECT = `SELECT r.id, r.created_at AS createdAt, r.finished_at AS finishedAt, r.status, r.simulated, r.notes,
  r.config_hash AS configHash, r.price_table_version AS priceTableVersion, r.config_json AS configJson,
  (SELECT COUNT(*) FROM run_models m WHERE m.run_id = r.id) AS models,
  (SELECT COUNT(*) FROM run_tasks t WHERE t.run_id = r.id) AS tasks,
  ${COUNT_COLUMNS}
  FROM runs r LEFT JOIN attempts a ON a.run_id = r.id`;

function toRunListItem(row: RunRow, modelRows: Map<string, RunModelRow[]>): RunListItem {
  return {
    id: row.id,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
    status: row.status,
    simulated: row.simulated === 1,
    notes: row.notes,
    agent: agentOfConfigJson(row.configJson),
    models: row.models,
    tasks: row.tasks,
    attempts: countsOf(row),
    modelRows: modelRows.get(row.id) ?? [],
  };
}

/** The model rows of the runs in `rows` (every run of the store when `all`). */
function modelRowsOf(store: Store, rows: RunRow[], all = false): Map<string, RunModelRow[]> {
  const agents = new Map(rows.map((row) => [row.id, agentOfConfigJson(row.configJson)]));
  return runModelRows(store, (id) => agents.get(id), all ? undefined : rows.map((row) => row.id));
}

/** Every run with its model, task and attempt counts and a row per model, newest first. */
export function listRunItems(store: Store): RunListItem[] {
  const rows = store.database.$client
    .prepare(`${RUN_SELECT} GROUP BY r.id ORDER BY r.created_at DESC, r.id DESC`)
    .all() as RunRow[];
  const modelRows = modelRowsOf(store, rows, true);
  return rows.map((row) => toRunListItem(row, modelRows));
}

/** Runs the runs endpoint answers at most per page, and by default. */
export const MAX_RUNS_PAGE = 1000;
export const DEFAULT_RUNS_PAGE = 100;

/** One page of the runs list (newest first): the `limit` runs after the first `offset`, and how many there are. */
export function pageRunItems(store: Store, page: { offset?: number; limit?: number } = {}): RunPage {
  const offset = page.offset ?? 0;
  const limit = page.limit ?? DEFAULT_RUNS_PAGE;
  const connection = store.database.$client;
  const rows = connection
    .prepare(
      `${RUN_SELECT} WHERE r.id IN (SELECT id FROM runs ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?)
       GROUP BY r.id ORDER BY r.created_at DESC, r.id DESC`,
    )
    .all(limit, offset) as RunRow[];
  const total = connection.prepare('SELECT COUNT(*) FROM runs').pluck().get() as number;
  const modelRows = modelRowsOf(store, rows);
  return { items: rows.map((row) => toRunListItem(row, modelRows)), total, offset, limit };
}

/** One run with its counts, or null. */
export function runItem(store: Store, runId: string): (RunListItem & RunDetail['run']) | null {
  const row = store.database.$client.prepare(`${RUN_SELECT} WHERE r.id = ? GROUP BY r.id`).get(runId) as
    | RunRow
    | undefined;
  if (!row) return null;
  return {
    ...toRunListItem(row, modelRowsOf(store, [row])),
    configHash: row.configHash,
    priceTableVersion: row.priceTableVersion,
  };
}

/** Attempt counts of a run and the run status (what the live stream watches); null for an unknown run. */
export function runProgress(store: Store, runId: string): { status: string; attempts: AttemptCounts } | null {
  const row = store.database.$client
    .prepare(
      `SELECT r.status AS runStatus, ${COUNT_COLUMNS} FROM runs r LEFT JOIN attempts a ON a.run_id = r.id WHERE r.id = ? GROUP BY r.id`,
    )
    .get(runId) as (AttemptCounts & { runStatus: string }) | undefined;
  return row ? { status: row.runStatus, attempts: countsOf(row) } : null;
}

/** Tasks the matrix endpoint answers at most per page, and by default. */
export const MAX_MATRIX_PAGE = 1000;
export const DEFAULT_MATRIX_PAGE = 100;

/**
 * One page of a run's task × model matrix: the `limit` tasks (by id) after the first `offset`, every model, the
 * cells of those tasks with their attempt counts, and how many tasks the run has in all.
 */
export function runMatrix(
  store: Store,
  runId: string,
  page: { offset?: number; limit?: number } = {},
): RunMatrix {
  const offset = page.offset ?? 0;
  const limit = page.limit ?? DEFAULT_MATRIX_PAGE;
  const connection = store.database.$client;
  const pageTasks = 'SELECT task_id FROM run_tasks WHERE run_id = ? ORDER BY task_id LIMIT ? OFFSET ?';
  const tasks = connection.prepare(pageTasks).pluck().all(runId, limit, offset) as string[];
  const totalTasks = connection
    .prepare('SELECT COUNT(*) FROM run_tasks WHERE run_id = ?')
    .pluck()
    .get(runId) as number;
  const cells = connection
    .prepare(
      `SELECT a.model_id AS modelId, a.task_id AS taskId, ${COUNT_COLUMNS}
       FROM attempts a WHERE a.run_id = ? AND a.task_id IN (${pageTasks})
       GROUP BY a.model_id, a.task_id ORDER BY a.task_id, a.model_id`,
    )
    .all(runId, runId, limit, offset) as Array<AttemptCounts & { modelId: string; taskId: string }>;
  return {
    models: store.runModels(runId).map((model) => model.modelId),
    tasks,
    cells: cells.map(
      (cell): MatrixCell => ({ modelId: cell.modelId, taskId: cell.taskId, ...countsOf(cell) }),
    ),
    offset,
    limit,
    totalTasks,
  };
}

/** Filters of `listAttemptItems`; list values are alternatives. */
export interface AttemptItemFilter {
  status?: string[];
  failureClass?: FailureClass[];
  outcome?: string[];
  modelId?: string;
  taskId?: string;
}

/** An attempt as `ATTEMPT_COLUMNS` selects it: the API's list item before its outcome is derived (`resolved` 0/1). */
interface AttemptRow extends Omit<AttemptListItem, 'resolved' | 'outcome' | 'failureClass'> {
  resolved: number | null;
  /** The grade's `tampering.detected` (1/0, null without a grade). */
  tamperingDetected?: number | null;
}

const ATTEMPT_COLUMNS = `id, model_id AS modelId, task_id AS taskId, attempt_index AS attemptIndex, status,
  agent_status AS agentStatus, grade_status AS gradeStatus, resolved, wall_ms AS wallMs, steps, cost_usd AS costUsd, error,
  json_extract(grade_json, '$.tampering.detected') AS tamperingDetected`;

function toAttemptListItem({ tamperingDetected, ...row }: AttemptRow): AttemptListItem {
  const outcome = outcomeOf({ ...row, tamperingDetected: tamperingDetected === 1 });
  return {
    ...row,
    resolved: row.resolved === null ? null : row.resolved === 1,
    outcome,
    failureClass: failureClassOf(outcome),
  };
}

/** Attempts the attempts endpoint answers at most per page, and by default. */
export const MAX_ATTEMPTS_PAGE = 1000;
export const DEFAULT_ATTEMPTS_PAGE = 100;

/**
 * One page of a run's attempts (by model, task, index), filtered by status, failure class, outcome, model and task:
 * the `limit` matching attempts after the first `offset`, and how many match in all. Without an outcome or failure
 * class filter SQLite counts and pages the rows; with one, rows are read one at a time, so memory holds one page
 * whatever the run's size.
 */
export function pageAttemptItems(
  store: Store,
  runId: string,
  filter: AttemptItemFilter = {},
  page: { offset?: number; limit?: number } = {},
): AttemptPage {
  const offset = page.offset ?? 0;
  const limit = page.limit ?? DEFAULT_ATTEMPTS_PAGE;
  const conditions = ['run_id = ?'];
  const parameters: unknown[] = [runId];
  if (filter.status && filter.status.length > 0) {
    conditions.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
    parameters.push(...filter.status);
  }
  if (filter.modelId !== undefined) {
    conditions.push('model_id = ?');
    parameters.push(filter.modelId);
  }
  if (filter.taskId !== undefined) {
    conditions.push('task_id = ?');
    parameters.push(filter.taskId);
  }
  const connection = store.database.$client;
  const where = conditions.join(' AND ');
  const order = 'ORDER BY model_id, task_id, attempt_index';
  if (!filter.failureClass?.length && !filter.outcome?.length) {
    // Every filter is a column: SQLite counts the matches and reads only the page's rows.
    const total = connection
      .prepare(`SELECT COUNT(*) FROM attempts WHERE ${where}`)
      .pluck()
      .get(...parameters);
    const pageRows = connection
      .prepare(`SELECT ${ATTEMPT_COLUMNS} FROM attempts WHERE ${where} ${order} LIMIT ? OFFSET ?`)
      .all(...parameters, limit, offset) as AttemptRow[];
    return { items: pageRows.map(toAttemptListItem), total: total as number, offset, limit };
  }
  // Outcomes and failure classes are derived in code: the matching rows are read one at a time, the page's kept.
  const rows = connection
    .prepare(`SELECT ${ATTEMPT_COLUMNS} FROM attempts WHERE ${where} ${order}`)
    .iterate(...parameters) as IterableIterator<AttemptRow>;
  const items: AttemptListItem[] = [];
  let total = 0;
  for (const row of rows) {
    const item = toAttemptListItem(row);
    if (filter.failureClass?.length && !filter.failureClass.includes(item.failureClass)) continue;
    if (filter.outcome?.length && !filter.outcome.includes(item.outcome)) continue;
    if (total >= offset && items.length < limit) items.push(item);
    total += 1;
  }
  return { items, total, offset, limit };
}

/** An attempt with its full transcript and derived step and tool-call rows, or null. */
export function attemptDetail(store: Store, attemptId: string): AttemptDetail | null {
  const record = store.attempt(attemptId);
  if (!record) return null;
  const row = store.database.$client
    .prepare(`SELECT ${ATTEMPT_COLUMNS} FROM attempts WHERE id = ?`)
    .get(attemptId) as AttemptRow;
  const runModels = store.runModels(record.runId);
  const model = runModels.find((candidate) => candidate.modelId === record.modelId);
  const agent = agentLabelOfStoredConfig(store.getRun(record.runId)?.config ?? null);
  const modelLabel = shortModelLabels(runModels, agent).get(record.modelId) ?? record.modelId;
  const events = store.events(attemptId);
  const simulated =
    (model?.simulated ?? false) ||
    events.some(
      (event) =>
        (event.type === 'attempt-started' && event.simulated) ||
        (event.type === 'model-response' && event.result.simulated),
    );
  return {
    attempt: {
      ...toAttemptListItem(row),
      runId: record.runId,
      startedAt: record.startedAt,
      finishedAt: record.finishedAt,
      modelMs: record.modelMs,
      toolMs: record.toolMs,
      testMs: record.testMs,
      inputTokens: record.inputTokens,
      outputTokens: record.outputTokens,
      reasoningTokens: record.reasoningTokens,
      cachedInputTokens: record.cachedInputTokens,
      grade: record.grade,
      simulated,
      modelLabel,
    },
    events: events as AttemptDetail['events'],
    steps: store.steps({ attemptId }),
    toolCalls: store.toolCalls({ attemptId }),
  };
}

/**
 * Computes a run's metrics from the store as `shakedown report` does (`loadRunMetrics`: transcripts streamed attempt
 * by attempt), without validating events again (they were validated when stored).
 */
export function computeStoredRunMetrics(store: Store, runId: string): RunMetrics | null {
  if (!store.getRun(runId)) return null;
  return loadRunMetrics(store, runId, { validateEvents: false });
}

/** A cheap value that changes whenever a run's attempts or any transcript change (cache key of the metrics). */
export function runFingerprint(store: Store, runId: string): string {
  const row = store.database.$client
    .prepare(
      `SELECT r.status, ${COUNT_COLUMNS}, MAX(a.finished_at) AS lastFinished, (SELECT MAX(rowid) FROM events) AS lastEvent
       FROM runs r LEFT JOIN attempts a ON a.run_id = r.id WHERE r.id = ? GROUP BY r.id`,
    )
    .get(runId);
  return JSON.stringify(row ?? null);
}

/** Caches run metrics per run until its fingerprint changes. */
export class RunMetricsCache {
  private readonly entries = new Map<string, { fingerprint: string; metrics: RunMetrics }>();

  constructor(private readonly store: Store) {}

  /** The run's metrics, recomputed only when the run changed since the last call; null for an unknown run. */
  get(runId: string): RunMetrics | null {
    const fingerprint = runFingerprint(this.store, runId);
    const cached = this.entries.get(runId);
    if (cached && cached.fingerprint === fingerprint) return cached.metrics;
    const metrics = computeStoredRunMetrics(this.store, runId);
    if (!metrics) return null;
    this.entries.set(runId, { fingerprint, metrics });
    return metrics;
  }
}

/** `GET /api/runs/:id`: the run, its models and tasks, and per-model metrics. */
export function runDetail(store: Store, runId: string, cache: RunMetricsCache): RunDetail | null {
  const run = runItem(store, runId);
  const metrics = cache.get(runId);
  if (!run || !metrics) return null;
  // The metrics carry the short labels (URLs and credentials stripped, a configured label kept, the agent named).
  const labels = new Map(metrics.models.map((model) => [model.modelId, model.label]));
  return {
    run,
    models: store.runModels(runId).map(({ modelId, label, provider, simulated }) => ({
      modelId,
      label: labels.get(modelId) ?? label,
      provider,
      simulated,
    })),
    tasks: store.runTasks(runId).map(({ taskId, suite, multiTurn }) => ({ taskId, suite, multiTurn })),
    summary: metrics.models,
    comparisons: metrics.comparisons,
  };
}
