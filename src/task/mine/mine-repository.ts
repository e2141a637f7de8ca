import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { runGit } from '../../agent/workspace/run-git.ts';
import type { SandboxOptions } from '../../sandbox/types.ts';
import { describeRunFailure } from '../check-task.ts';
import type { TestFileLanguage } from '../is-test-file.ts';
import { listPatchFiles } from '../patch-files.ts';
import { runTaskTests } from '../run-task-tests.ts';
import type { Task } from '../task.ts';
import { classifyTests } from '../test-outcomes.ts';
import type { TestResult } from '../test-results/test-result.ts';
import { writeTaskFolder } from '../write-task-folder.ts';
import { detectTestCommand, type TestCommand } from './detect-test-command.ts';
import { type HistoryCommit, listHistoryCommits } from './list-candidate-commits.ts';
import { type MinedCommitRecord, readMineState, writeMineState } from './mine-state.ts';
import { writeMinedInstruction } from './write-mined-instruction.ts';

/** Options of {@link mineRepository}. */
export interface MineRepositoryOptions {
  /** The git repository to mine (its `HEAD` history). */
  repositoryDir: string;
  /** Folder the task folders and `.mine-state.json` are written to. */
  outDir: string;
  /** Stop after writing this many tasks in this run. */
  max?: number;
  /** Only commits after this ref. */
  since?: string;
  /** The test command (with `{test_ids}` where ids go); detected from the language when absent. */
  testCommand?: TestCommand;
  language?: TestFileLanguage;
  /** How many times base and gold runs are repeated to find flaky tests (default 3). */
  runs?: number;
  /** Commands written as the tasks' `setup` and run before the tests. */
  setup?: string[];
  sandbox?: SandboxOptions;
  cacheDir?: string;
  testTimeoutMs?: number;
  maxChangedLines?: number;
  onProgress?: (event: MineProgressEvent) => void;
  signal?: AbortSignal;
}

/** One step of mining, for progress display. */
export type MineProgressEvent =
  | { kind: 'candidate'; sha: string; subject: string }
  | {
      kind: 'task';
      sha: string;
      subject: string;
      taskId: string;
      failToPass: number;
      passToPass: number;
      flaky: number;
    }
  | { kind: 'skipped'; sha: string; subject: string; reason: string; candidate: boolean }
  | { kind: 'already-done'; sha: string; subject: string; record: MinedCommitRecord };

/** What one mining run did. */
export interface MineResult {
  /** Tasks written in this run (task ids). */
  written: string[];
  /** Candidate commits skipped in this run, with reasons. */
  skipped: { sha: string; subject: string; reason: string }[];
  /** Commits already processed by an earlier run and not redone. */
  alreadyDone: number;
}

/**
 * Mines tasks from a repository's history (R2E-Gym style). Each first-parent commit, newest first, that changes
 * both code and tests becomes a candidate: tests.patch = the commit's test-file changes, gold.patch = the rest, base
 * = the parent. The tests run `runs` times at the base (tests applied) and with gold; flaky tests are dropped, and a
 * task is written when at least one FAIL_TO_PASS and one PASS_TO_PASS test remain. Commits whose tests give no
 * result or where nothing passes with the commit (broken, not compiling) are skipped with a reason. The decision for
 * every commit is kept in `.mine-state.json`, so a rerun resumes where an interrupted one stopped.
 */
