import { Command, Option } from 'commander';
import { createModelClient } from '../providers/create-model-client.ts';
import type { SandboxBackend } from '../sandbox/types.ts';
import { positiveInteger } from '../shared/positive-integer.ts';
import { type TestFileLanguage, testFileLanguages } from '../task/is-test-file.ts';
import { type MineProgressEvent, mineRepository } from '../task/mine/mine-repository.ts';
import { type TestOutputFormat, testOutputFormats } from '../task/test-results/test-result.ts';
import { warnOnce } from './warn-once.ts';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** One progress line for a mining event. */
export function formatMineProgress(event: MineProgressEvent): string {
  if (event.kind === 'test-command')
    return `test command: ${event.command}${event.detectedFrom ? ` (detected: ${event.detectedFrom})` : ''}`;
  const commit = `${event.sha.slice(0, 10)} ${event.subject}`;
  switch (event.kind) {
    case 'candidate':
      return `checking ${commit}`;
    case 'task': {
      const notes = [
        ...(event.flaky ? [`${event.flaky} flaky dropped`] : []),
        ...(event.underspecified.length > 0
          ? [`UNDERSPECIFIED instruction (${event.underspecified.join('; ')}): edit instruction.md`]
          : []),
        ...(event.importFailureNote ? [`note: ${event.importFailureNote}`] : []),
        ...(event.instructionRewrite?.status === 'rewritten'
          ? [
              `instruction rewritten by ${event.instructionRewrite.model}${event.instructionRewrite.simulated ? ' (SIMULATED model)' : ''}; the mined one kept in task.yaml`,
            ]
          : []),
        ...(event.instructionRewrite?.status === 'kept'
          ? [`instruction not rewritten: ${event.instructionRewrite.reason}`]
          : []),
      ];
      return `  task ${event.taskId}: ${event.failToPass} FAIL_TO_PASS, ${event.passToPass} PASS_TO_PASS${notes.map((note) => `\n    ${note}`).join('')}`;
    }
    case 'skipped':
      return event.candidate ? `  skipped: ${event.reason}` : `skipped ${commit}: ${event.reason}`;
    case 'already-done':
      return `done before: ${commit} (${event.record.status === 'task' ? `task ${event.record.taskId}` : event.record.reason})`;
  }
}

/**
 * `shakedown mine [REPO] --out DIR [--max N] [--max-candidates N] [--since REF] [--setup CMD]... [--test-command CMD
 * --test-format F] [--language L] [--jobs N] [--parallel N] [--rewrite-instructions [--rewrite-all] --model MODEL]`: mines tasks from a repository's history; an interrupted run (Ctrl-C,
 * SIGTERM) kills its tests, removes its scratch files, exits 130/143 and resumes from `DIR/.mine-state.json`.
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
      'test command: {test_files} becomes the changed test files (nothing: the whole suite), {test_ids} the test ids at grading; detected from the project when absent',
    )
    .addOption(
      new Option('--test-format <format>', 'report format of --test-command').choices(testOutputFormats),
    )
    .option('--test-output <path>', 'report file --test-command writes (default: stdout)')
    .option(
      '--whole-suite <args>',
      'what {test_files} becomes for the run that settles PASS_TO_PASS (default: nothing, the whole suite), e.g. a folder',
    )
    .addOption(new Option('--language <language>', 'test-file conventions to use').choices(testFileLanguages))
    .option('--runs <n>', 'times the tests run on each side to find flaky tests', positiveInteger, 3)
    .option(
      '--max-candidates <n>',
      'stop after checking this many candidate commits (a budget)',
      positiveInteger,
    )
    .option(
      '--setup <command>',
      'command run in the workspace before the tests, written to each task (repeatable), e.g. "pip install -e ."',
      collect,
    )
    .option('--jobs <n>', 'base and gold test runs at the same time (2) or in turn (1)', positiveInteger)
    .option(
      '--parallel <n>',
      'candidate commits mined at the same time, each in its own workspaces (default 1); output and order as with 1',
      positiveInteger,
    )
    .option(
      '--max-import-failures <n>',
      'skip a task when more FAIL_TO_PASS tests than this fail at the base only because their module does not import',
      positiveInteger,
      10,
    )
    .option(
      '--rewrite-instructions',
      'ask --model to rewrite the instruction of each task flagged underspecified as an issue stating the behaviour the tests check (the mined one is kept in task.yaml)',
    )
    .option('--rewrite-all', "with --rewrite-instructions: rewrite every task's instruction")
    .option(
      '-m, --model <id>',
      'model that rewrites instructions (e.g. ollama:qwen3.5:9b, openai:gpt-4.1-mini)',
    )
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
          wholeSuite?: string;
          language?: TestFileLanguage;
          runs: number;
          maxCandidates?: number;
          setup?: string[];
          jobs?: number;
          parallel?: number;
          maxImportFailures: number;
          rewriteInstructions?: boolean;
          rewriteAll?: boolean;
          model?: string;
          sandbox: SandboxBackend | 'auto';
        },
      ) => {
        const rewrite = options.rewriteInstructions || options.rewriteAll;
        if (rewrite && !options.model) {
          throw new Error(
            '--rewrite-instructions needs a model: add --model MODEL (e.g. --model ollama:qwen3.5:9b)',
          );
        }
        if (options.model && !rewrite) {
          throw new Error(
            '--model is only used to rewrite instructions: add --rewrite-instructions, or drop --model',
          );
        }
        const rewriteClient = rewrite && options.model ? createModelClient(options.model) : undefined;
        if ((options.testCommand === undefined) !== (options.testFormat === undefined)) {
          throw new Error('--test-command and --test-format go together');
        }
        const controller = new AbortController();
        let exitCode = 0;
        const interrupt = (signal: NodeJS.Signals) => {
          if (controller.signal.aborted) return;
          exitCode = signal === 'SIGTERM' ? 143 : 130;
          process.stderr.write(
            `${signal}: stopping the tests of the current commit and cleaning up; rerun the same command to resume\n`,
          );
          controller.abort();
        };
        process.on('SIGINT', interrupt);
        process.on('SIGTERM', interrupt);
        try {
          const result = await mineRepository({
            repositoryDir: repo,
            outDir: options.out,
            max: options.max,
            since: options.since,
            language: options.language,
            runs: options.runs,
            maxCandidates: options.maxCandidates,
            setup: options.setup,
            jobs: options.jobs,
            parallel: options.parallel,
            maxImportFailures: options.maxImportFailures,
            ...(rewriteClient
              ? { rewriteInstructions: { client: rewriteClient, all: options.rewriteAll === true } }
              : {}),
            testCommand:
              options.testCommand && options.testFormat
                ? {
                    command: options.testCommand,
                    format: options.testFormat,
                    ...(options.testOutput ? { outputPath: options.testOutput } : {}),
                    ...(options.wholeSuite ? { wholeSuite: options.wholeSuite } : {}),
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
            `${result.written.length} task(s) written to ${options.out}, ${result.skipped.length} candidate(s) skipped, ${result.alreadyDone} commit(s) done before${result.interrupted ? ' (interrupted)' : ''}\n`,
          );
          if (result.written.length > 0 && !result.interrupted) {
            process.stdout.write(
              `next: shakedown task check ${options.out}  (then: shakedown run --suite ${options.out} -m MODEL)\n`,
            );
          }
          if (exitCode !== 0) process.exitCode = exitCode;
        } finally {
          await rewriteClient?.close?.();
          process.off('SIGINT', interrupt);
          process.off('SIGTERM', interrupt);
        }
      },
    );
}
