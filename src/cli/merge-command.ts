import path from 'node:path';
import { Command } from 'commander';
import { type MergeReport, mergeStores, openStore } from '../store/index.ts';

/**
 * `shakedown merge OUT_DIR IN_DIR...`: merges the stores of `shakedown run --shard i/n` runs (data folders or `.db`
 * files) into the store under OUT_DIR and prints what it did. Idempotent; exits 1 when attempts conflicted.
 */
export function createMergeCommand(): Command {
  return new Command('merge')
    .description('Merge shard stores (shakedown run --shard i/n) into one store')
    .argument('<out-dir>', 'data folder to merge into (created when missing)')
    .argument('<in-dirs...>', 'shard data folders or .db files')
    .action((outDir: string, inDirs: string[]) => {
      process.exitCode = mergeCommand(outDir, inDirs, (text) => process.stdout.write(text));
    });
}

/** Does the work of `shakedown merge`; returns the exit code. */
export function mergeCommand(
  outDir: string,
  inDirs: readonly string[],
  write: (text: string) => void,
): number {
  let store: ReturnType<typeof openStore>;
  try {
    store = openStore(path.resolve(outDir));
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  try {
    const report = mergeStores(
      store,
      inDirs.map((directory) => path.resolve(directory)),
    );
    write(formatMergeReport(report));
    for (const run of store.listRuns()) {
      const attempts = store.attempts(run.id);
      const finished = attempts.filter(
        (attempt) => attempt.status !== 'pending' && attempt.status !== 'running',
      );
      write(
        `run ${run.id}: ${finished.length} finished attempts, ${attempts.filter((a) => a.resolved).length} resolved\n`,
      );
    }
    return report.conflicts.length > 0 ? 1 : 0;
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    store.close();
  }
}

/** The summary `shakedown merge` prints. */
export function formatMergeReport(report: MergeReport): string {
  const lines = [
    `runs added: ${report.runsAdded}`,
    `attempts copied: ${report.attemptsCopied}`,
    `attempts already present: ${report.attemptsAlreadyPresent}`,
    `unfinished attempts skipped: ${report.attemptsUnfinished}`,
  ];
  for (const skipped of report.runsSkipped)
    lines.push(`skipped run ${skipped.runId} from ${skipped.source}: ${skipped.reason}`);
  for (const conflict of report.conflicts)
    lines.push(`conflict: ${conflict.attemptId} from ${conflict.source}: ${conflict.reason}`);
  return `${lines.join('\n')}\n`;
}
