/**
 * The model comparison plots of a run page (Observable Plot): resolved rate with 95% Wilson intervals, pass@k and
 * pass^k by k, latency percentiles, cost per resolved task, and tool-call validity as stacked shares.
 */
import * as Plot from '@observablehq/plot';
import type { ModelMetrics } from '../../metrics/run-metrics.ts';
import { element } from './dom.ts';

const VALIDITY_COLORS: Record<string, string> = {
  valid: '#2e7d32',
  format: '#8e24aa',
  'unknown-tool': '#c62828',
  schema: '#ef6c00',
  'execution-error': '#b8860b',
  recovered: '#e0a800',
};

/** The label a plot shows for a model, with SIMULATED spelled out. */
export function modelName(model: Pick<ModelMetrics, 'label' | 'simulated'>): string {
  return model.simulated ? `${model.label} (SIMULATED)` : model.label;
}

/**
 * Left margin that fits the longest model label (Plot's 10px sans-serif averages about 6px per character), and the
 * y axis that cuts a longer label in its middle instead of clipping it.
 */
export function labelAxis(labels: readonly string[]): { marginLeft: number; axis: Record<string, unknown> } {
  const longest = Math.max(4, ...labels.map((label) => label.length));
  const marginLeft = Math.min(240, Math.ceil(longest * 6.2) + 14);
  return {
    marginLeft,
    axis: { label: null, textOverflow: 'ellipsis-middle', lineWidth: (marginLeft - 14) / 10 },
  };
}

function card(title: string, plot: Element | null, note?: string): HTMLElement {
  return element(
    'div',
    { class: 'plot-card', 'data-plot': title },
    element('h3', {}, title),
    plot ?? element('p', { class: 'muted' }, 'No data yet.'),
    note && element('div', { class: 'event-meta' }, note),
  );
}

function resolvedRatePlot(models: ModelMetrics[]): Element | null {
  const rows = models
    .filter((model) => model.resolved.rate !== null)
    .map((model) => ({
      model: modelName(model),
      rate: model.resolved.rate,
      low: model.resolved.low,
      high: model.resolved.high,
    }));
  if (rows.length === 0) return null;
  const { marginLeft, axis } = labelAxis(rows.map((row) => row.model));
  return Plot.plot({
    width: 420,
    height: 60 + 36 * rows.length,
    marginLeft,
    marginRight: 40,
    x: { domain: [0, 1], label: 'resolved rate (95% CI, tasks as unit)', tickFormat: '.0%', grid: true },
    y: axis,
    marks: [
      Plot.barX(rows, { y: 'model', x: 'rate', fill: '#1f5fbf', fillOpacity: 0.7 }),
      Plot.ruleY(rows, { y: 'model', x1: 'low', x2: 'high', stroke: '#1d2330', strokeWidth: 2 }),
      Plot.tickX(rows, { y: 'model', x: 'low', stroke: '#1d2330' }),
      Plot.tickX(rows, { y: 'model', x: 'high', stroke: '#1d2330' }),
      Plot.text(rows, {
        y: 'model',
        x: 'rate',
        text: (row: { rate: number }) => `${Math.round(row.rate * 100)}%`,
        dx: 14,
      }),
    ],
  });
}

function passAtKPlot(models: ModelMetrics[]): Element | null {
  const rows = models.flatMap((model) =>
    model.passAtK.flatMap((entry) => [
      { model: modelName(model), k: entry.k, value: entry.passAtK, measure: 'pass@k' },
      { model: modelName(model), k: entry.k, value: entry.passHatK, measure: 'pass^k' },
    ]),
  );
  if (rows.length === 0) return null;
  // One tick per k (a count of ticks repeats labels like 1, 1, 1 when tickFormat rounds 0.9, 1.0, 1.1).
  const ks = [...new Set(rows.map((row) => row.k))].sort((a, b) => a - b);
  return Plot.plot({
    width: 420,
    height: 240,
    x: { label: 'k', ticks: ks, tickFormat: 'd', domain: [0.5, Math.max(...ks) + 0.5] },
    y: { domain: [0, 1], tickFormat: '.0%', grid: true, label: 'share of tasks' },
    color: { legend: true },
    marks: [
      Plot.line(
        rows.filter((row) => row.measure === 'pass@k'),
        { x: 'k', y: 'value', stroke: 'model' },
      ),
      Plot.line(
        rows.filter((row) => row.measure === 'pass^k'),
        { x: 'k', y: 'value', stroke: 'model', strokeDasharray: '4 3' },
      ),
      Plot.dot(rows, { x: 'k', y: 'value', stroke: 'model', symbol: 'measure', tip: true }),
    ],
  });
}

