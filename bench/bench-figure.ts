import type { BenchResult } from './bench-result.ts';

/**
 * One printed figure of a benchmark: the value, the floor it is held against (what the same work costs done bare,
 * measured in the same run) and their ratio. Figures without a floor (a memory size, a share) leave it out.
 */
export interface BenchFigure {
  measure: string;
  value: number;
  unit: 'ms' | 'MB' | '%' | 'x';
  floor?: { what: string; value: number };
  /** value / floor.value, or a ratio the bench computes itself (e.g. per-attempt cost at 10k over 1k). */
  ratio?: number;
  /** Spread, target or method, one short phrase. */
  note?: string;
}

/** A figure held against a floor: ratio = value / floor. */
export function againstFloor(
  measure: string,
  value: number,
  unit: BenchFigure['unit'],
  floor: { what: string; value: number },
  note?: string,
): BenchFigure {
  return { measure, value, unit, floor, ratio: value / floor.value, ...(note ? { note } : {}) };
}

/** An older bench's percentile summary as a figure (its median), the spread in the note. */
export function figureOfResult(result: BenchResult): BenchFigure {
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    measure: result.name,
    value: result.p50,
    unit: result.unit,
    note: `${result.runs} runs, p95 ${round(result.p95)}, min ${round(result.min)}, max ${round(result.max)}`,
  };
}

/** Whether a bench module's result is a figure (else an older {@link BenchResult}). */
export function isFigure(value: BenchFigure | BenchResult): value is BenchFigure {
  return 'value' in value;
}
