/** Elapsed time of a run and its estimated time to finish, from the attempts finished so far. */
export interface RunPace {
  elapsedMs: number;
  /** Null until an attempt has finished, and once none remain. An estimate: the mean pace so far, extrapolated. */
  remainingMs: number | null;
}

/** Pace of a run that started at `startedAt`, with `done` of `total` attempts finished at `now`. */
export function runPace(startedAt: number, now: number, done: number, total: number): RunPace {
  const elapsedMs = Math.max(0, now - startedAt);
  const remaining = total - done;
  return { elapsedMs, remainingMs: done > 0 && remaining > 0 ? (elapsedMs / done) * remaining : null };
}

/** A duration as `45s`, `3m05s` or `1h02m`. */
export function formatDuration(milliseconds: number): string {
  const seconds = Math.round(milliseconds / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** `elapsed 1m05s · ETA ~2m10s (estimate: pace so far)`; the ETA only once it can be estimated. */
export function formatPace(pace: RunPace): string {
  const eta =
    pace.remainingMs === null ? '' : ` · ETA ~${formatDuration(pace.remainingMs)} (estimate: pace so far)`;
  return `elapsed ${formatDuration(pace.elapsedMs)}${eta}`;
}