function latencyPlot(models: ModelMetrics[]): Element | null {
  const rows = models
    .flatMap((model) => [
      { model: modelName(model), measure: 'TTFT p50', ms: model.latency.timeToFirstTokenMs.p50 },
      { model: modelName(model), measure: 'step wall p50', ms: model.latency.stepWallMs.p50 },
    ])
    .filter((row) => row.ms !== null);
  if (rows.length === 0) return null;
  const { marginLeft, axis } = labelAxis(rows.map((row) => row.model));
  return Plot.plot({
    width: 520,
    height: 70 + 44 * models.length,
    marginLeft,
    marginRight: 110,
    x: { label: 'milliseconds (p50)', grid: true },
    y: axis,
    fy: { label: null },
    color: { legend: true },
    marks: [Plot.barX(rows, { y: 'model', x: 'ms', fill: 'measure', fy: 'measure', tip: true })],
  });
}

/** Where the attempts' time went: model, tool and hidden-test time as stacked seconds per model. */
function timeSplitPlot(models: ModelMetrics[]): Element | null {
  const parts = ['model', 'tool', 'test'] as const;
  const rows = models.flatMap((model) =>
    parts.map((part) => ({
      model: modelName(model),
      part,
      seconds: model.latency.split[`${part}Ms`] / 1000,
    })),
  );
  if (rows.every((row) => row.seconds === 0)) return null;
  const { marginLeft, axis } = labelAxis(models.map(modelName));
  return Plot.plot({
    width: 420,
    height: 90 + 36 * models.length,
    marginLeft,
    marginRight: 20,
    x: { label: 'seconds, summed over attempts', grid: true },
    y: axis,
    color: { domain: [...parts], range: ['#1f5fbf', '#ef6c00', '#2e7d32'], legend: true },
    marks: [
      Plot.barX(rows, Plot.stackX({ y: 'model', x: 'seconds', fill: 'part', order: [...parts], tip: true })),
      Plot.ruleX([0]),
    ],
  });
}

function costPlot(models: ModelMetrics[]): Element | null {
  const rows = models
    .filter((model) => model.cost.perResolvedTaskUsd !== null)
    .map((model) => ({ model: modelName(model), usd: model.cost.perResolvedTaskUsd, kind: model.cost.kind }));
  if (rows.length === 0) return null;
  const { marginLeft, axis } = labelAxis(rows.map((row) => row.model));
  return Plot.plot({
    width: 420,
    height: 60 + 36 * rows.length,
    marginLeft,
    marginRight: 30,
    x: { label: 'USD per resolved task', grid: true },
    y: axis,
    marks: [Plot.barX(rows, { y: 'model', x: 'usd', fill: 'kind', tip: true }), Plot.ruleX([0])],
  });
}

function validityPlot(models: ModelMetrics[]): Element | null {
  const classes = Object.keys(VALIDITY_COLORS).filter((name) => name !== 'recovered');
  const rows = models.flatMap((model) =>
    classes.map((validity) => ({
      model: modelName(model),
      validity,
      share:
        model.toolCalls.validityShares[validity as keyof ModelMetrics['toolCalls']['validityShares']] ?? 0,
    })),
  );
  if (models.every((model) => model.toolCalls.total === 0)) return null;
  const { marginLeft, axis } = labelAxis(models.map(modelName));
  return Plot.plot({
    width: 420,
    height: 90 + 36 * models.length,
    marginLeft,
    marginRight: 20,
    x: { domain: [0, 1], tickFormat: '.0%', label: 'share of tool calls' },
    y: axis,
    color: { domain: classes, range: classes.map((name) => VALIDITY_COLORS[name]!), legend: true },
    marks: [
      Plot.barX(rows, Plot.stackX({ y: 'model', x: 'share', fill: 'validity', order: classes, tip: true })),
    ],
  });
}

/** The plot cards comparing the models of a run. */
export function renderModelComparisonPlots(models: ModelMetrics[]): HTMLElement {
  const recoveredNote = models
    .map(
      (model) =>
        `${modelName(model)}: ${model.toolCalls.recovered} of ${model.toolCalls.total} calls recovered from leaked text`,
    )
    .join('; ');
  return element(
    'div',
    { class: 'plots' },
    card('Resolved rate', resolvedRatePlot(models)),
    card('pass@k (solid) and pass^k (dashed)', passAtKPlot(models)),
    card('Latency', latencyPlot(models)),
    card('Where the time went (model / tool / test)', timeSplitPlot(models)),
    card(
      'Cost per resolved task',
      costPlot(models),
      models.map((model) => `${modelName(model)}: ${model.cost.kind} (${model.cost.basis})`).join('; '),
    ),
    card('Tool-call validity', validityPlot(models), recoveredNote),
  );
}
