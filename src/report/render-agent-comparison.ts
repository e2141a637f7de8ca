import type { AgentComparison, AgentComparisonRow } from '../metrics/agent-comparison.ts';
import { escapeHtml } from './escape-html.ts';
import { escapeMarkdown } from './escape-markdown.ts';
import {
  formatInterval,
  formatMilliseconds,
  formatNumber,
  formatPairedInterval,
  formatPairedTest,
  formatPercent,
  formatPoints,
  formatRateWithCounts,
  formatUsd,
} from './format-values.ts';

const HEADER = [
  'model',
  'agent',
  'run',
  'resolved',
  '95% CI',
  'pass@1',
  'pass@k',
  'valid calls',
  'recovered calls',
  'infra errors',
  'steps p50',
  'attempt p50',
  'TTFT p50',
  'tokens / resolved',
  '$ / resolved',
];

/** The figures of a row after its model and agent, as text. */
function figures(row: AgentComparisonRow): string[] {
  return [
    row.runId,
    formatRateWithCounts(row.resolved),
    formatInterval(row.resolved.low, row.resolved.high),
    formatPercent(row.passAt1),
    row.passAtLargestK ? `${formatPercent(row.passAtLargestK.passAtK)} (k=${row.passAtLargestK.k})` : '—',
    formatPercent(row.validToolCallShare),
    formatPercent(row.recoveredToolCallShare),
    String(row.infrastructureErrors),
    formatNumber(row.stepsPerTaskP50, 1),
    formatMilliseconds(row.attemptWallMsP50),
    formatMilliseconds(row.timeToFirstTokenMsP50),
    formatNumber(row.tokensPerResolvedTask, 0),
    formatUsd(row.costPerResolvedTaskUsd),
  ];
}

/** One line per paired comparison of a model inside two agents. */
function pairLines(comparison: AgentComparison): string[] {
  return comparison.pairs.map(
    (pair) =>
      `${pair.labelA} vs ${pair.labelB} (paired over ${pair.comparison.pairs} tasks): ` +
      `${formatPoints(pair.comparison.meanDifference)} resolved rate, ` +
      `${pair.comparison.wins} wins / ${pair.comparison.losses} losses / ${pair.comparison.ties} ties, ` +
      `${formatPairedTest(pair.comparison)}; ${formatPairedInterval(pair.comparison)}`,
  );
}

function taskSetNote(comparison: AgentComparison): string | null {
  return comparison.tasksInSomeRunsOnly > 0
    ? `Task sets differ: ${comparison.tasksInEveryRun} tasks are in every run, ${comparison.tasksInSomeRunsOnly} only in some; rates over different tasks compare with care.`
    : null;
}

/**
 * Markdown table of the same models inside different agents (see compareAgents), one row per (model, agent, run),
 * then the paired per-task comparisons between agents of each model. Simulated rows say so; time to first token
 * is measured the same way for every agent (the model client's, or the recording proxy's for external agents).
 */
export function renderAgentComparisonMarkdown(comparison: AgentComparison): string {
  const lines = [
    '## Agents side by side',
    '',
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map(() => '---').join(' | ')} |`,
  ];
  for (const row of comparison.rows) {
    const model = `${escapeMarkdown(row.label)}${row.simulated ? ' (SIMULATED)' : ''}`;
    const cells = [model, escapeMarkdown(row.agent), ...figures(row).map(escapeMarkdown)];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('');
  const pairs = pairLines(comparison);
  if (pairs.length > 0) {
    lines.push(
      '**Paired per-task comparison between agents**',
      '',
      ...pairs.map((line) => `- ${escapeMarkdown(line)}`),
      '',
    );
  }
  const note = taskSetNote(comparison);
  if (note) lines.push(`> ${note}`, '');
  return `${lines.join('\n')}\n`;
}

/** The comparison as HTML (a table and the paired comparisons), for the HTML report and the runs page. */
export function renderAgentComparisonHtml(comparison: AgentComparison): string {
  const cell = (text: string) => `<td>${escapeHtml(text)}</td>`;
  const rows = comparison.rows.map((row) => {
    const badge = row.simulated ? ' <span class="badge">SIMULATED</span>' : '';
    return (
      `<tr><th scope="row"><span data-model-id="${escapeHtml(row.rowId)}">${escapeHtml(row.label)}</span>${badge}</th>` +
      `${cell(row.agent)}${figures(row).map(cell).join('')}</tr>`
    );
  });
  const pairs = pairLines(comparison);
  const note = taskSetNote(comparison);
  return [
    '<section aria-labelledby="agents-side-by-side-title">',
    '<h2 id="agents-side-by-side-title">Agents side by side</h2>',
    '<p class="note">The same model inside different agents. Time to first token is measured at the model client for the built-in agent and at the recording proxy for external agents.</p>',
    '<table id="table-agent-comparison" data-testid="table-agent-comparison">',
    '<caption>Each model inside each agent</caption>',
    `<thead><tr>${HEADER.map((name) => `<th scope="col">${escapeHtml(name)}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.join('\n')}</tbody></table>`,
    pairs.length > 0
      ? `<h3>Paired per-task comparison between agents</h3><ul data-testid="agent-pairs">${pairs.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`
      : '',
    note ? `<p class="note">${escapeHtml(note)}</p>` : '',
    '</section>',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** A self-contained page comparing runs (`report RUN RUN… --format html`). */
export function renderAgentComparisonHtmlPage(
  comparison: AgentComparison,
  runIds: readonly string[],
): string {
  const simulated = comparison.rows.some((row) => row.simulated);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Shakedown agents side by side: ${escapeHtml(runIds.join(', '))}</title>`,
    '<style>body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1300px; padding: 0 1rem; color: #222; }',
    '.note { color: #666; } .badge { background: #d39e00; color: #fff; border-radius: 3px; font-size: 0.75em; padding: 0 0.3em; }',
    '.banner { background: #fff3cd; border: 2px solid #d39e00; padding: 0.8rem 1rem; font-weight: 600; }',
    'table { border-collapse: collapse; margin: 1.2rem 0; } caption { text-align: left; font-weight: 600; }',
    'th, td { border-bottom: 1px solid #e5e5e5; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }</style>',
    '</head>',
    '<body>',
    '<h1>Shakedown: agents side by side</h1>',
    `<p class="note">Runs ${runIds.map((id) => `<code>${escapeHtml(id)}</code>`).join(', ')}</p>`,
    simulated
      ? '<p class="banner" role="alert" data-testid="simulated-banner">SIMULATED: some rows ran against a simulated model. Their numbers say nothing about a real model.</p>'
      : '',
    renderAgentComparisonHtml(comparison),
    '</body>',
    '</html>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n')
    .concat('\n');
}
