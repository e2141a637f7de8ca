import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { compareAgents } from '../metrics/agent-comparison.ts';
import { loadRunMetrics, resolveRunId } from '../metrics/load-run-metrics.ts';
import type { RunMetrics } from '../metrics/run-metrics.ts';
import {
  renderAgentComparisonHtmlPage,
  renderAgentComparisonMarkdown,
} from '../report/render-agent-comparison.ts';
import { renderHtmlReport } from '../report/render-html-report.ts';
import { renderJsonReport } from '../report/render-json-report.ts';
import { renderMarkdownReport } from '../report/render-markdown-report.ts';
import { databasePathOf, openStore } from '../store/store.ts';
import { resolveDataDir } from './resolve-data-dir.ts';

/** Report formats. */
export const REPORT_FORMATS = ['md', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * Opens the store of `dataDir` read-only, resolves the run (the newest when `runId` is undefined) and computes its
 * metrics from the stored transcripts. Throws a clear error when the store or the run is missing.
 */
export function loadMetricsFromDataDir(dataDir: string, runId: string | undefined): RunMetrics {
  const databasePath = databasePathOf(dataDir);
  if (!existsSync(databasePath)) {
    throw new Error(`no shakedown store at ${databasePath}: run \`shakedown run\` first, or pass --data-dir`);
  }
  const store = openStore(dataDir, { readonly: true });
  try {
    return loadRunMetrics(store, resolveRunId(store, runId));
  } finally {
    store.close();
  }
}

/** Renders metrics in a report format. */
export function renderReport(metrics: RunMetrics, format: ReportFormat): string {
  if (format === 'html') return renderHtmlReport(metrics);
  if (format === 'json') return renderJsonReport(metrics);
  return renderMarkdownReport(metrics);
}

/**
 * The same models inside different agents, one run per agent (`report RUN RUN…`): Markdown, JSON, or one
 * self-contained HTML page.
 */
export function renderAgentComparison(dataDir: string, runIds: string[], format: ReportFormat): string {
  const comparison = compareAgents(runIds.map((runId) => loadMetricsFromDataDir(dataDir, runId)));
  if (format === 'html') return renderAgentComparisonHtmlPage(comparison, runIds);
  return format === 'json'
    ? `${JSON.stringify(comparison, null, 2)}\n`
    : renderAgentComparisonMarkdown(comparison);
}

/**
 * `shakedown report [RUN…] [--format md|html|json] [--out FILE] [--data-dir DIR]`: renders the report of a run
 * (default: the newest) from the store; prints it, or writes it to FILE. HTML is one self-contained file.
 */
export function createReportCommand(): Command {
  return new Command('report')
    .description(
      'Report a run: pass rate, pass@k, tool-call validity, latency, cost (default: the newest run)',
    )
    .argument(
      '[runs...]',
      'run id (default: the newest run); several runs (e.g. one per --agent) are compared side by side',
    )
    .addOption(
      new Option('-f, --format <format>', 'md (PR comment), html (self-contained page) or json')
        .choices(REPORT_FORMATS)
        .default('md'),
    )
    .option('-o, --out <file>', 'write the report to a file instead of stdout')
    .option(
      '--data-dir <dir>',
      "directory of the shakedown store (default: shakedown.yaml's dataDir, else .shakedown)",
    )
    .action(async (runIds: string[], options: { format: ReportFormat; out?: string; dataDir?: string }) => {
      const dataDir = await resolveDataDir(options.dataDir);
      let output: string;
      let subject: string;
      if (runIds.length > 1) {
        output = renderAgentComparison(dataDir, runIds, options.format);
        subject = `runs ${runIds.join(', ')}`;
      } else {
        const metrics = loadMetricsFromDataDir(dataDir, runIds[0]);
        output = renderReport(metrics, options.format);
        subject = metrics.run.id;
      }
      if (options.out) {
        await writeFile(options.out, output, 'utf8');
        process.stderr.write(`wrote ${options.format} report of ${subject} to ${options.out}\n`);
      } else {
        process.stdout.write(output);
      }
    });
}
