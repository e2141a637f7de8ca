/**
 * The leaderboard across runs: each model (model id + agent) with its latest and best resolved rate and its runs.
 * Built from the runs list's per-model rows (one aggregate query over all attempts), so it is linear in the runs and
 * attempts and reads no transcript.
 */
import type { LeaderboardEntry, LeaderboardRun, RunListItem } from './api-types.ts';

/** True when `candidate` beats `best`: a higher rate, then more scored attempts, then newer (runs come newest first). */
function beats(candidate: LeaderboardRun, best: LeaderboardRun): boolean {
  const rate = candidate.resolved.rate ?? -1;
  const bestRate = best.resolved.rate ?? -1;
  if (rate !== bestRate) return rate > bestRate;
  return candidate.resolved.trials > best.resolved.trials;
}

/** Order of the board: latest rate (unscored last), then label. */
function compareEntries(a: LeaderboardEntry, b: LeaderboardEntry): number {
  const rateA = a.latest.resolved.rate ?? -1;
  const rateB = b.latest.resolved.rate ?? -1;
  return rateB - rateA || a.label.localeCompare(b.label) || a.agent.localeCompare(b.agent);
}

/** The leaderboard of `runs` (newest first, as `listRunItems` returns them). */
export function leaderboardOf(runs: readonly RunListItem[]): LeaderboardEntry[] {
  const entries = new Map<string, LeaderboardEntry>();
  for (const run of runs) {
    for (const model of run.modelRows) {
      const key = JSON.stringify([model.modelId, run.agent]);
      const entryRun: LeaderboardRun = {
        runId: run.id,
        createdAt: run.createdAt,
        status: run.status,
        resolved: model.resolved,
      };
      const scored = model.resolved.trials > 0;
      const entry = entries.get(key);
      if (!entry) {
        entries.set(key, {
          modelId: model.modelId,
          agent: run.agent,
          label: model.label,
          simulated: model.simulated,
          latest: entryRun,
          best: scored ? entryRun : null,
          runs: [entryRun],
        });
        continue;
      }
      entry.runs.push(entryRun);
      entry.simulated ||= model.simulated;
      if (!scored) continue;
      if (entry.latest.resolved.trials === 0) {
        entry.latest = entryRun;
        entry.label = model.label;
      }
      if (!entry.best || beats(entryRun, entry.best)) entry.best = entryRun;
    }
  }
  return [...entries.values()].sort(compareEntries);
}
