import { join } from 'node:path';
import type { ModelClient } from '../../providers/types.ts';
import type { SandboxOptions } from '../../sandbox/types.ts';
import { runGit } from '../../workspace/run-git.ts';
import { assessInstruction, expectedBehaviourHeading } from '../assess-instruction.ts';
import { describeRunFailure } from '../check-task.ts';
import { describeFirstFailure } from '../explain-test-failure.ts';
import { rewriteInstruction } from '../instruction-rewrite.ts';
import { listPatchFiles } from '../patch-files.ts';
import { runTaskTests, type TaskTestSide } from '../run-task-tests.ts';
import type { Task } from '../task.ts';
import type { TestResult } from '../test-results/test-result.ts';
import { writeTaskFolder } from '../write-task-folder.ts';
import { classifyMinedTests, type MinedTests } from './classify-mined-tests.ts';
import { cleanCommitMessage } from './clean-commit-message.ts';
import {
  commandForFiles,
  commandForTask,
  detectTestCommand,
  type ProjectFiles,
  type TestCommand,
  testFileArguments,
} from './detect-test-command.ts';
import type { HistoryCommit } from './list-candidate-commits.ts';
import { writeMinedInstruction } from './write-mined-instruction.ts';

/** The opt-in model rewrite of mined instructions. */
export interface InstructionRewriteOptions {
  client: ModelClient;
  /** Rewrite every task's instruction, not only those flagged underspecified. */
  all: boolean;
}

/** What the instruction rewrite did for one task. */
export type InstructionRewriteNote =
  | { status: 'rewritten'; model: string; simulated: boolean }
  | { status: 'kept'; reason: string };

/** How one candidate commit is mined. */
export interface MineCommitOptions {
  /** Folder the task folder is written to. */
  outDir: string;
  cacheDir: string;
  /** Scratch folder for workspaces. */
  workDir: string;
  testCommand?: TestCommand;
  runs: number;
  /** Base and gold runs at the same time (2) or one after the other (1). */
  jobs: number;
  /** A task with more FAIL_TO_PASS tests that fail at the base only because their module does not import is skipped. */
  maxImportFailures: number;
  rewriteInstructions?: InstructionRewriteOptions;
  setup: string[];
  sandbox?: SandboxOptions;
  testTimeoutMs?: number;
  signal?: AbortSignal;
  /** Called once a candidate's test command is known. */
  onTestCommand?: (command: string, detectedFrom: string | undefined) => void;
}

/** What mining one candidate gave. */
export type CommitOutcome =
  | {
      status: 'task';
      counts: { failToPass: number; passToPass: number; flaky: number };
      /** Why the instruction may not say enough; empty when it looks specified. */
      underspecified: string[];
      /** A note on FAIL_TO_PASS tests that fail at the base only because their module does not import. */
      importFailureNote?: string;
      instructionRewrite?: InstructionRewriteNote;
      /**
       * Writes the task folder. Left to the caller, so that candidates mined at the same time are written in history
       * order and one past the `--max` limit is never written.
       */
      write: () => Promise<void>;
    }
  | { status: 'skipped'; reason: string };

const interrupted: CommitOutcome = { status: 'skipped', reason: 'interrupted' };

/**
 * Mines one candidate commit. tests.patch = its test-file changes, gold.patch = the rest, base = its (first) parent.
 * When the test command takes `{test_files}` and the commit changes runnable test files, only those run, `runs`
 * times a side, to find FAIL_TO_PASS and flaky tests; then the whole suite runs once a side to settle PASS_TO_PASS.
 * Otherwise the whole suite runs `runs` times a side. Base and gold run at the same time when `jobs` allows. The
 * task folder is written by the outcome's `write`.
 */
