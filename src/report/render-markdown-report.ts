/**
 * The compact Markdown report, sized for a pull-request comment: a headline table per model, paired comparisons,
 * failure classes, cost notes, and a SIMULATED banner when any number came from a simulated model.
 */
import { compareAgents, hasSeveralAgents } from '../metrics/agent-comparison.ts';
import { describeModelBackend } from '../metrics/model-backend.ts';
import type { ModelMetrics, RunMetrics } from '../metrics/run-metrics.ts';
import { escapeMarkdown } from './escape-markdown.ts';
import {
  formatMeanWithError,
  formatMilliseconds,
  formatNumber,
  formatPairedInterval,
  formatPairedTest,
  formatPercent,
  formatPoints,
  formatRateWithCounts,
  formatResolvedInterval,
  formatUsd,
  MISSING,
} from './format-values.ts';
import { renderAgentComparisonMarkdown } from './render-agent-comparison.ts';

export { escapeMarkdown } from './escape-markdown.ts';

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(header: string[], rows: string[][]): string[] {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)];
}

function modelName(model: ModelMetrics): string {
  return `${escapeMarkdown(model.label)}${model.simulated ? ' (simulated)' : ''}`;
}

/** `pass@k` / `pass^k` at the largest k measured, as `k=3: 80.0% / 20.0%`. */
function passAtLargestK(model: ModelMetrics): { passAtK: string; passHatK: string } {
  const last = model.passAtK.at(-1);
  if (!last) return { passAtK: MISSING, passHatK: MISSING };
  return {
    passAtK: `${formatPercent(last.passAtK)} (k=${last.k})`,
    passHatK: `${formatPercent(last.passHatK)} (k=${last.k})`,
  };
}

/** The headline table per model, as Markdown lines (also printed by `shakedown rescore`). */
export function renderHeadlineTable(metrics: RunMetrics): string[] {
  return table(
    [
      'Model',
      'Resolved',
      '95% CI (method)',
      'Runs mean ± SEM',
      'pass@k',
      'pass^k',
      'Valid tool calls',
      'TTFT p50',
      'Decode tok/s p50',
      'Cost / resolved',
      'Infra errors',
    ],
    metrics.models.map((model) => {
      const pass = passAtLargestK(model);
      return [
        modelName(model),
        formatRateWithCounts(model.resolved),
        formatResolvedInterval(model.resolved),
        formatMeanWithError(model.repetitions.resolvedRate),
        pass.passAtK,
        pass.passHatK,
        formatPercent(model.toolCalls.validShare),
        formatMilliseconds(model.latency.timeToFirstTokenMs.p50),
        formatNumber(model.latency.decodeTokensPerSecond.p50, 1),
        formatUsd(model.cost.perResolvedTaskUsd),
        String(model.attempts.infrastructureErrors),
      ];
    }),
  );
}

function comparisons(metrics: RunMetrics): string[] {
  const labels = new Map(metrics.models.map((model) => [model.modelId, escapeMarkdown(model.label)]));
  return metrics.comparisons.map(({ modelA, modelB, comparison }) => {
    return (
      `- **${labels.get(modelA)} vs ${labels.get(modelB)}** (paired over ${comparison.pairs} tasks): ` +
      `${formatPoints(comparison.meanDifference)} resolved rate, ` +
      `${comparison.wins} wins / ${comparison.losses} losses / ${comparison.ties} ties, ` +
      `${formatPairedTest(comparison)}; ${formatPairedInterval(comparison)}`
    );
  });
}

function failures(metrics: RunMetrics): string[] {
  return metrics.models.map((model) => {
    const classes = Object.entries(model.failures.outcomes)
      .filter(([outcome]) => outcome !== 'resolved')
      .map(([outcome, count]) => `${escapeMarkdown(outcome)} ${count}`);
    return `- **${escapeMarkdown(model.label)}**: ${classes.length > 0 ? classes.join(', ') : 'none'}`;
  });
}

/** A warning naming the models whose attempts tried to influence their grading (empty when none did). */
function tamperingNotice(metrics: RunMetrics): string[] {
  const tampered = metrics.models.filter((model) => model.attempts.tamperingDetected > 0);
  if (tampered.length === 0) return [];
  const counts = tampered.map(
    (model) =>
      `${escapeMarkdown(model.label)} ${model.attempts.tamperingDetected} of ${model.attempts.scored}`,
  );
  return [
    '> [!CAUTION]',
    `> **Tampering detected** in attempts of ${counts.join(', ')}: test files, test infrastructure or the test ` +
      'environment were changed. Grading ran on a clean copy without those changes; a tampered test environment ' +
      'is graded invalid, never resolved.',
    '',
  ];
}

function costNotes(metrics: RunMetrics): string[] {
  const lines = metrics.models.map(
    (model) =>
      `- **${escapeMarkdown(model.label)}**: ${formatUsd(model.cost.totalUsd)} total — ${escapeMarkdown(model.cost.basis)}`,
  );
  const labels = new Map(metrics.models.map((model) => [model.modelId, escapeMarkdown(model.label)]));
  for (const entry of metrics.breakEven) {
    const volume =
      entry.resolvedTasks === null
        ? 'no break-even'
        : `break-even after ${entry.resolvedTasks} resolved tasks`;
    lines.push(
      `- ${labels.get(entry.localModel)} vs ${labels.get(entry.apiModel)}: ${volume} (${escapeMarkdown(entry.reason)})`,
    );
  }
  return lines;
}

function backends(metrics: RunMetrics): string[] {
  return metrics.models.flatMap((model) =>
    model.backend
      ? [`- **${escapeMarkdown(model.label)}**: ${escapeMarkdown(describeModelBackend(model.backend))}`]
      : [],
  );
}

/** Renders the run's metrics as compact Markdown. */
export function renderMarkdownReport(metrics: RunMetrics): string {
  const lines: string[] = [];
  lines.push(`## Shakedown report — ${escapeMarkdown(metrics.run.id)}`, '');
  if (metrics.simulated) {
    const simulated = metrics.models
      .filter((model) => model.simulated)
      .map((model) => escapeMarkdown(model.label));
    lines.push(
      `> [!WARNING]`,
      `> **SIMULATED**: ${simulated.join(', ')} ran against a simulated model. These numbers say nothing about a real model.`,
      '',
    );
  }
  const scored = metrics.models.reduce((sum, model) => sum + model.attempts.scored, 0);
  lines.push(
    `${metrics.models.length} models × ${metrics.tasks.length} tasks, ${scored} scored attempts ` +
      `(run ${escapeMarkdown(metrics.run.status)}, prices ${escapeMarkdown(metrics.run.priceTableVersion)}, ` +
      `agent: ${escapeMarkdown(metrics.run.agent ?? 'built-in')}). ` +
      'Infrastructure errors are excluded from scores.',
    '',
  );
  lines.push(...renderHeadlineTable(metrics), '');
  lines.push(...tamperingNotice(metrics));
  if (metrics.comparisons.length > 0)
    lines.push('**Paired per-task comparison**', '', ...comparisons(metrics), '');
  if (hasSeveralAgents([metrics])) lines.push(renderAgentComparisonMarkdown(compareAgents([metrics])));
  lines.push('**Failure classes**', '', ...failures(metrics), '');
  lines.push('**Cost**', '', ...costNotes(metrics), '');
  const backendLines = backends(metrics);
  if (backendLines.length > 0) lines.push('**Embedded model backend**', '', ...backendLines, '');
  return `${lines.join('\n').trimEnd()}\n`;
}
