import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { SandboxOptions } from '../../sandbox/types.ts';
import { runGit } from '../../workspace/run-git.ts';
import type { TestFileLanguage } from '../is-test-file.ts';
import type { TestCommand } from './detect-test-command.ts';
import { type HistoryCommit, listHistoryCommits } from './list-candidate-commits.ts';
import {
  type CommitOutcome,
  type InstructionRewriteNote,
  type InstructionRewriteOptions,
  mineCommit,
} from './mine-commit.ts';
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
  /**
   * Candidate commits mined at the same time (default 1), each in its own workspaces. Tasks, skip reasons, progress
   * events and the saved state come out as with 1, in history order.
   */
  parallel?: number;
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
  const emit = (event: MineProgressEvent) => {
    if (event.kind === 'test-command') {
      if (event.command === lastCommand) return;
      lastCommand = event.command;
    }
    options.onProgress?.(event);
  };
  const scratch = await mkdtemp(join(tmpdir(), 'shakedown-mine-'));
  const cacheDir = options.cacheDir ?? join(scratch, 'cache');
  const slug = slugify(basename(topLevel)) || 'repo';
  const parallel = Math.max(1, options.parallel ?? 1);
  // Stops the candidates still being mined once the run is over (its signal, or --max reached).
  const stop = new AbortController();
  const stopOnSignal = () => stop.abort();
  options.signal?.addEventListener('abort', stopOnSignal, { once: true });

  /** A commit in history order; a candidate's outcome may still be coming. */
  interface Pending {
    commit: HistoryCommit;
    taskId: string;
    /** Decided before (an earlier run): counted, not recorded again. */
    known?: MinedCommitRecord;
    /** Not a candidate: the record to keep. */
    record?: MinedCommitRecord;
    /** A candidate: its outcome, and a promise that settles with it. */
    outcome?: Promise<CommitOutcome>;
    done?: Promise<void>;
    settled: boolean;
    /** Its events go straight out (it is the oldest commit not yet decided); else they wait here. */
    live: boolean;
    events: MineProgressEvent[];
  }
  const queue: Pending[] = [];
  const running = new Set<Promise<void>>();
  let launched = 0;
  let finished = false;
  const emitFor = (pending: Pending, event: MineProgressEvent) => {
    if (pending.live) emit(event);
    else pending.events.push(event);
  };

  const decide = async (pending: Pending) => {
    const { commit, taskId } = pending;
    if (options.signal?.aborted) {
      finished = true;
      return;
    }
    if (pending.known) {
      result.alreadyDone++;
      return;
    }
    let record = pending.record;
    if (!record) {
      const outcome = await (pending.outcome as Promise<CommitOutcome>);
      if (options.signal?.aborted) {
        finished = true;
        return;
      }
      result.candidates++;
      if (outcome.status === 'task') {
        await outcome.write();
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
    state.commits[commit.sha] = record;
    await writeMineState(outDir, state);
    if (options.max !== undefined && result.written.length >= options.max) finished = true;
  };
  /** Decides the oldest commits whose outcome is known, in history order, as sequential mining does. */
  const settleReady = async () => {
    while (!finished && queue.length > 0) {
      const head = queue[0];
      if (!head.live) {
        head.live = true;
        for (const event of head.events.splice(0)) emit(event);
      }
      if (!head.settled) return;
      queue.shift();
      await decide(head);
    }
  };
  const add = async (pending: Pending, event: MineProgressEvent) => {
    queue.push(pending);
    await settleReady();
    emitFor(pending, event);
  };

  try {
    for await (const commit of listHistoryCommits(topLevel, {
      since: options.since,
      language: options.language,
      maxChangedLines: options.maxChangedLines,
    })) {
      await settleReady();
      if (finished || options.signal?.aborted) break;
      if (options.maxCandidates !== undefined && launched >= options.maxCandidates) break;
      const taskId = `${slug}-${commit.sha.slice(0, 10)}`;
      const pending: Pending = { commit, taskId, settled: true, live: false, events: [] };
      const known = state.commits[commit.sha];
      if (known) {
        pending.known = known;
        await add(pending, { kind: 'already-done', sha: commit.sha, subject: commit.subject, record: known });
        continue;
      }
      if (commit.skipReason) {
        pending.record = { status: 'skipped', subject: commit.subject, reason: commit.skipReason };
        await add(pending, {
          kind: 'skipped',
          sha: commit.sha,
          subject: commit.subject,
          reason: commit.skipReason,
          candidate: false,
        });
        continue;
      }
      while (running.size >= parallel && !finished) {
        await Promise.race(running);
        await settleReady();
      }
      if (finished || options.signal?.aborted) break;
      launched++;
      pending.settled = false;
      await add(pending, { kind: 'candidate', sha: commit.sha, subject: commit.subject });
      pending.outcome = mineCommit(topLevel, commit, taskId, {
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
        signal: stop.signal,
        onTestCommand: (command, detectedFrom) =>
          emitFor(pending, {
            kind: 'test-command',
            sha: commit.sha,
            command,
            ...(detectedFrom ? { detectedFrom } : {}),
          }),
      });
      const done: Promise<void> = pending.outcome.then(
        () => undefined,
        () => undefined,
      );
      pending.done = done.then(() => {
        pending.settled = true;
        running.delete(done);
      });
      running.add(done);
    }
    while (!finished && queue.length > 0) {
      await queue[0].done;
      await settleReady();
    }
  } finally {
    stop.abort();
    options.signal?.removeEventListener('abort', stopOnSignal);
    // The candidates still running were stopped: wait for their tests to be killed before removing their workspaces.
    await Promise.all(queue.flatMap((pending) => (pending.done ? [pending.done] : [])));
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
