import { compareModels } from './compute-run-metrics.ts';
import type { ModelMetrics, ModelPairComparison, RunMetrics } from './run-metrics.ts';

/**
 * The same model inside different agents, side by side ("Qwen 3.5 9B in Qwen Code vs in OpenCode vs shakedown's
 * agent"): one row per (model, agent), from one run with several agents (each cell = model × agent) or from runs
 * that differ in their agent. The figures are each cell's own metrics, never recomputed; the paired per-task
 * comparisons between agents of the same model reuse the run's exact tests.
 */
export interface AgentComparisonRow {
  runId: string;
  /** `built-in` or `external (preset qwen-code)` … */
  agent: string;
  /** The model's own id (a cell's model id in a run with several agents). */
  modelId: string;
  /** The row's id in its run's metrics (the cell id `<model>~<agent>` in a run with several agents). */
  rowId: string;
  label: string;
  simulated: boolean;
  tasksScored: number;
  resolved: RunMetrics['models'][number]['resolved'];
  /** pass@1 (null with no scored task). */
  passAt1: number | null;
  /** pass@k at the largest k every task reached (null with one attempt per task). */
  passAtLargestK: { k: number; passAtK: number } | null;
  /** Share of valid tool calls, judged against the tools each agent declared. */
  validToolCallShare: number | null;
  recoveredToolCallShare: number | null;
  infrastructureErrors: number;
  stepsPerTaskP50: number | null;
  attemptWallMsP50: number | null;
  timeToFirstTokenMsP50: number | null;
  /** Input + output tokens per resolved task (null with none resolved). */
  tokensPerResolvedTask: number | null;
  costPerResolvedTaskUsd: number | null;
}

/** A paired per-task comparison of one model inside two agents. */
export interface AgentPairComparison {
  modelId: string;
  labelA: string;
  labelB: string;
  agentA: string;
  agentB: string;
  comparison: ModelPairComparison['comparison'];
}

export interface AgentComparison {
  rows: AgentComparisonRow[];
  /** Each model inside each pair of agents, paired per task (exact tests; "too few tasks to tell" said so). */
  pairs: AgentPairComparison[];
  /** Tasks scored in every run, and in some run only: rates over different task sets compare with care. */
  tasksInEveryRun: number;
  tasksInSomeRunsOnly: number;
}

/** The agent label of a metrics row: its cell's agent in a run with several, else the run's agent. */
function agentOfRow(run: RunMetrics, model: ModelMetrics): string {
  const cell = model.agentCell;
  if (!cell) return run.run.agent ?? 'built-in';
  if (cell.agentName === 'built-in') return 'built-in';
  return cell.agentName === 'command' ? 'external (command)' : `external (preset ${cell.agentName})`;
}

/** Rows ordered by model, then agent (built-in first). */
export function compareAgents(runs: readonly RunMetrics[]): AgentComparison {
  const entries = runs.flatMap((run) =>
    run.models.map((model) => {
      const row: AgentComparisonRow = {
        runId: run.run.id,
        agent: agentOfRow(run, model),
        modelId: model.agentCell?.modelId ?? model.modelId,
        rowId: model.modelId,
        label: model.label,
        simulated: model.simulated,
        tasksScored: model.tasksScored,
        resolved: model.resolved,
        passAt1: model.passAtK.find((entry) => entry.k === 1)?.passAtK ?? null,
        passAtLargestK: largestK(model),
        validToolCallShare: model.toolCalls.validShare,
        recoveredToolCallShare: model.toolCalls.recoveredShare,
        infrastructureErrors: model.attempts.infrastructureErrors,
        stepsPerTaskP50: model.stepsPerTask.p50,
        attemptWallMsP50: model.latency.attemptWallMs.p50,
        timeToFirstTokenMsP50: model.latency.timeToFirstTokenMs.p50,
        tokensPerResolvedTask: model.tokens.totalPerResolvedTask,
        costPerResolvedTaskUsd: model.cost.perResolvedTaskUsd,
      };
      return { row, model };
    }),
  );
  const agentOrder = (agent: string): string => (agent === 'built-in' ? '' : agent);
  entries.sort(
    (a, b) =>
      a.row.modelId.localeCompare(b.row.modelId) ||
      agentOrder(a.row.agent).localeCompare(agentOrder(b.row.agent)) ||
      a.row.runId.localeCompare(b.row.runId),
  );
  const pairs: AgentPairComparison[] = [];
  for (let first = 0; first < entries.length; first++) {
    for (let second = first + 1; second < entries.length; second++) {
      const a = entries[first];
      const b = entries[second];
      if (!a || !b || a.row.modelId !== b.row.modelId || a.row.agent === b.row.agent) continue;
      pairs.push({
        modelId: a.row.modelId,
        labelA: a.row.label,
        labelB: b.row.label,
        agentA: a.row.agent,
        agentB: b.row.agent,
        comparison: compareModels(a.model, b.model).comparison,
      });
    }
  }
  const taskSets = runs.map((run) => new Set(run.tasks.map((task) => task.taskId)));
  const all = new Set(taskSets.flatMap((set) => [...set]));
  const inEvery = [...all].filter((task) => taskSets.every((set) => set.has(task))).length;
  return {
    rows: entries.map((entry) => entry.row),
    pairs,
    tasksInEveryRun: inEvery,
    tasksInSomeRunsOnly: all.size - inEvery,
  };
}

/** Whether metrics hold more than one agent: several runs, or one run with several agents. */
export function hasSeveralAgents(runs: readonly RunMetrics[]): boolean {
  const agents = new Set(runs.flatMap((run) => run.models.map((model) => agentOfRow(run, model))));
  return agents.size > 1;
}

function largestK(model: ModelMetrics): { k: number; passAtK: number } | null {
  const entry = model.passAtK.at(-1);
  return entry && entry.k > 1 ? { k: entry.k, passAtK: entry.passAtK } : null;
}
