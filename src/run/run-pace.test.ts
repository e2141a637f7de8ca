import { describe, expect, it } from 'vitest';
import { formatDuration, formatPace, runPace } from './run-pace.ts';

describe('runPace', () => {
  it('extrapolates the mean pace of finished attempts to the remaining ones', () => {
    expect(runPace(1_000, 61_000, 3, 9)).toEqual({ elapsedMs: 60_000, remainingMs: 120_000 });
    expect(runPace(0, 5_000, 0, 9)).toEqual({ elapsedMs: 5_000, remainingMs: null });
    expect(runPace(0, 5_000, 9, 9)).toEqual({ elapsedMs: 5_000, remainingMs: null });
  });

  it('formats durations and labels the ETA as an estimate', () => {
    expect(formatDuration(44_600)).toBe('45s');
    expect(formatDuration(185_000)).toBe('3m05s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
    expect(formatPace({ elapsedMs: 65_000, remainingMs: 130_000 })).toBe(
      'elapsed 1m05s · ETA ~2m10s (estimate: pace so far)',
    );
    expect(formatPace({ elapsedMs: 5_000, remainingMs: null })).toBe('elapsed 5s');
  });
});
