import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox, SandboxExecOptions, SandboxOptions } from '../sandbox/types.ts';
import { applyPatch } from './apply-patch.ts';
import { type ConstraintResult, checkConstraints } from './check-constraints.ts';
import { type GradeResult, gradeAttempt } from './grade.ts';
import { prepareTaskWorkspace } from './prepare-task-workspace.ts';
import type { Task } from './task.ts';
import { TaskSetupError } from './task-setup-error.ts';

/** Which code the hidden tests run against: the base as is, or the base with gold.patch applied. */
export type TaskTestSide = 'base' | 'gold';

/** Options of {@link runTaskTests}. */
export interface RunTaskTestsOptions {
  /** Directory the scratch workspace is created in (removed afterwards). */
  workDir: string;
  cacheDir?: string;
  sandbox?: SandboxOptions;
  /** Wall-clock limit of the test command (default 10 minutes). */
  testTimeoutMs?: number;
  setupTimeoutMs?: number;
  /** Stops setup and the test command (their process groups are killed); the workspace is still removed. */
  signal?: AbortSignal;
}

/** The outcome of one run of a task's hidden tests. */
export type TaskTestRun =
  | {
      status: 'graded';
      side: TaskTestSide;
      grade: GradeResult;
      /** The task's constraints checked after grading, as an attempt's are (gold side, tasks with constraints). */
      constraints?: ConstraintResult[];
    }
  | { status: 'setup-failed'; side: TaskTestSide; reason: string }
  | { status: 'gold-patch-failed'; side: TaskTestSide; reason: string };

const defaultTestTimeoutMs = 10 * 60 * 1000;

/**
 * Runs a task's hidden tests once in a fresh workspace, exactly as grading will: the workspace is prepared (setup
 * commands included), gold.patch is applied for the `gold` side, then {@link gradeAttempt} applies tests.patch, runs
 * the test command and parses every result. On the `gold` side the task's constraints (if any) are then checked in
 * the same workspace, as they are after an attempt. The workspace is removed afterwards.
 */
export async function runTaskTests(
  task: Task,
  side: TaskTestSide,
  options: RunTaskTestsOptions,
): Promise<TaskTestRun> {
  await mkdir(options.workDir, { recursive: true });
  const destination = join(options.workDir, `${side}-${randomBytes(6).toString('hex')}`);
  let prepared: Awaited<ReturnType<typeof prepareTaskWorkspace>>;
  try {
    prepared = await prepareTaskWorkspace(task, {
      destination,
      cacheDir: options.cacheDir,
      sandbox: options.sandbox,
      setupTimeoutMs: options.setupTimeoutMs,
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof TaskSetupError) {
      const tail = error.outputTail ? `\n${error.outputTail}` : '';
      return { status: 'setup-failed', side, reason: `${error.message}${tail}` };
    }
    throw error;
  }
  try {
    if (side === 'gold') {
      const problem = await applyPatch(prepared.workspace.dir, task.goldPatch);
      if (problem !== null)
        return { status: 'gold-patch-failed', side, reason: `gold.patch did not apply: ${problem}` };
    }
    const grade = await gradeAttempt({
      task,
      workspaceDir: prepared.workspace.dir,
      sandbox: withSignal(prepared.sandbox, options.signal),
      testTimeoutMs: options.testTimeoutMs ?? defaultTestTimeoutMs,
    });
    if (side === 'gold' && task.constraints.length > 0) {
      const constraints = await checkConstraints(task, prepared.workspace.dir, prepared.sandbox);
      return { status: 'graded', side, grade, constraints };
    }
    return { status: 'graded', side, grade };
  } finally {
    await prepared.dispose();
  }
}

/** The sandbox with `signal` added to every command it runs (when there is one). */
function withSignal(sandbox: Sandbox, signal: AbortSignal | undefined): Sandbox {
  if (!signal) return sandbox;
  return new Proxy(sandbox, {
    get(target, property, receiver) {
      if (property === 'exec') {
        return (command: string, execOptions?: SandboxExecOptions) =>
          target.exec(command, { ...execOptions, signal: execOptions?.signal ?? signal });
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
