/**
 * The browser script of the HTML report: reads the embedded plot data (`#report-data`) and draws each plot with
 * Observable Plot into its container. Each container gets `data-rendered="true"` (or `data-error`), and
 * `<body data-plots-rendered>` is set when all are done, so a headless browser can wait for it.
 */
export const HTML_PLOT_SCRIPT = `(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const percent = (value) => (value === null ? '—' : (value * 100).toFixed(1) + '%');
  const width = 720;
  const empty = (message) => {
    const note = document.createElement('p');
    note.className = 'plot-empty';
    note.textContent = message;
    return note;
  };
  const plots = {
    'plot-pass-rate-latency': () => {
      const points = data.models.filter((model) => model.resolvedRate !== null && model.attemptWallMsP50 !== null);
      if (points.length === 0) return empty('No scored attempts yet.');
      return Plot.plot({
        width, height: 360, grid: true, marginLeft: 60, marginRight: 120, marginBottom: 45,
        x: { label: 'Attempt wall time p50 (s)', zero: true, nice: true },
        y: { label: 'Resolved (%)', domain: [0, 100] },
        color: { legend: true, domain: data.models.map((model) => model.label) },
        marks: [
          Plot.ruleX(points, { x: (d) => d.attemptWallMsP50 / 1000, y1: (d) => d.low * 100, y2: (d) => d.high * 100, stroke: 'label', strokeWidth: 2 }),
          Plot.dot(points, { x: (d) => d.attemptWallMsP50 / 1000, y: (d) => d.resolvedRate * 100, fill: 'label', r: 6, tip: true,
            title: (d) => d.label + ': ' + percent(d.resolvedRate) + ' resolved [' + percent(d.low) + '–' + percent(d.high) + ']' }),
          Plot.text(points, { x: (d) => d.attemptWallMsP50 / 1000, y: (d) => d.resolvedRate * 100, text: 'label', dx: 10, textAnchor: 'start' }),
        ],
      });
    },
    'plot-cost-per-resolved': () => {
      const bars = data.models.filter((model) => model.costPerResolvedUsd !== null);
      if (bars.length === 0) {
        return empty('No cost per resolved task: no model has a price or a local cost, or none resolved a task (set prices: or localCost: for a model in shakedown.yaml).');
      }
      return Plot.plot({
        width, height: 300, marginLeft: 60, marginBottom: 60,
        x: { label: null, tickRotate: -20 },
        y: { label: 'USD per resolved task', grid: true },
        color: { legend: true, domain: ['api', 'local'] },
        marks: [
          Plot.barY(bars, { x: 'label', y: 'costPerResolvedUsd', fill: 'costKind', tip: true }),
          Plot.ruleY([0]),
        ],
      });
    },
    'plot-failure-classes': () =>
      Plot.plot({
        width, height: 80 + 40 * data.models.length, marginLeft: 160,
        x: { label: 'Attempts', grid: true },
        y: { label: null },
        color: { legend: true, scheme: 'tableau10' },
        marks: [Plot.barX(data.outcomes, { y: 'label', x: 'count', fill: 'outcome', tip: true }), Plot.ruleX([0])],
      }),
    'plot-tool-call-validity': () =>
      Plot.plot({
        width, height: 80 + 40 * data.models.length, marginLeft: 160,
        x: { label: 'Share of tool calls (%)', domain: [0, 100], grid: true },
        y: { label: null },
        color: { legend: true, domain: ['valid', 'format', 'unknown-tool', 'schema', 'execution-error'],
          range: ['#4e9a06', '#c4a000', '#ce5c00', '#75507b', '#cc0000'] },
        marks: [Plot.barX(data.validity, { y: 'label', x: (d) => d.share * 100, fill: 'validity', tip: true }), Plot.ruleX([0])],
      }),
    'plot-retention': () =>
      data.retention.every((d) => d.value === null)
        ? empty('No multi-turn tasks in this run.')
        : Plot.plot({
        width, height: 300, marginBottom: 45,
        fx: { label: null },
        x: { axis: null },
        y: { label: 'Multi-turn tasks (%)', domain: [0, 100], grid: true },
        color: { legend: true },
        marks: [
          Plot.barY(data.retention.filter((d) => d.value !== null), { fx: 'label', x: 'measure', y: (d) => d.value * 100, fill: 'measure', tip: true }),
          Plot.ruleY([0]),
        ],
      }),
  };
  for (const [id, draw] of Object.entries(plots)) {
    const container = document.getElementById(id);
    if (!container) continue;
    try {
      container.replaceChildren(draw());
      container.dataset.rendered = 'true';
    } catch (error) {
      container.dataset.error = String(error && error.message ? error.message : error);
      container.textContent = 'Plot failed to render: ' + container.dataset.error;
    }
  }
  document.body.dataset.plotsRendered = 'true';
})();`;
