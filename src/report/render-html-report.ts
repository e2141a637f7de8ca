/**
 * The HTML report: ONE self-contained file (styles, data, d3 + Observable Plot inlined; no network) with summary
 * cards, tables and plots. Every value from the run (model names, task ids) is escaped. Stable `id`s and
 * `data-testid`s mark each table and plot for browser tests.
 */
import { compareAgents, hasSeveralAgents } from '../metrics/agent-comparison.ts';
import { describeModelBackend } from '../metrics/model-backend.ts';
import type { ModelMetrics, RunMetrics } from '../metrics/run-metrics.ts';
import { escapeHtml, jsonForScript, scriptSourceForHtml } from './escape-html.ts';
import {
  formatInterval,
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
import { HTML_PLOT_SCRIPT } from './html-plot-script.ts';
import { loadPlotBundles, type PlotBundles } from './plot-bundles.ts';
import { renderAgentComparisonHtml } from './render-agent-comparison.ts';

/** Options of `renderHtmlReport`. */
export interface RenderHtmlReportOptions {
  /** Scripts to inline (default: d3 and Plot from node_modules). */
  bundles?: PlotBundles;
}

/** The data the browser script plots, embedded as JSON in `#report-data`. */
export function plotDataOf(metrics: RunMetrics) {
  return {
    models: metrics.models.map((model) => ({
      modelId: model.modelId,
      label: model.label,
      simulated: model.simulated,
      resolvedRate: model.resolved.rate,
      low: model.resolved.low,
      high: model.resolved.high,
      attemptWallMsP50: model.latency.attemptWallMs.p50,
      ttftMsP50: model.latency.timeToFirstTokenMs.p50,
      costPerResolvedUsd: model.cost.perResolvedTaskUsd,
      costKind: model.cost.kind,
    })),
    outcomes: metrics.models.flatMap((model) =>
      Object.entries(model.failures.outcomes).map(([outcome, count]) => ({
        label: model.label,
        outcome,
        count,
      })),
    ),
    validity: metrics.models.flatMap((model) =>
      Object.entries(model.toolCalls.validityShares)
        .filter((entry): entry is [string, number] => entry[1] !== null)
        .map(([validity, share]) => ({ label: model.label, validity, share })),
    ),
    passAtK: metrics.models.flatMap((model) =>
      model.passAtK.flatMap((entry) => [
        { label: model.label, k: entry.k, measure: 'pass@k', value: entry.passAtK },
        { label: model.label, k: entry.k, measure: 'pass^k', value: entry.passHatK },
      ]),
    ),
    taskResults: metrics.models.flatMap((model) =>
      model.tasks.map((task) => ({
        label: model.label,
        taskId: task.taskId,
        resolvedRate: task.resolvedRate,
        text: `${task.resolved}/${task.scored}`,
      })),
    ),
    timeSplit: metrics.models.flatMap((model) =>
      (['model', 'tool', 'test'] as const).map((part) => ({
        label: model.label,
        part,
        seconds: model.latency.split[`${part}Ms`] / 1000,
      })),
    ),
    invalidCalls: metrics.models.flatMap((model) =>
      Object.entries(model.toolCalls.byValidity)
        .filter(([validity, count]) => validity !== 'valid' && count > 0)
        .map(([validity, count]) => ({ label: model.label, validity, count })),
    ),
    retention: metrics.models.flatMap((model) => [
      { label: model.label, measure: 'constraints kept', value: model.retention.retention },
      { label: model.label, measure: 'resolved', value: model.retention.resolved.rate },
    ]),
  };
}

type Cell = string | { html: string };

/** A table with escaped text cells (a `{ html }` cell is trusted markup built here). */
function table(testId: string, caption: string, header: string[], rows: Cell[][]): string {
  const cell = (value: Cell) => (typeof value === 'string' ? escapeHtml(value) : value.html);
  return [
    `<table id="${testId}" data-testid="${testId}">`,
    `<caption>${escapeHtml(caption)}</caption>`,
    `<thead><tr>${header.map((name) => `<th scope="col">${escapeHtml(name)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map(
      (cells) =>
        `<tr>${cells.map((value, index) => (index === 0 ? `<th scope="row">${cell(value)}</th>` : `<td>${cell(value)}</td>`)).join('')}</tr>`,
    ),
    '</tbody></table>',
  ].join('\n');
}

/** A table with one row per model: a `Model` column (name and SIMULATED badge), then `columns`. */
function modelTable(
  testId: string,
  caption: string,
  columns: string[],
  models: ModelMetrics[],
  cellsOf: (model: ModelMetrics) => Cell[],
): string {
  return table(
    testId,
    caption,
    ['Model', ...columns],
    models.map((model) => [modelCell(model), ...cellsOf(model)]),
  );
}

function modelCell(model: ModelMetrics): Cell {
  const badge = model.simulated ? ' <span class="badge">SIMULATED</span>' : '';
  return {
    html: `<span data-model-id="${escapeHtml(model.modelId)}">${escapeHtml(model.label)}</span>${badge}`,
  };
}

function plotSection(id: string, title: string, description: string): string {
  return [
    `<section class="plot" aria-labelledby="${id}-title">`,
    `<h3 id="${id}-title">${escapeHtml(title)}</h3>`,
    `<p class="note">${escapeHtml(description)}</p>`,
    `<div id="${id}" data-testid="${id}" class="plot-container"><noscript>Enable JavaScript to see this plot; the tables below hold the same numbers.</noscript></div>`,
    '</section>',
  ].join('\n');
}

function summaryCards(metrics: RunMetrics): string {
  const cards = metrics.models.map((model) => {
    const last = model.passAtK.at(-1);
    return [
      `<article class="card" data-testid="summary-card" data-model-id="${escapeHtml(model.modelId)}">`,
      `<h3>${escapeHtml(model.label)}${model.simulated ? ' <span class="badge">SIMULATED</span>' : ''}</h3>`,
      `<p class="big">${escapeHtml(formatPercent(model.resolved.rate))}</p>`,
      `<p>resolved ${escapeHtml(formatInterval(model.resolved.low, model.resolved.high))} (${model.resolved.successes}/${model.resolved.trials})</p>`,
      last
        ? `<p>pass@${last.k} ${escapeHtml(formatPercent(last.passAtK))} · pass^${last.k} ${escapeHtml(formatPercent(last.passHatK))}</p>`
        : '',
      `<p>${escapeHtml(model.cost.kind === 'unpriced' ? `${MISSING} per resolved task (unpriced)` : `${formatUsd(model.cost.perResolvedTaskUsd)} per resolved task`)}</p>`,
      `<p>${model.attempts.infrastructureErrors} infrastructure errors (not scored)</p>`,
      model.backend
        ? `<p data-testid="model-backend">backend: ${escapeHtml(describeModelBackend(model.backend))}</p>`
        : '',
      '</article>',
    ].join('\n');
  });
  return `<section class="cards" data-testid="summary-cards">\n${cards.join('\n')}\n</section>`;
}

/** Why a run has no break-even row, and what to set for one. */
function breakEvenAbsence(models: ModelMetrics[]): string {
  const local = models.some((model) => model.cost.kind === 'local');
  const api = models.some((model) => model.cost.kind === 'api');
  if (!local && !api)
    return 'no break-even: no model has a price or a local cost (set localCost: with hardwareUsd for a local model, and run it beside a priced API model)';
  if (!local) return 'no break-even: no local model has localCost: set (with hardwareUsd) in shakedown.yaml';
  return 'no break-even: no API model with a price in this run to compare the local model with';
}

function tables(metrics: RunMetrics): string[] {
  const models = metrics.models;
  const labelOf = new Map(models.map((model) => [model.modelId, model.label]));
  const maxK = Math.max(0, ...models.map((model) => model.passAtK.length));
  const ks = Array.from({ length: maxK }, (_, index) => index + 1);
  return [
    modelTable(
      'table-headline',
      'Headline per model (infrastructure errors excluded from scores)',
      [
        'Resolved',
        '95% CI (method)',
        'Runs mean ± SEM',
        'Partial score',
        'Valid tool calls',
        'TTFT p50',
        'Decode tok/s p50',
        'Cost / resolved',
        'Infra errors',
        'Invalid grades',
        'Tampering detected',
      ],
      models,
      (model) => [
        formatRateWithCounts(model.resolved),
        formatResolvedInterval(model.resolved),
        formatMeanWithError(model.repetitions.resolvedRate),
        formatPercent(model.partialScoreMean),
        formatPercent(model.toolCalls.validShare),
        formatMilliseconds(model.latency.timeToFirstTokenMs.p50),
        formatNumber(model.latency.decodeTokensPerSecond.p50, 1),
        formatUsd(model.cost.perResolvedTaskUsd),
        String(model.attempts.infrastructureErrors),
        String(model.attempts.invalidGrades),
        String(model.attempts.tamperingDetected),
      ],
    ),
    modelTable(
      'table-pass-at-k',
      'pass@k (at least one of k succeeds) and pass^k (all k succeed), unbiased estimators',
      ks.flatMap((k) => [`pass@${k}`, `pass^${k}`]),
      models,
      (model) =>
        ks.flatMap((k) => {
          const entry = model.passAtK.find((row) => row.k === k);
          return [formatPercent(entry?.passAtK ?? null), formatPercent(entry?.passHatK ?? null)];
        }),
    ),
    modelTable(
      'table-tool-calls',
      'Tool-call validity (first failing level wins), recovered and text-protocol calls, recovery after an error',
      [
        'Calls',
        'Valid',
        'Format',
        'Unknown tool',
        'Schema',
        'Execution error',
        'Recovered',
        'Text protocol',
        'Recovery rate',
      ],
      models,
      (model) => {
        const shares = model.toolCalls.validityShares;
        return [
          String(model.toolCalls.total),
          formatPercent(shares.valid),
          formatPercent(shares.format),
          formatPercent(shares['unknown-tool']),
          formatPercent(shares.schema),
          formatPercent(shares['execution-error']),
          formatPercent(model.toolCalls.recoveredShare),
          formatPercent(model.toolCalls.textProtocolShare),
          `${formatPercent(model.toolCalls.recoveryRate)} (${model.toolCalls.recoveries}/${model.toolCalls.recoveryOpportunities})`,
        ];
      },
    ),
    modelTable(
      'table-latency',
      'Latency per step (server-reported / measured counts) and where the wall time went',
      [
        'Steps/task mean',
        'Steps/task p50',
        'TTFT p50',
        'TTFT p95',
        'Prefill tok/s p50',
        'Decode tok/s p50',
        'Decode tok/s p95',
        'Sources (server/measured)',
        'Model / tool / test time',
      ],
      models,
      (model) => {
        const latency = model.latency;
        return [
          formatNumber(model.stepsPerTask.mean),
          formatNumber(model.stepsPerTask.p50),
          formatMilliseconds(latency.timeToFirstTokenMs.p50),
          formatMilliseconds(latency.timeToFirstTokenMs.p95),
          formatNumber(latency.prefillTokensPerSecond.p50, 0),
          formatNumber(latency.decodeTokensPerSecond.p50, 1),
          formatNumber(latency.decodeTokensPerSecond.p95, 1),
          `TTFT ${latency.timeToFirstTokenMs.serverReported}/${latency.timeToFirstTokenMs.measured}, decode ${latency.decodeTokensPerSecond.serverReported}/${latency.decodeTokensPerSecond.measured}`,
          `${formatPercent(latency.split.modelShare)} / ${formatPercent(latency.split.toolShare)} / ${formatPercent(latency.split.testShare)}`,
        ];
      },
    ),
    modelTable(
      'table-cost',
      `Tokens and cost (price table ${metrics.run.priceTableVersion})`,
      [
        'Input',
        'Cached',
        'Output',
        'Reasoning',
        'Tokens / resolved',
        'Total cost',
        'Cost / resolved',
        'Basis',
      ],
      models,
      (model) => [
        String(model.tokens.input),
        String(model.tokens.cachedInput),
        String(model.tokens.output),
        String(model.tokens.reasoning),
        formatNumber(model.tokens.totalPerResolvedTask, 0),
        formatUsd(model.cost.totalUsd),
        formatUsd(model.cost.perResolvedTaskUsd),
        model.cost.basis,
      ],
    ),
    table(
      'table-break-even',
      'Break-even volume: resolved tasks until local hardware pays for itself against an API',
      ['Local model', 'API model', 'Resolved tasks', 'Why'],
      metrics.breakEven.length > 0
        ? metrics.breakEven.map((entry) => [
            labelOf.get(entry.localModel) ?? entry.localModel,
            labelOf.get(entry.apiModel) ?? entry.apiModel,
            entry.resolvedTasks === null ? MISSING : String(entry.resolvedTasks),
            entry.reason,
          ])
        : [[MISSING, MISSING, MISSING, breakEvenAbsence(models)]],
    ),
    table(
      'table-comparisons',
      'Paired per-task comparison (difference of per-task resolved rates)',
      ['Models', 'Tasks', 'Mean difference', '95% interval', 'Wins / losses / ties', 'Test'],
      metrics.comparisons.map(({ modelA, modelB, comparison }) => [
        `${labelOf.get(modelA) ?? modelA} vs ${labelOf.get(modelB) ?? modelB}`,
        String(comparison.pairs),
        formatPoints(comparison.meanDifference),
        formatPairedInterval(comparison),
        `${comparison.wins} / ${comparison.losses} / ${comparison.ties}`,
        formatPairedTest(comparison),
      ]),
    ),
    modelTable(
      'table-failures',
      'Outcome of every attempt',
      ['Outcomes', 'Agent statuses', 'Grades'],
      models,
      (model) => {
        const list = (counts: Record<string, number>) =>
          Object.entries(counts)
            .map(([name, count]) => `${name} ${count}`)
            .join(', ') || MISSING;
        return [
          list(model.failures.outcomes),
          list(model.failures.agentStatuses),
          list(model.failures.gradeStatuses),
        ];
      },
    ),
    table(
      'table-tasks',
      'Resolved attempts per task',
      ['Task', ...models.map((model) => model.label)],
      metrics.tasks.map((task) => [
        {
          html: `<code data-task-id="${escapeHtml(task.taskId)}">${escapeHtml(task.taskId)}</code>${task.multiTurn ? ' <span class="badge">multi-turn</span>' : ''}`,
        },
        ...models.map((model) => {
          const entry = model.tasks.find((row) => row.taskId === task.taskId);
          if (!entry) return MISSING;
          const infrastructure =
            entry.infrastructureErrors > 0 ? ` (+${entry.infrastructureErrors} infra)` : '';
          return `${entry.resolved}/${entry.scored}${infrastructure}`;
        }),
      ]),
    ),
  ];
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
h1 { margin-bottom: 0.2rem; } .note { color: #666; margin-top: 0; }
.banner { background: #fff3cd; border: 2px solid #d39e00; padding: 0.8rem 1rem; font-weight: 600; }
.badge { background: #d39e00; color: #fff; border-radius: 3px; font-size: 0.75em; padding: 0 0.3em; }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.6rem 1rem; min-width: 220px; }
.card h3 { margin: 0; } .card p { margin: 0.2rem 0; } .card .big { font-size: 2rem; font-weight: 700; }
table { border-collapse: collapse; margin: 1.2rem 0; width: 100%; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
th, td { border-bottom: 1px solid #e5e5e5; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #999; }
.plot-container { min-height: 2rem; }
.plot-empty { color: #666; font-style: italic; }
.plot-container svg { overflow: visible; max-width: 100%; height: auto; }
`;

/** Renders the run's metrics as one self-contained HTML page. */
export function renderHtmlReport(metrics: RunMetrics, options: RenderHtmlReportOptions = {}): string {
  const bundles = options.bundles ?? loadPlotBundles();
  const simulatedModels = metrics.models.filter((model) => model.simulated).map((model) => model.label);
  const banner = metrics.simulated
    ? `<p class="banner" role="alert" data-testid="simulated-banner">SIMULATED: ${escapeHtml(simulatedModels.join(', '))} ran against a simulated model. These numbers say nothing about a real model.</p>`
    : '';
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Shakedown report ${escapeHtml(metrics.run.id)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    `<body data-run-id="${escapeHtml(metrics.run.id)}" data-schema-version="${metrics.schemaVersion}">`,
    `<h1>Shakedown report</h1>`,
    `<p class="note">Run <code>${escapeHtml(metrics.run.id)}</code> (${escapeHtml(metrics.run.status)}), created ${escapeHtml(metrics.run.createdAt)} · ${metrics.models.length} models × ${metrics.tasks.length} tasks · prices ${escapeHtml(metrics.run.priceTableVersion)}</p>`,
    banner,
    summaryCards(metrics),
    hasSeveralAgents([metrics]) ? renderAgentComparisonHtml(compareAgents([metrics])) : '',
    '<h2>Plots</h2>',
    plotSection(
      'plot-pass-rate-latency',
      'Pass rate vs latency',
      'One point per model: resolved rate with its 95% interval (Wilson; tasks as the unit when they have several attempts) against the median attempt wall time.',
    ),
    plotSection(
      'plot-pass-at-k',
      'pass@k and pass^k by k',
      'Unbiased estimators over the scored tasks: pass@k (solid, at least one of k attempts resolves) and pass^k (dashed, all k resolve).',
    ),
    plotSection(
      'plot-task-heatmap',
      'Per-task results',
      'Resolved share of each task per model (resolved / scored attempts in each cell).',
    ),
    plotSection(
      'plot-time-split',
      'Where the time went',
      'Model, tool and hidden-test time summed over attempts (measured by shakedown).',
    ),
    plotSection(
      'plot-cost-per-resolved',
      'Cost per resolved task',
      'API models priced per token; local models per hour of model time.',
    ),
    plotSection('plot-failure-classes', 'Failure classes', 'Outcome of every attempt, stacked per model.'),
    plotSection(
      'plot-tool-call-validity',
      'Tool-call validity',
      'Share of tool calls per validity class (first failing level wins).',
    ),
    plotSection(
      'plot-tool-call-errors',
      'Tool-call error classes',
      'Invalid tool calls by class (format, unknown tool, schema, execution error), counted on the real failures.',
    ),
    plotSection(
      'plot-retention',
      'Retention on multi-turn tasks',
      'Share of constraints kept at the end, and resolved rate, on multi-turn tasks.',
    ),
    '<h2>Tables</h2>',
    ...tables(metrics),
    `<script type="application/json" id="report-data" data-testid="report-data">${jsonForScript(plotDataOf(metrics))}</script>`,
    `<script>${scriptSourceForHtml(bundles.d3)}</script>`,
    `<script>${scriptSourceForHtml(bundles.plot)}</script>`,
    `<script>${scriptSourceForHtml(HTML_PLOT_SCRIPT)}</script>`,
    '</body>',
    '</html>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n')
    .concat('\n');
}