export async function mineCommit(
  repositoryDir: string,
  commit: HistoryCommit,
  taskId: string,
  options: MineCommitOptions,
): Promise<CommitOutcome> {
  const parent = commit.parent as string;
  const testCommand =
    options.testCommand ??
    (await detectTestCommand(commit.language, await projectFilesAt(repositoryDir, parent)));
  if (!testCommand) {
    return {
      status: 'skipped',
      reason: 'no test command for this language (pass --test-command and --test-format, or --language)',
    };
  }
  options.onTestCommand?.(testCommand.command, testCommand.detectedFrom);
  const diff = (paths: string[]) =>
    runGit(
      [
        'diff',
        '--no-renames',
        '--full-index',
        parent,
        commit.sha,
        '--',
        ...paths.map((path) => `:(literal)${path}`),
      ],
      { cwd: repositoryDir },
    );
  const testsPatch = await diff(commit.testFiles);
  const goldPatch = await diff(commit.sourceFiles);
  const patchFiles = listPatchFiles(testsPatch);
  const presentTestFiles = patchFiles.filter((file) => file.change !== 'deleted').map((file) => file.path);
  const focusedFiles = testCommand.command.includes('{test_files}')
    ? testFileArguments(commit.language, presentTestFiles, testCommand.format)
    : [];
  if (focusedFiles.length > 0) {
    // When the changed files are every test file there is, the focused runs are whole-suite runs already.
    const everyTestFile = testFileArguments(
      commit.language,
      (await projectFilesAt(repositoryDir, commit.sha)).paths,
      testCommand.format,
    );
    if (everyTestFile.every((path) => focusedFiles.includes(path))) focusedFiles.length = 0;
  }
  const taskWith = (command: string): Task => ({
    id: taskId,
    directory: join(options.outDir, taskId),
    repository: { kind: 'git', url: repositoryDir },
    baseCommit: parent,
    setup: options.setup,
    testCommand: command,
    testOutput: testCommand.outputPath
      ? { format: testCommand.format, path: testCommand.outputPath }
      : { format: testCommand.format },
    failToPass: [],
    passToPass: [],
    testFiles: patchFiles.map((file) => file.path),
    limits: {},
    turns: [],
    constraints: [],
    tags: [],
    instruction: '',
    goldPatch,
    testsPatch,
  });

  let baseOutputTail = '';
  const runSide = async (task: Task, side: TaskTestSide): Promise<TestResult[] | CommitOutcome> => {
    const outcome = await runTaskTests(task, side, {
      workDir: options.workDir,
      cacheDir: options.cacheDir,
      sandbox: options.sandbox,
      testTimeoutMs: options.testTimeoutMs,
      signal: options.signal,
    });
    if (options.signal?.aborted) return interrupted;
    const failure = describeRunFailure(outcome);
    if (failure) return { status: 'skipped', reason: failure.message.split('\n')[0].trim() };
    if (outcome.status !== 'graded') return { status: 'skipped', reason: 'tests did not run' };
    const results = outcome.grade.testResults;
    if (side === 'base' && baseOutputTail === '') baseOutputTail = outcome.grade.testOutputTail;
    if (side === 'gold' && !results.some((test) => test.status === 'passed')) {
      const errors = results.filter((test) => test.status === 'error').length;
      const first = describeFirstFailure(results, outcome.grade.testOutputTail);
      return {
        status: 'skipped',
        reason: `broken with the commit applied: no test passes (${errors} errors${first ? `; ${first}` : ''})`,
      };
    }
    return results;
  };
  const runBothSides = async (task: Task) => {
    if (options.jobs >= 2) return Promise.all([runSide(task, 'base'), runSide(task, 'gold')]);
    const base = await runSide(task, 'base');
    if (!Array.isArray(base)) return [base, base] as const;
    return [base, await runSide(task, 'gold')] as const;
  };

  const focusedTask = taskWith(commandForFiles(testCommand, focusedFiles));
  const focused: { base: TestResult[][]; gold: TestResult[][] } = { base: [], gold: [] };
  for (let run = 0; run < options.runs; run++) {
    if (options.signal?.aborted) return interrupted;
    const [base, gold] = await runBothSides(focusedTask);
    // A broken gold side explains more than a base failure, so it is reported first.
    if (!Array.isArray(gold)) return gold;
    if (!Array.isArray(base)) return base;
    focused.base.push(base);
    focused.gold.push(gold);
  }
  let full: { base: TestResult[]; gold: TestResult[] } | undefined;
  if (focusedFiles.length > 0) {
    if (options.signal?.aborted) return interrupted;
    const [base, gold] = await runBothSides(taskWith(commandForFiles(testCommand, [])));
    if (!Array.isArray(gold)) return gold;
    if (!Array.isArray(base)) return base;
    full = { base, gold };
  }

  const tests = classifyMinedTests({ focused, full }, presentTestFiles);
  const notes = describeDropped(tests);
  if (tests.failToPass.length === 0) {
    return {
      status: 'skipped',
      reason: `no FAIL_TO_PASS test: none fails at the parent and passes with the commit${notes}`,
    };
  }
  if (tests.passToPass.length === 0) return { status: 'skipped', reason: `no PASS_TO_PASS test${notes}` };
  const importFailed = [...tests.importFailures.values()].flat();
  const importFailureNote =
    importFailed.length > 0
      ? `${importFailed.length} of ${tests.failToPass.length} FAIL_TO_PASS fail at the base only because ${[
          ...tests.importFailures.keys(),
        ].join(', ')} does not import there${describeImportError(focused.base, baseOutputTail)}`
      : undefined;
  if (importFailed.length > options.maxImportFailures) {
    return {
      status: 'skipped',
      reason: `${importFailureNote}: more than ${options.maxImportFailures} (raise --max-import-failures to keep it)`,
    };
  }

  const message = cleanCommitMessage(commit.subject, commit.body);
  const minedInstruction = writeMinedInstruction(commit.subject, commit.body, tests.failToPass);
  const minedAssessment = assessInstruction(minedInstruction, tests.failToPass);
  let instruction = minedInstruction;
  let assessment = minedAssessment;
  let instructionRewrite: InstructionRewriteNote | undefined;
  if (options.rewriteInstructions && (options.rewriteInstructions.all || minedAssessment.underspecified)) {
    const rewrite = await rewriteInstruction(
      options.rewriteInstructions.client,
      {
        originalMessage: [message.subject, message.body].filter(Boolean).join('\n\n'),
        goldPatch,
        failToPass: tests.failToPass,
      },
      { signal: options.signal },
    );
    if (rewrite.status === 'rewritten') {
      // The expected-behaviour list mining writes stays under the model's text.
      const behaviours = minedInstruction.slice(minedInstruction.indexOf(expectedBehaviourHeading));
      instruction = `${rewrite.instruction.trimEnd()}\n\n${behaviours}`;
      assessment = assessInstruction(instruction, tests.failToPass);
      instructionRewrite = { status: 'rewritten', model: rewrite.model, simulated: rewrite.simulated };
    } else {
      instructionRewrite = { status: 'kept', reason: rewrite.reason };
    }
  }
  const tags = ['mined', `commit-${commit.sha.slice(0, 12)}`];
  if (commit.merge) tags.push('merge-commit');
  if (assessment.underspecified) tags.push('underspecified');
  if (importFailed.length > 0) tags.push('base-import-error');
  const comments = [
    `Mined from commit ${commit.sha}${commit.merge ? ' (a merge: its diff against the first parent)' : ''}.`,
    ...(testCommand.detectedFrom ? [`Test command detected: ${testCommand.detectedFrom}.`] : []),
    ...(assessment.underspecified
      ? [
          `UNDERSPECIFIED: ${assessment.reasons.join('; ')}. Rewrite instruction.md to state the expected behaviour.`,
        ]
      : []),
    ...(importFailureNote ? [`NOTE: ${importFailureNote}.`] : []),
    ...(instructionRewrite?.status === 'rewritten'
      ? [
          `instruction.md was written by ${instructionRewrite.simulated ? 'a SIMULATED model ' : ''}${instructionRewrite.model}; the mined instruction is kept as original_instruction.`,
        ]
      : []),
    ...(instructionRewrite?.status === 'kept'
      ? [`INSTRUCTION NOT REWRITTEN: ${instructionRewrite.reason}.`]
      : []),
  ];
  const write = () =>
    writeTaskFolder(join(options.outDir, taskId), {
      comment: comments.join('\n'),
      definition: {
        id: taskId,
        title: message.subject,
        repo: { git: repositoryDir },
        base_commit: parent,
        ...(commit.language ? { language: commit.language } : {}),
        ...(options.setup.length > 0 ? { setup: options.setup } : {}),
        // A user's narrowed whole suite (--whole-suite) may leave the changed test files out: grading adds them.
        test_command: commandForTask(testCommand, options.testCommand?.wholeSuite ? focusedFiles : []),
        test_output: testCommand.outputPath
          ? { format: testCommand.format, path: testCommand.outputPath }
          : { format: testCommand.format },
        fail_to_pass: tests.failToPass,
        pass_to_pass: tests.passToPass,
        tags,
        ...(instructionRewrite?.status === 'rewritten'
          ? {
              instruction_source: 'model' as const,
              instruction_model: `${instructionRewrite.model}${instructionRewrite.simulated ? ' (simulated)' : ''}`,
              original_instruction: minedInstruction,
            }
          : {}),
      },
      instruction,
      goldPatch,
      testsPatch,
    });
  return {
    status: 'task',
    write,
    counts: {
      failToPass: tests.failToPass.length,
      passToPass: tests.passToPass.length,
      flaky: tests.flaky.length,
    },
    underspecified: assessment.reasons,
    ...(importFailureNote ? { importFailureNote } : {}),
    ...(instructionRewrite ? { instructionRewrite } : {}),
  };
}

/** The files of the repository at `ref`, read through git. */
async function projectFilesAt(repositoryDir: string, ref: string): Promise<ProjectFiles> {
  const paths = (await runGit(['ls-tree', '-r', '--name-only', ref], { cwd: repositoryDir }))
    .split('\n')
    .filter(Boolean);
  return {
    paths,
    read: (path) => runGit(['show', `${ref}:${path}`], { cwd: repositoryDir }).catch(() => undefined),
  };
}

function describeDropped(tests: MinedTests): string {
  const parts: string[] = [];
  if (tests.flaky.length > 0) parts.push(`flaky, dropped: ${tests.flaky.join(', ')}`);
  if (tests.unconfirmed.length > 0)
    parts.push(`flipped only in the single whole-suite run, dropped: ${tests.unconfirmed.join(', ')}`);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

function describeImportError(baseRuns: TestResult[][], outputTail: string): string {
  const detail = describeFirstFailure(
    baseRuns[0]?.filter((test) => !test.id.includes('::')) ?? [],
    outputTail,
  );
  return detail ? ` (${detail})` : '';
}
