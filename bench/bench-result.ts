/** One measured quantity of a benchmark. */
export interface BenchResult {
  name: string;
  unit: 'ms';
  runs: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}

/** Summarizes samples into a {@link BenchResult} (nearest-rank percentiles). */
export function summarize(name: string, samples: number[]): BenchResult {
  const sorted = [...samples].sort((left, right) => left - right);
  const percentile = (fraction: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
  return {
    name,
    unit: 'ms',
    runs: sorted.length,
    p50: percentile(0.5),
    p95: percentile(0.95),
    min: sorted[0]!,
    max: sorted.at(-1)!,
  };
}
