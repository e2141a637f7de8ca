/**
 * JSON shapes of the viewer's HTTP API, shared by the server (`server.ts`) and the browser UI (`ui/`). Types only,
 * so the UI bundle imports nothing from Node.
 */
import type { ModelMetrics, RunMetrics } from '../metrics/run-metrics.ts';

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

/** `GET /api/runs/:id/matrix`. */
export interface RunMatrix {
  models: string[];
  tasks: string[];
  cells: MatrixCell[];
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