export async function mineRepository(options: MineRepositoryOptions): Promise<MineResult> {
  const repositoryDir = await realpath(resolve(options.repositoryDir));
  const topLevel = (
    await runGit(['rev-parse', '--show-toplevel'], { cwd: repositoryDir }).catch(() => {
      throw new Error(`${repositoryDir} is not a git repository`);
    })
  ).trim();
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const state = await readMineState(outDir, topLevel);
  const result: MineResult = { written: [], skipped: [], alreadyDone: 0 };
  const emit = (event: MineProgressEvent) => options.onProgress?.(event);
  const scratch = await mkdtemp(join(tmpdir(), 'shakedown-mine-'));
  const cacheDir = options.cacheDir ?? join(scratch, 'cache');
  const slug = slugify(basename(topLevel)) || 'repo';
  try {
    for await (const commit of listHistoryCommits(topLevel, {
      since: options.since,
      language: options.language,
      maxChangedLines: options.maxChangedLines,
    })) {
      if (options.signal?.aborted) break;
      if (options.max !== undefined && result.written.length >= options.max) break;
      const known = state.commits[commit.sha];
      if (known) {
        result.alreadyDone++;
        emit({ kind: 'already-done', sha: commit.sha, subject: commit.subject, record: known });
        continue;
      }
      let record: MinedCommitRecord;
      if (commit.skipReason) {
        record = { status: 'skipped', subject: commit.subject, reason: commit.skipReason };
        emit({
          kind: 'skipped',
          sha: commit.sha,
          subject: commit.subject,
          reason: commit.skipReason,
          candidate: false,
        });
      } else {
        emit({ kind: 'candidate', sha: commit.sha, subject: commit.subject });
        const taskId = `${slug}-${commit.sha.slice(0, 10)}`;
        const outcome = await mineCommit(topLevel, commit, taskId, {
          ...options,
          outDir,
          cacheDir,
          workDir: join(scratch, 'work'),
        });
        if (outcome.status === 'task') {
          record = { status: 'task', subject: commit.subject, taskId };
          result.written.push(taskId);
          emit({ kind: 'task', sha: commit.sha, subject: commit.subject, taskId, ...outcome.counts });
        } else {
          record = { status: 'skipped', subject: commit.subject, reason: outcome.reason };
          result.skipped.push({ sha: commit.sha, subject: commit.subject, reason: outcome.reason });
          emit({
            kind: 'skipped',
            sha: commit.sha,
            subject: commit.subject,
            reason: outcome.reason,
            candidate: true,
          });
        }
      }
      if (options.signal?.aborted) break;
      state.commits[commit.sha] = record;
      await writeMineState(outDir, state);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return result;
}

type CommitOutcome =
  | { status: 'task'; counts: { failToPass: number; passToPass: number; flaky: number } }
  | { status: 'skipped'; reason: string };

async function mineCommit(
  repositoryDir: string,
  commit: HistoryCommit,
  taskId: string,
  options: MineRepositoryOptions & { outDir: string; cacheDir: string; workDir: string },
): Promise<CommitOutcome> {
  const parent = commit.parent as string;
  const testCommand = options.testCommand ?? detectTestCommand(commit.language);
  if (!testCommand) {
    return {
      status: 'skipped',
      reason: 'no test command for this language (pass --test-command and --test-format)',
    };
  }
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
      {
        cwd: repositoryDir,
      },
    );
  const testsPatch = await diff(commit.testFiles);
  const goldPatch = await diff(commit.sourceFiles);
  const testFiles = listPatchFiles(testsPatch).map((file) => file.path);
  const task: Task = {
    id: taskId,
    directory: join(options.outDir, taskId),
    repository: { kind: 'git', url: repositoryDir },
    baseCommit: parent,
    setup: options.setup ?? [],
    testCommand: testCommand.command,
    testOutput: testCommand.outputPath
      ? { format: testCommand.format, path: testCommand.outputPath }
      : { format: testCommand.format },
    failToPass: [],
    passToPass: [],
    testFiles,
    limits: {},
    turns: [],
    constraints: [],
    tags: [],
    instruction: '',
    goldPatch,
    testsPatch,
  };
  const runs = options.runs ?? 3;
  const results: { base: TestResult[][]; gold: TestResult[][] } = { base: [], gold: [] };
  for (let run = 0; run < runs; run++) {
    for (const side of ['base', 'gold'] as const) {
      if (options.signal?.aborted) return { status: 'skipped', reason: 'interrupted' };
      const outcome = await runTaskTests(task, side, {
        workDir: options.workDir,
        cacheDir: options.cacheDir,
        sandbox: options.sandbox,
        testTimeoutMs: options.testTimeoutMs,
      });
      const failure = describeRunFailure(outcome);
      if (failure) return { status: 'skipped', reason: firstLine(failure.message) };
      if (outcome.status !== 'graded') return { status: 'skipped', reason: 'tests did not run' };
      const testResults = outcome.grade.testResults;
      if (side === 'gold' && !testResults.some((test) => test.status === 'passed')) {
        const errors = testResults.filter((test) => test.status === 'error');
        const example = errors[0]
          ? `, e.g. ${errors[0].id}${errors[0].message ? ` (${firstLine(errors[0].message)})` : ''}`
          : '';
        return {
          status: 'skipped',
          reason: `broken with the commit applied: no test passes (${errors.length} errors${example})`,
        };
      }
      results[side].push(testResults);
    }
  }
  const ids = [...new Set([...results.base, ...results.gold].flat().map((test) => test.id))];
  const classified = classifyTests(ids, results.base, results.gold);
  const flakyNote = classified.flaky.length > 0 ? ` (flaky, dropped: ${classified.flaky.join(', ')})` : '';
  if (classified.failToPass.length === 0) {
    return {
      status: 'skipped',
      reason: `no FAIL_TO_PASS test: none fails at the parent and passes with the commit${flakyNote}`,
    };
  }
  if (classified.passToPass.length === 0)
    return { status: 'skipped', reason: `no PASS_TO_PASS test${flakyNote}` };

  await writeTaskFolder(task.directory, {
    definition: {
      id: taskId,
      title: commit.subject,
      repo: { git: repositoryDir },
      base_commit: parent,
      ...(commit.language ? { language: commit.language } : {}),
      ...(task.setup.length > 0 ? { setup: task.setup } : {}),
      test_command: testCommand.command,
      test_output: testCommand.outputPath
        ? { format: testCommand.format, path: testCommand.outputPath }
        : { format: testCommand.format },
      fail_to_pass: classified.failToPass,
      pass_to_pass: classified.passToPass,
      tags: ['mined', `commit-${commit.sha.slice(0, 12)}`],
    },
    instruction: writeMinedInstruction(commit.subject, commit.body, classified.failToPass),
    goldPatch,
    testsPatch,
  });
  return {
    status: 'task',
    counts: {
      failToPass: classified.failToPass.length,
      passToPass: classified.passToPass.length,
      flaky: classified.flaky.length,
    },
  };
}

function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}
