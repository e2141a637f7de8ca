import type { RunMetrics } from './run-metrics.ts';

/**
 * The same model inside different agents, side by side ("Qwen 3.5 9B in Qwen Code vs in OpenCode vs shakedown's
 * agent"): one row per (model, agent) over runs that differ in their agent. A run has one agent, so the
 * comparison spans runs; the figures are each run's own metrics, never recomputed.
 */
export interface AgentComparisonRow {
  runId: string;
  /** `built-in` or `external (preset qwen-code)` … */
  agent: string;
  modelId: string;
  label: string;
  simulated: boolean;
  tasksScored: number;
  resolved: RunMetrics['models'][number]['resolved'];
  /** pass@1 (null with no scored task). */
  passAt1: number | null;
  /** Share of valid tool calls, judged against the tools each agent declared. */
  validToolCallShare: number | null;
  recoveredToolCallShare: number | null;
  infrastructureErrors: number;
  stepsPerTaskP50: number | null;
  attemptWallMsP50: number | null;
  timeToFirstTokenMsP50: number | null;
  costPerResolvedTaskUsd: number | null;
}

export interface AgentComparison {
  rows: AgentComparisonRow[];
  /** Tasks scored in every run, and in some run only: rates over different task sets compare with care. */
  tasksInEveryRun: number;
  tasksInSomeRunsOnly: number;
}

/** Rows ordered by model, then agent (built-in first). */
export function compareAgents(runs: readonly RunMetrics[]): AgentComparison {
  const rows = runs.flatMap((run) =>
    run.models.map(
      (model): AgentComparisonRow => ({
        runId: run.run.id,
        agent: run.run.agent ?? 'built-in',
        modelId: model.modelId,
        label: model.label,
        simulated: model.simulated,
        tasksScored: model.tasksScored,
        resolved: model.resolved,
        passAt1: model.passAtK.find((entry) => entry.k === 1)?.passAtK ?? null,
        validToolCallShare: model.toolCalls.validShare,
        recoveredToolCallShare: model.toolCalls.recoveredShare,
        infrastructureErrors: model.attempts.infrastructureErrors,
        stepsPerTaskP50: model.stepsPerTask.p50,
        attemptWallMsP50: model.latency.attemptWallMs.p50,
        timeToFirstTokenMsP50: model.latency.timeToFirstTokenMs.p50,
        costPerResolvedTaskUsd: model.cost.perResolvedTaskUsd,
      }),
    ),
  );
  const agentOrder = (agent: string): string => (agent === 'built-in' ? '' : agent);
  rows.sort(
    (a, b) =>
      a.modelId.localeCompare(b.modelId) ||
      agentOrder(a.agent).localeCompare(agentOrder(b.agent)) ||
      a.runId.localeCompare(b.runId),
  );
  const taskSets = runs.map((run) => new Set(run.tasks.map((task) => task.taskId)));
  const all = new Set(taskSets.flatMap((set) => [...set]));
  const inEvery = [...all].filter((task) => taskSets.every((set) => set.has(task))).length;
  return { rows, tasksInEveryRun: inEvery, tasksInSomeRunsOnly: all.size - inEvery };
}
