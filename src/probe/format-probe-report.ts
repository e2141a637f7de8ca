import type { ProbeReport } from './run-probe.ts';

function percent(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(0)}%`;
}

function number(value: number | null, digits = 1): string {
  return value === null ? '—' : value.toFixed(digits);
}

/** Left-aligned text table with a header row. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

const SIMULATED_BANNER =
  '*** SIMULATED: these answers came from a simulated endpoint, not a real model. Not a measurement. ***';

/** A probe report as human-readable tables, with a SIMULATED banner when any answer was simulated. */
export function formatProbeReport(report: ProbeReport): string {
  const lines: string[] = [];
  if (report.simulated) lines.push(SIMULATED_BANNER);
  const context = report.endpoint.contextLength === null ? 'unknown' : String(report.endpoint.contextLength);
  lines.push(
    `Probe of ${report.model}${report.simulated ? ' (SIMULATED)' : ''} — context ${context} tokens, ${(report.durationMs / 1000).toFixed(1)} s`,
  );

  if (report.tools) {
    const { summary, repeat } = report.tools;
    lines.push(
      '',
      `Tool calling (${report.tools.cases.length} cases × ${repeat}): pass ${percent(summary.passRate)} (${summary.passes}/${summary.scored}` +
        `${summary.passRateInterval ? `, 95% CI ${percent(summary.passRateInterval.low)}–${percent(summary.passRateInterval.high)}` : ''})` +
        `, consistency ${percent(summary.consistency)}, pass^${repeat} ${percent(summary.passHatN)}`,
      ...table(
        ['category', 'pass', 'rate'],
        summary.byCategory.map((each) => [
          each.category,
          `${each.passes}/${each.scored}`,
          percent(each.rate),
        ]),
      ),
      `Calls: ${summary.validity.valid} valid, ${summary.validity.format} format, ${summary.validity['unknown-tool']} unknown tool, ${summary.validity.schema} schema; ` +
        `${summary.serverParsedCalls} server-parsed, ${summary.recoveredCalls} recovered from leaked text`,
      `Parallel: ${summary.parallelTurns.parallel}/${summary.parallelTurns.passing} passing parallel-case runs made both calls in one turn`,
    );
    const failures = report.tools.cases.flatMap((each) =>
      each.runs
        .filter((run) => run.status === 'scored' && !run.passed)
        .map((run) => [each.id, `#${run.repeat + 1}`, run.reason]),
    );
    if (failures.length > 0) lines.push('Failures:', ...table(['case', 'run', 'reason'], failures));
  }

  if (report.retention) {
    const retention = report.retention;
    lines.push(
      '',
      retention.calibration.method === 'server-tokens'
        ? `Context retention (${retention.repeat} repeats per fact; depth = tokens counted by the server, plus ${retention.calibration.basePromptTokens} of system prompt, tools, fact and question)`
        : `Context retention (${retention.repeat} repeats per fact; depth = estimated tokens, chars/4, plus ~${retention.overheadTokens} of system prompt and tools)`,
      ...table(
        ['depth', 'retained', 'rate', 'facts', 'constraints', '95% CI'],
        retention.depths.map((depth) =>
          depth.ran
            ? [
                String(depth.depth),
                `${depth.passes}/${depth.scored}`,
                percent(depth.rate),
                percent(depth.factRate),
                percent(depth.constraintRate),
                depth.rateInterval
                  ? `${percent(depth.rateInterval.low)}–${percent(depth.rateInterval.high)}`
                  : '—',
              ]
            : [
                String(depth.depth),
                /does not fit/.test(depth.skipReason ?? '') ? 'does not fit' : 'skipped',
                '—',
                '—',
                '—',
                depth.skipReason ?? '',
              ],
        ),
      ),
      ...retention.notes.map((note) => `Note: ${note}`),
    );
  }

  if (report.throughput) {
    const throughput = report.throughput;
    lines.push(
      '',
      `Throughput (~${throughput.promptApproximateTokens}-token prompt, ${throughput.maxOutputTokens} output tokens max)`,
      ...table(
        [
          'concurrency',
          'ok',
          'TTFT p50 ms',
          'TTFT p95 ms',
          'decode tok/s p50',
          'p95',
          'source',
          'aggregate tok/s',
        ],
        throughput.levels.map((level) => [
          String(level.concurrency),
          `${level.completed}/${level.requests}`,
          number(level.timeToFirstTokenMs.p50, 0),
          number(level.timeToFirstTokenMs.p95, 0),
          number(level.decodeTokensPerSecond.p50),
          number(level.decodeTokensPerSecond.p95),
          level.decodeSource,
          number(level.aggregateTokensPerSecond),
        ]),
      ),
      ...throughput.notes.map((note) => `Note: ${note}`),
    );
  }

  if (report.infrastructureErrors > 0 || report.notes.length > 0) lines.push('');
  for (const note of report.notes) lines.push(`Note: ${note}`);
  if (report.simulated) lines.push('', SIMULATED_BANNER);
  return `${lines.join('\n')}\n`;
}
