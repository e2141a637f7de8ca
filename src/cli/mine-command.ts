import { Command, InvalidArgumentError, Option } from 'commander';
import type { SandboxBackend } from '../sandbox/types.ts';
import { type TestFileLanguage, testFileLanguages } from '../task/is-test-file.ts';
import { type MineProgressEvent, mineRepository } from '../task/mine/mine-repository.ts';
import { type TestOutputFormat, testOutputFormats } from '../task/test-results/test-result.ts';
import { warnOnce } from './warn-once.ts';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

/** One progress line for a mining event. */
export function formatMineProgress(event: MineProgressEvent): string {
  const commit = `${event.sha.slice(0, 10)} ${event.subject}`;
  switch (event.kind) {
    case 'candidate':
      return `checking ${commit}`;
    case 'task':
      return `  task ${event.taskId}: ${event.failToPass} FAIL_TO_PASS, ${event.passToPass} PASS_TO_PASS${event.flaky ? `, ${event.flaky} flaky dropped` : ''}`;
    case 'skipped':
      return event.candidate ? `  skipped: ${event.reason}` : `skipped ${commit}: ${event.reason}`;
    case 'already-done':
      return `done before: ${commit} (${event.record.status === 'task' ? `task ${event.record.taskId}` : event.record.reason})`;
  }
}

/**
 * `shakedown mine [REPO] --out DIR [--max N] [--since REF] [--test-command CMD --test-format F] [--language L]`:
 * mines tasks from a repository's history; an interrupted run resumes from `DIR/.mine-state.json`.
 */
export function createMineCommand(): Command {
  return new Command('mine')
    .description(
      'Mine tasks from a git history: commits that change code and tests, validated by running the tests',
    )
    .argument('[repo]', 'git repository to mine', '.')
    .requiredOption('--out <dir>', 'folder the task folders are written to')
    .option('--max <n>', 'stop after writing this many tasks', positiveInteger)
    .option('--since <ref>', 'only commits after this ref')
    .option(
      '--test-command <command>',
      'test command ({test_ids} is replaced by test ids); detected from the language when absent',
    )
    .addOption(
      new Option('--test-format <format>', 'report format of --test-command').choices(testOutputFormats),
    )
    .option('--test-output <path>', 'report file --test-command writes (default: stdout)')
    .addOption(new Option('--language <language>', 'test-file conventions to use').choices(testFileLanguages))
    .option('--runs <n>', 'times the tests run on each side to find flaky tests', positiveInteger, 3)
    .addOption(
      new Option('--sandbox <backend>', 'sandbox backend')
        .choices(['auto', 'bubblewrap', 'docker', 'podman', 'none'])
        .default('auto'),
    )
    .action(
      async (
        repo: string,
        options: {
          out: string;
          max?: number;
          since?: string;
          testCommand?: string;
          testFormat?: TestOutputFormat;
          testOutput?: string;
          language?: TestFileLanguage;
          runs: number;
          sandbox: SandboxBackend | 'auto';
        },
      ) => {
        if ((options.testCommand === undefined) !== (options.testFormat === undefined)) {
          throw new Error('--test-command and --test-format go together');
        }
        const controller = new AbortController();
        const interrupt = () => {
          process.stderr.write('interrupted: finishing the current commit is skipped; rerun to resume\n');
          controller.abort();
        };
        process.once('SIGINT', interrupt);
        try {
          const result = await mineRepository({
            repositoryDir: repo,
            outDir: options.out,
            max: options.max,
            since: options.since,
            language: options.language,
            runs: options.runs,
            testCommand:
              options.testCommand && options.testFormat
                ? {
                    command: options.testCommand,
                    format: options.testFormat,
                    ...(options.testOutput ? { outputPath: options.testOutput } : {}),
                  }
                : undefined,
            sandbox: {
              backend: options.sandbox,
              onWarning: (message) => warnOnce(message),
            },
            onProgress: (event) => process.stderr.write(`${formatMineProgress(event)}\n`),
            signal: controller.signal,
          });
          process.stdout.write(
            `${result.written.length} task(s) written to ${options.out}, ${result.skipped.length} candidate(s) skipped, ${result.alreadyDone} commit(s) done before\n`,
          );
        } finally {
          process.off('SIGINT', interrupt);
        }
      },
    );
}
