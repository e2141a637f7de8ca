import { existsSync } from 'node:fs';
import path from 'node:path';
import { databasePathOf, openStore, type Store } from './store.ts';
import { StoreError } from './store-error.ts';

/** One attempt finished in two stores; the target's copy is kept. */
export interface MergeConflict {
  attemptId: string;
  runId: string;
  /** The store whose copy was ignored. */
  source: string;
  reason: string;
}

/** What `mergeStores` did. */
export interface MergeReport {
  /** Runs copied because the target lacked them. */
  runsAdded: number;
  /** Finished attempts copied into the target. */
  attemptsCopied: number;
  /** Finished attempts the target already held identically (a repeated merge). */
  attemptsAlreadyPresent: number;
  /** Source attempts not finished there (pending / running), ignored. */
  attemptsUnfinished: number;
  conflicts: MergeConflict[];
  /** Runs skipped because their config hash differs from the target's run of the same id. */
  runsSkipped: Array<{ runId: string; source: string; reason: string }>;
}

const FINISHED = ['finished', 'infrastructure-error'] as const;

/**
 * Merges shard stores into `target` (`shakedown merge`): copies each run the target lacks, then every finished
 * attempt with its events (steps and tool calls are re-derived). An attempt already finished in the target is
 * kept: identical copies count as already present, different ones are reported as conflicts. Idempotent.
 * `sourcePaths` are data directories or `.db` files; sources are opened read-only.
 */
export function mergeStores(target: Store, sourcePaths: readonly string[]): MergeReport {
  const report: MergeReport = {
    runsAdded: 0,
    attemptsCopied: 0,
    attemptsAlreadyPresent: 0,
    attemptsUnfinished: 0,
    conflicts: [],
    runsSkipped: [],
  };
  for (const sourcePath of sourcePaths) {
    const databasePath = databasePathOf(sourcePath);
    if (path.resolve(databasePath) === path.resolve(target.path))
      throw new StoreError(`cannot merge store ${databasePath} into itself`);
    if (!existsSync(databasePath)) throw new StoreError(`no store at ${databasePath}`);
    const source = openStore(sourcePath, { readonly: true });
    try {
      target.transaction(() => mergeOne(target, source, sourcePath, report));
    } finally {
      source.close();
    }
  }
  return report;
}

function mergeOne(target: Store, source: Store, sourcePath: string, report: MergeReport): void {
  for (const run of source.listRuns()) {
    const existing = target.getRun(run.id);
    if (existing && existing.configHash !== run.configHash) {
      report.runsSkipped.push({
        runId: run.id,
        source: sourcePath,
        reason: `config hash differs (${run.configHash.slice(0, 12)} here, ${existing.configHash.slice(0, 12)} in the target)`,
      });
      continue;
    }
    if (target.importRun(run, source.runModels(run.id), source.runTasks(run.id))) report.runsAdded++;
    for (const attempt of source.attempts(run.id)) {
      if (!(FINISHED as readonly string[]).includes(attempt.status)) {
        report.attemptsUnfinished++;
        continue;
      }
      const held = [
        target.attempt(attempt.id),
        ...target.attempts(run.id, { modelId: attempt.modelId, taskId: attempt.taskId }),
      ].find(
        (candidate) =>
          candidate !== null &&
          (candidate.id === attempt.id || candidate.attemptIndex === attempt.attemptIndex) &&
          (FINISHED as readonly string[]).includes(candidate.status),
      );
      if (held) {
        const sameCopy =
          held.id === attempt.id &&
          held.finishedAt === attempt.finishedAt &&
          target.events(held.id).length === source.events(attempt.id).length;
        if (sameCopy) report.attemptsAlreadyPresent++;
        else {
          report.conflicts.push({
            attemptId: attempt.id,
            runId: run.id,
            source: sourcePath,
            reason: `already finished in the target as ${held.id} (finished ${held.finishedAt}); kept the target's copy`,
          });
        }
        continue;
      }
      target.importFinishedAttempt(attempt, source.events(attempt.id));
      report.attemptsCopied++;
    }
  }
}
