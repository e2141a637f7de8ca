import type { AgentComparison } from '../metrics/agent-comparison.ts';
import {
  formatInterval,
  formatMilliseconds,
  formatNumber,
  formatPercent,
  formatRateWithCounts,
  formatUsd,
} from './format-values.ts';
import { escapeMarkdown } from './render-markdown-report.ts';

/**
 * Markdown table of the same models inside different agents (see compareAgents), one row per (model, agent, run).
 * Simulated rows say so; time to first token is the model client's, measured the same way for every agent.
 */
export function renderAgentComparisonMarkdown(comparison: AgentComparison): string {
  const lines = [
    '## Agents side by side',
    '',
    '| model | agent | run | resolved | 95% CI | pass@1 | valid calls | recovered calls | infra errors | steps p50 | attempt p50 | TTFT p50 | $ / resolved |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of comparison.rows) {
    const model = `${escapeMarkdown(row.label)}${row.simulated ? ' (SIMULATED)' : ''}`;
    lines.push(
      `| ${model} | ${escapeMarkdown(row.agent)} | ${escapeMarkdown(row.runId)} | ${formatRateWithCounts(row.resolved)} | ` +
        `${formatInterval(row.resolved.low, row.resolved.high)} | ${formatPercent(row.passAt1)} | ` +
        `${formatPercent(row.validToolCallShare)} | ${formatPercent(row.recoveredToolCallShare)} | ` +
        `${row.infrastructureErrors} | ${formatNumber(row.stepsPerTaskP50, 1)} | ${formatMilliseconds(row.attemptWallMsP50)} | ` +
        `${formatMilliseconds(row.timeToFirstTokenMsP50)} | ${formatUsd(row.costPerResolvedTaskUsd)} |`,
    );
  }
  lines.push('');
  if (comparison.tasksInSomeRunsOnly > 0) {
    lines.push(
      `> Task sets differ: ${comparison.tasksInEveryRun} tasks are in every run, ${comparison.tasksInSomeRunsOnly} only in some; ` +
        'rates over different tasks compare with care.',
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
