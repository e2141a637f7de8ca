import { Command } from 'commander';
import type { RunMetrics } from '../metrics/run-metrics.ts';
import { renderJsonReport } from '../report/render-json-report.ts';
import { renderHeadlineTable } from '../report/render-markdown-report.ts';
import { loadMetricsFromDataDir } from './report-command.ts';
import { resolveDataDir } from './resolve-data-dir.ts';

/** The text `shakedown rescore` prints: what was rescored, the headline table, and a simulated warning. */
export function formatRescore(metrics: RunMetrics): string {
  const attempts = metrics.models.reduce((sum, model) => sum + model.attempts.total, 0);
  const lines = [
    `Rescored ${metrics.run.id} from ${attempts} stored attempts (no model was called).`,
    ...(metrics.simulated
      ? ['SIMULATED: at least one model is simulated; these numbers say nothing about a real model.']
      : []),
    '',
    ...renderHeadlineTable(metrics),
    '',
  ];
  return lines.join('\n');
}

/**
 * `shakedown rescore RUN [--json] [--data-dir DIR]`: recomputes every metric of a stored run from its transcripts
 * and grade records, without calling any model, and prints the headline (or the full JSON report, identical to
 * `shakedown report RUN --format json`).
 */
export function createRescoreCommand(): Command {
  return new Command('rescore')
    .description('Recompute the metrics of a stored run from its transcripts (no model calls)')
    .argument('<run>', 'run id')
    .option('--json', 'print the full metrics as JSON (same as `report --format json`)')
    .option(
      '--data-dir <dir>',
      "directory of the shakedown store (default: shakedown.yaml's dataDir, else .shakedown)",
    )
    .action(async (runId: string, options: { json?: boolean; dataDir?: string }) => {
      const metrics = loadMetricsFromDataDir(await resolveDataDir(options.dataDir), runId);
      process.stdout.write(options.json ? renderJsonReport(metrics) : formatRescore(metrics));
    });
}
