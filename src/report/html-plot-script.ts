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
  // A left margin that fits the longest label (about 6px a character at Plot's 10px font), and a y axis that cuts a
  // longer one in its middle rather than clipping it.
  const shorten = (label, max) => {
    const text = String(label);
    if (text.length <= max) return text;
    const head = Math.ceil((max - 1) / 2);
    return text.slice(0, head) + '…' + text.slice(text.length - (max - 1 - head));
  };
  const labelAxis = (labels) => {
    const longest = Math.max(4, ...labels.map((label) => String(label).length));
    const marginLeft = Math.min(240, Math.ceil(longest * 6.2) + 14);
    const max = Math.floor((marginLeft - 14) / 6.2);
    return { marginLeft, axis: { label: null, tickFormat: (label) => shorten(label, max) } };
  };
  const labels = data.models.map((model) => model.label);
  const modelAxis = labelAxis(labels);
  const plots = {
    'plot-pass-rate-latency': () => {
      const points = data.models.filter((model) => model.resolvedRate !== null && model.attemptWallMsP50 !== null);
      if (points.length === 0) return empty('No scored attempts yet.');
      // Room on the right for the labels of the slowest models: the axis runs 40% past the slowest median.
      const slowest = Math.max(...points.map((d) => d.attemptWallMsP50 / 1000));
      return Plot.plot({
        width, height: 360, grid: true, marginLeft: 60, marginRight: 30, marginTop: 30, marginBottom: 45,
        x: { label: 'Attempt wall time p50 (s)', domain: [0, slowest > 0 ? slowest * 1.4 : 1], nice: true },
        y: { label: 'Resolved (%)', domain: [0, 100] },
        color: { legend: true, domain: data.models.map((model) => model.label) },
        marks: [
          Plot.ruleX(points, { x: (d) => d.attemptWallMsP50 / 1000, y1: (d) => d.low * 100, y2: (d) => d.high * 100, stroke: 'label', strokeWidth: 2 }),
          Plot.dot(points, { x: (d) => d.attemptWallMsP50 / 1000, y: (d) => d.resolvedRate * 100, fill: 'label', r: 6, tip: true,
            title: (d) => d.label + ': ' + percent(d.resolvedRate) + ' resolved [' + percent(d.low) + '–' + percent(d.high) + ']' }),
          Plot.text(points, { x: (d) => d.attemptWallMsP50 / 1000, y: (d) => d.resolvedRate * 100, dx: 10, textAnchor: 'start',
            text: (d) => shorten(d.label, 24) }),
        ],
      });
    },
    'plot-cost-per-resolved': () => {
      const bars = data.models.filter((model) => model.costPerResolvedUsd !== null);
      if (bars.length === 0) {
        return empty('No cost per resolved task: no model has a price or a local cost, or none resolved a task (set prices: or localCost: for a model in shakedown.yaml).');
      }
      const unpriced = data.models.filter((model) => model.costKind === 'unpriced').map((model) => model.label);
      const plot = Plot.plot({
        width, height: 80 + 36 * bars.length, marginLeft: modelAxis.marginLeft, marginRight: 30,
        x: { label: 'USD per resolved task', grid: true },
        y: modelAxis.axis,
        color: { legend: true, domain: ['api', 'local'] },
        marks: [
          Plot.barX(bars, { y: 'label', x: 'costPerResolvedUsd', fill: 'costKind', tip: true }),
          Plot.ruleX([0]),
        ],
      });
      if (unpriced.length === 0) return plot;
      const wrapper = document.createElement('div');
      wrapper.append(plot, empty('Not shown (unpriced, cost unknown): ' + unpriced.join(', ') + '.'));
      return wrapper;
    },
    'plot-pass-at-k': () => {
      if (data.passAtK.length === 0) return empty('No scored attempts yet.');
      // One tick per k: a tick count would repeat labels (1, 1, 1) when k only reaches 1 or 2.
      const ks = [...new Set(data.passAtK.map((d) => d.k))].sort((a, b) => a - b);
      return Plot.plot({
        width, height: 320, marginRight: 30, marginBottom: 45,
        x: { label: 'k (attempts per task)', ticks: ks, tickFormat: 'd', domain: [0.5, ks[ks.length - 1] + 0.5] },
        y: { label: 'Share of tasks (%)', domain: [0, 100], grid: true },
        color: { legend: true, domain: labels },
        marks: [
          Plot.line(data.passAtK.filter((d) => d.measure === 'pass@k'), { x: 'k', y: (d) => d.value * 100, stroke: 'label' }),
          Plot.line(data.passAtK.filter((d) => d.measure === 'pass^k'), { x: 'k', y: (d) => d.value * 100, stroke: 'label', strokeDasharray: '4 3' }),
          Plot.dot(data.passAtK, { x: 'k', y: (d) => d.value * 100, stroke: 'label', symbol: 'measure', tip: true }),
        ],
      });
    },
    'plot-task-heatmap': () => {
      const cells = data.taskResults;
      if (cells.length === 0) return empty('No tasks in this run.');
      const tasks = [...new Set(cells.map((d) => d.taskId))];
      const taskAxis = labelAxis(tasks);
      return Plot.plot({
        width: Math.min(width, taskAxis.marginLeft + 30 + 110 * labels.length), height: 60 + 26 * tasks.length,
        marginLeft: taskAxis.marginLeft, marginTop: 40, marginRight: 20,
        x: { axis: 'top', label: null, domain: labels, tickFormat: (label) => shorten(label, 16) },
        y: { ...taskAxis.axis, domain: tasks },
        color: { type: 'linear', domain: [0, 1], range: ['#f4cccc', '#93c47d'] },
        marks: [
          Plot.cell(cells, { x: 'label', y: 'taskId', fill: (d) => d.resolvedRate, inset: 1, tip: true }),
          Plot.text(cells, { x: 'label', y: 'taskId', text: 'text' }),
        ],
      });
    },
    'plot-time-split': () => {
      if (data.timeSplit.every((d) => d.seconds === 0)) return empty('No measured time yet.');
      return Plot.plot({
        width, height: 80 + 40 * data.models.length, marginLeft: modelAxis.marginLeft, marginRight: 30,
        x: { label: 'Seconds, summed over attempts', grid: true },
        y: modelAxis.axis,
        color: { legend: true, domain: ['model', 'tool', 'test'], range: ['#3465a4', '#f57900', '#4e9a06'] },
        marks: [Plot.barX(data.timeSplit, { y: 'label', x: 'seconds', fill: 'part', tip: true }), Plot.ruleX([0])],
      });
    },
    'plot-tool-call-errors': () => {
      if (data.invalidCalls.length === 0) return empty('No invalid tool calls in this run.');
      return Plot.plot({
        width, height: 80 + 40 * data.models.length, marginLeft: modelAxis.marginLeft, marginRight: 30,
        x: { label: 'Invalid tool calls', grid: true },
        y: { ...modelAxis.axis, domain: labels },
        color: { legend: true, domain: ['format', 'unknown-tool', 'schema', 'execution-error'],
          range: ['#c4a000', '#ce5c00', '#75507b', '#cc0000'] },
        marks: [Plot.barX(data.invalidCalls, { y: 'label', x: 'count', fill: 'validity', tip: true }), Plot.ruleX([0])],
      });
    },
    'plot-failure-classes': () =>
      Plot.plot({
        width, height: 80 + 40 * data.models.length, marginLeft: modelAxis.marginLeft, marginRight: 30,
        x: { label: 'Attempts', grid: true },
        y: modelAxis.axis,
        color: { legend: true, scheme: 'tableau10' },
        marks: [Plot.barX(data.outcomes, { y: 'label', x: 'count', fill: 'outcome', tip: true }), Plot.ruleX([0])],
      }),
    'plot-tool-call-validity': () =>
      Plot.plot({
        width, height: 80 + 40 * data.models.length, marginLeft: modelAxis.marginLeft, marginRight: 30,
        x: { label: 'Share of tool calls (%)', domain: [0, 100], grid: true },
        y: modelAxis.axis,
        color: { legend: true, domain: ['valid', 'format', 'unknown-tool', 'schema', 'execution-error'],
          range: ['#4e9a06', '#c4a000', '#ce5c00', '#75507b', '#cc0000'] },
        marks: [Plot.barX(data.validity, { y: 'label', x: (d) => d.share * 100, fill: 'validity', tip: true }), Plot.ruleX([0])],
      }),
    'plot-retention': () =>
      data.retention.every((d) => d.value === null)
        ? empty('No multi-turn tasks in this run.')
        : Plot.plot({
        width, height: 300, marginBottom: 45,
        fx: { label: null, tickFormat: (label) => shorten(label, Math.max(8, Math.floor(100 / Math.max(1, labels.length)))) },
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
