import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { runGit } from '../../agent/workspace/run-git.ts';
import type { SandboxOptions } from '../../sandbox/types.ts';
import type { TestFileLanguage } from '../is-test-file.ts';
import type { TestCommand } from './detect-test-command.ts';
import { listHistoryCommits } from './list-candidate-commits.ts';
import { type InstructionRewriteNote, type InstructionRewriteOptions, mineCommit } from './mine-commit.ts';
import { type MinedCommitRecord, readMineState, writeMineState } from './mine-state.ts';

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
  /**
   * The test command: `{test_files}` is replaced by the changed test files (nothing for the whole suite), `{test_ids}`
   * by test ids at grading; detected from the language and the project's files when absent.
   */
  testCommand?: TestCommand;
  language?: TestFileLanguage;
  /** How many times base and gold runs are repeated to find flaky tests (default 3). */
  runs?: number;
  /** Stop after checking this many candidate commits in this run (a budget; skipped non-candidates are free). */
  maxCandidates?: number;
  /** Base and gold test runs at the same time (2) or in turn (1); default 2 with 4 or more cores. */
  jobs?: number;
  /** Most FAIL_TO_PASS tests that fail at the base only because their module does not import (default 10). */
  maxImportFailures?: number;
  /** Opt-in: a model rewrites the instructions of underspecified tasks (every task's with `all`). */
  rewriteInstructions?: InstructionRewriteOptions;
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
  | { kind: 'test-command'; sha: string; command: string; detectedFrom?: string }
  | {
      kind: 'task';
      sha: string;
      subject: string;
      taskId: string;
      failToPass: number;
      passToPass: number;
      flaky: number;
      /** Why the instruction may not say enough (empty: specified). */
      underspecified: string[];
      importFailureNote?: string;
      /** What the opt-in instruction rewrite did: the model that wrote it, or why the original was kept. */
      instructionRewrite?: InstructionRewriteNote;
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
  /** Candidate commits checked in this run (written or skipped). */
  candidates: number;
  /** The run stopped early on its signal; the commit in progress is left for the next run. */
  interrupted: boolean;
}

/**
 * Mines tasks from a repository's history (R2E-Gym style). Each first-parent commit, newest first, that changes
 * both code and tests becomes a candidate (a merge by its diff against the first parent), mined by
 * {@link mineCommit}: flaky tests are dropped, and a task is written when at least one FAIL_TO_PASS and one
 * PASS_TO_PASS test remain. Commits whose tests give no result or where nothing passes with the commit (broken, not
 * compiling) are skipped with a reason. The decision for every commit is kept in `.mine-state.json`, so a rerun
 * resumes where an interrupted one stopped; an aborted `signal` kills the running tests, leaves the commit in
 * progress undecided and removes the scratch folder.
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
  const result: MineResult = { written: [], skipped: [], alreadyDone: 0, candidates: 0, interrupted: false };
  let lastCommand: string | undefined;
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
      if (options.maxCandidates !== undefined && result.candidates >= options.maxCandidates) break;
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
        result.candidates++;
        const taskId = `${slug}-${commit.sha.slice(0, 10)}`;
        const outcome = await mineCommit(topLevel, commit, taskId, {
          outDir,
          cacheDir,
          workDir: join(scratch, 'work'),
          testCommand: options.testCommand,
          runs: options.runs ?? 3,
          jobs: options.jobs ?? (availableParallelism() >= 4 ? 2 : 1),
          maxImportFailures: options.maxImportFailures ?? 10,
          ...(options.rewriteInstructions ? { rewriteInstructions: options.rewriteInstructions } : {}),
          setup: options.setup ?? [],
          sandbox: options.sandbox,
          testTimeoutMs: options.testTimeoutMs,
          signal: options.signal,
          onTestCommand: (command, detectedFrom) => {
            if (command === lastCommand) return;
            lastCommand = command;
            emit({
              kind: 'test-command',
              sha: commit.sha,
              command,
              ...(detectedFrom ? { detectedFrom } : {}),
            });
          },
        });
        if (options.signal?.aborted) break;
        if (outcome.status === 'task') {
          record = { status: 'task', subject: commit.subject, taskId };
          result.written.push(taskId);
          emit({
            kind: 'task',
            sha: commit.sha,
            subject: commit.subject,
            taskId,
            ...outcome.counts,
            underspecified: outcome.underspecified,
            ...(outcome.importFailureNote ? { importFailureNote: outcome.importFailureNote } : {}),
            ...(outcome.instructionRewrite ? { instructionRewrite: outcome.instructionRewrite } : {}),
          });
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
    result.interrupted = options.signal?.aborted ?? false;
    await rm(scratch, { recursive: true, force: true });
  }
  return result;
}

function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
