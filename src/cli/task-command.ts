import { Command, Option } from 'commander';
import type { SandboxBackend } from '../sandbox/types.ts';
import { positiveInteger } from '../shared/positive-integer.ts';
import { checkTask, type TaskCheckReport } from '../task/check-task.ts';
import { loadTaskOrSuite } from '../task/load-task-folders.ts';
import { warnOnce } from './warn-once.ts';

/** Formats check reports as a summary table with each task's problems below it. */
export function formatTaskCheckReports(reports: TaskCheckReport[]): string {
  const rows = reports.map((report) => [
    report.valid ? 'valid' : 'INVALID',
    report.taskId,
    String(report.failToPass.length),
    String(report.passToPass.length),
    String(report.flaky.length),
    `${(report.durationMs / 1000).toFixed(1)}s`,
  ]);
  const header = ['status', 'task', 'f2p', 'p2p', 'flaky', 'time'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  const lines = [line(header), ...rows.map(line)];
  for (const report of reports) {
    if (report.instructionSource?.source === 'model') {
      lines.push(
        `${report.taskId}: instruction written by model ${report.instructionSource.model ?? '(unknown)'} (instruction_source: model; the mined one is original_instruction in task.yaml)`,
      );
    }
    for (const problem of report.problems)
      lines.push(`${report.taskId}: ${problem.severity} (${problem.check}): ${problem.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `shakedown task check DIR... [--runs N] [--json] [--sandbox B]`: validates task folders or suites (lint, patches,
 * FAIL_TO_PASS fail at the base, everything passes with gold, flaky tests over N runs). Exits 1 when any task is
 * invalid or fails to load.
 */
export function createTaskCommand(): Command {
  const task = new Command('task').description('Work with task folders');
  task
    .command('check')
    .description(
      'Check that tasks are sound: the hidden tests fail at the base, pass with the gold patch, and are not flaky',
    )
    .argument('<dir...>', 'task folders or suite folders')
    .option('--runs <n>', 'times the base and gold runs are repeated to find flaky tests', positiveInteger, 3)
    .option('--json', 'print the reports as JSON')
    .addOption(
      new Option('--sandbox <backend>', 'sandbox backend')
        .choices(['auto', 'bubblewrap', 'docker', 'podman', 'none'])
        .default('auto'),
    )
    .option('--cache-dir <dir>', 'cache of workspace templates', '.shakedown/cache')
    .action(
      async (
        directories: string[],
        options: { runs: number; json?: boolean; sandbox: SandboxBackend | 'auto'; cacheDir: string },
      ) => {
        const reports: TaskCheckReport[] = [];
        let loadFailed = false;
        for (const directory of directories) {
          const { tasks, errors } = await loadTaskOrSuite(directory);
          for (const error of errors) {
            loadFailed = true;
            process.stderr.write(`${error}\n`);
          }
          for (const each of tasks) {
            reports.push(
              await checkTask(each, {
                runs: options.runs,
                sandbox: {
                  backend: options.sandbox,
                  onWarning: (message) => warnOnce(message),
                },
                cacheDir: options.cacheDir,
                onProgress: (line) => process.stderr.write(`${line}\n`),
              }),
            );
          }
        }
        process.stdout.write(
          options.json ? `${JSON.stringify(reports, null, 2)}\n` : formatTaskCheckReports(reports),
        );
        if (loadFailed || reports.some((report) => !report.valid)) process.exitCode = 1;
      },
    );
  return task;
}
