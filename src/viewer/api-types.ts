/**
 * JSON shapes of the viewer's HTTP API, shared by the server (`server.ts`) and the browser UI (`ui/`). Types only,
 * so the UI bundle imports nothing from Node.
 */
import type { AgentComparison, AgentComparisonRow } from '../metrics/agent-comparison.ts';
import type { ModelMetrics, RateWithInterval, RunMetrics } from '../metrics/run-metrics.ts';

/** Coarse failure class of an attempt, used by the attempts filter. */
export type FailureClass = 'none' | 'agent' | 'grade' | 'infrastructure' | 'incomplete';

/** One run of `GET /api/runs`. */
export interface RunListItem {
  id: string;
  createdAt: string;
  finishedAt: string | null;
  status: string;
  simulated: boolean;
  notes: string | null;
  /** The agent under test: `built-in` or `external (preset qwen-code)` …; compare runs of different agents. */
  agent: string;
  models: number;
  tasks: number;
  attempts: AttemptCounts;
  /** One row per model of the run, by model id. */
  modelRows: RunModelRow[];
}

/** One model of a run in the runs list: counted as the run page counts it (`computeRunMetrics`). */
export interface RunModelRow {
  modelId: string;
  /** Short display label (`shortModelLabels`, unique within the run, external agent appended). */
  label: string;
  simulated: boolean;
  /** Resolved share of scored attempts (finished, not infrastructure errors) with its 95% Wilson interval. */
  resolved: RateWithInterval;
  /** Attempts done (finished or infrastructure error) and planned. */
  done: number;
  total: number;
  infrastructureErrors: number;
}

/** One run of a model in `GET /api/leaderboard`. */
export interface LeaderboardRun {
  runId: string;
  createdAt: string;
  status: string;
  resolved: RateWithInterval;
}

/** One model (model id + agent) across runs in `GET /api/leaderboard`. */
export interface LeaderboardEntry {
  modelId: string;
  agent: string;
  /** The short label of its latest run. */
  label: string;
  simulated: boolean;
  /** The newest run with a scored attempt (else the newest run). */
  latest: LeaderboardRun;
  /** The run with the highest resolved rate (more scored attempts, then newer, break ties); null when none scored. */
  best: LeaderboardRun | null;
  /** Every run of this model and agent, newest first. */
  runs: LeaderboardRun[];
}

/** Attempt counts of a run (or of a matrix cell). */
export interface AttemptCounts {
  total: number;
  pending: number;
  running: number;
  finished: number;
  infrastructureErrors: number;
  resolved: number;
}

/** `GET /api/runs/:id`. */
export interface RunDetail {
  run: RunListItem & { configHash: string; priceTableVersion: string | null };
  models: Array<{ modelId: string; label: string; provider: string; simulated: boolean }>;
  tasks: Array<{ taskId: string; suite: string | null; multiTurn: boolean }>;
  /** Per-model metrics from `computeRunMetrics` (resolved rate with Wilson CI, pass@k, latency, cost, tool calls). */
  summary: ModelMetrics[];
  comparisons: RunMetrics['comparisons'];
}

/** One cell of `GET /api/runs/:id/matrix`. */
export interface MatrixCell extends AttemptCounts {
  modelId: string;
  taskId: string;
}

/** `GET /api/runs/:id/matrix?offset=&limit=`: one page of tasks (by id), every model, the cells of those tasks. */
export interface RunMatrix {
  models: string[];
  /** The page's tasks: `limit` at most, after the first `offset` of the run's `totalTasks`. */
  tasks: string[];
  cells: MatrixCell[];
  offset: number;
  limit: number;
  totalTasks: number;
}

/** One row of `GET /api/runs/:id/attempts`. */
export interface AttemptListItem {
  id: string;
  modelId: string;
  taskId: string;
  attemptIndex: number;
  status: string;
  agentStatus: string | null;
  gradeStatus: string | null;
  resolved: boolean | null;
  outcome: string;
  failureClass: FailureClass;
  wallMs: number | null;
  steps: number | null;
  costUsd: number | null;
  error: string | null;
}

/** One page of a run's attempts (`/api/runs/:id/attempts?offset=&limit=`): `total` counts every matching attempt. */
/** `GET /api/runs?offset=&limit=`: one page of the runs list, newest first, and how many runs there are. */
export interface RunPage {
  items: RunListItem[];
  total: number;
  offset: number;
  limit: number;
}

export interface AttemptPage {
  items: AttemptListItem[];
  total: number;
  offset: number;
  limit: number;
}

/** `GET /api/attempts/:id`. */
export interface AttemptDetail {
  attempt: AttemptListItem & {
    runId: string;
    startedAt: string | null;
    finishedAt: string | null;
    modelMs: number | null;
    toolMs: number | null;
    testMs: number | null;
    inputTokens: number | null;
    outputTokens: number | null;
    reasoningTokens: number | null;
    cachedInputTokens: number | null;
    grade: Record<string, unknown> | null;
    simulated: boolean;
    /** The model's short label in its run (the same as the run page and the reports show). */
    modelLabel: string;
  };
  /** The full transcript, by sequence. */
  events: Array<Record<string, unknown> & { type: string; sequence: number; time: string }>;
  steps: Array<Record<string, unknown>>;
  toolCalls: Array<Record<string, unknown>>;
}

/** Payload of a `progress` server-sent event of `GET /api/runs/:id/live`. */
export interface LiveProgress {
  runId: string;
  status: string;
  attempts: AttemptCounts;
}

/** One (model, agent) row of `GET /api/runs/:id/agents`: `compareAgents`' row and how two of its figures were made. */
export interface AgentComparisonViewRow extends AgentComparisonRow {
  /** How the resolved rate's 95% interval was computed (`Wilson, one attempt per task` …); null unscored. */
  intervalMethod: string | null;
  /** Where the time to first token was measured (`measured at the proxy` for external agents …); null with none. */
  timeToFirstTokenSource: string | null;
}

/**
 * `GET /api/runs/:id/agents`: the same model inside the run's agents, side by side (`compareAgents`), with the
 * paired per-task comparisons between the agents of each model. `severalAgents` is false for a run of one agent.
 */
export interface AgentComparisonView extends Omit<AgentComparison, 'rows'> {
  severalAgents: boolean;
  rows: AgentComparisonViewRow[];
  /** Short display label of each model id of the rows (URLs and credentials stripped, `shortModelLabels`). */
  modelLabels: Record<string, string>;
}
