/**
 * `GET /api/runs/:id/agents`: a run's model × agent cells side by side, from the run's cached metrics through
 * `compareAgents` (the same rows and paired tests as the Markdown and HTML reports).
 */
import { compareAgents, hasSeveralAgents } from '../metrics/agent-comparison.ts';
import type { RunMetrics } from '../metrics/run-metrics.ts';
import { shortModelLabels } from '../metrics/short-model-label.ts';
import { describePassRateInterval } from '../metrics/task-clustered-interval.ts';
import type { AgentComparisonView } from './api-types.ts';
import { isExternalAgentRow, timeToFirstTokenSource } from './time-to-first-token-source.ts';

/** The agent comparison of one run's metrics, each row with its interval method and where its TTFT was measured. */
export function agentComparisonView(metrics: RunMetrics): AgentComparisonView {
  const comparison = compareAgents([metrics]);
  const models = new Map(metrics.models.map((model) => [model.modelId, model]));
  const runAgent = metrics.run.agent ?? 'built-in';
  const modelIds = [...new Set(comparison.rows.map((row) => row.modelId))];
  const labels = shortModelLabels(modelIds.map((modelId) => ({ modelId, label: modelId })));
  return {
    ...comparison,
    severalAgents: hasSeveralAgents([metrics]),
    modelLabels: Object.fromEntries(modelIds.map((modelId) => [modelId, labels.get(modelId) ?? modelId])),
    rows: comparison.rows.map((row) => {
      const model = models.get(row.rowId);
      const { method, effectiveTrials } = row.resolved;
      return {
        ...row,
        intervalMethod:
          method === null || effectiveTrials === null
            ? null
            : describePassRateInterval(method, effectiveTrials),
        timeToFirstTokenSource: model
          ? timeToFirstTokenSource(model.latency.timeToFirstTokenMs, isExternalAgentRow(model, runAgent))
          : null,
      };
    }),
  };
}
