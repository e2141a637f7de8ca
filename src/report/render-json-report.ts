/**
 * The JSON report: the `RunMetrics` object of the run (see src/metrics/run-metrics.ts for every field), pretty
 * printed. Its `schemaVersion` changes whenever a field changes name or meaning; unknown values are `null`.
 * `shakedown rescore RUN --json` prints exactly the same text for the same stored run.
 */
import type { RunMetrics } from '../metrics/run-metrics.ts';

/** Renders the metrics as stable, pretty-printed JSON with a trailing newline. */
export function renderJsonReport(metrics: RunMetrics): string {
  return `${JSON.stringify(metrics, null, 2)}\n`;
}
