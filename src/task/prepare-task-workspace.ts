import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox } from '../sandbox/index.ts';
import type { Sandbox, SandboxExecResult, SandboxOptions } from '../sandbox/types.ts';
import { createWorkspace, type Workspace, type WorkspacePools } from '../workspace/index.ts';
import { commitSnapshot } from './snapshot-repository.ts';
import type { Task } from './task.ts';
import { TaskSetupError } from './task-setup-error.ts';

/** Options of {@link prepareTaskWorkspace}. */
export interface PrepareTaskWorkspaceOptions {
  /** Directory to create the workspace in; must not exist yet (or be empty). */
  destination: string;
  /** Cache of snapshot commits and workspace templates; without it everything is built from scratch. */
  cacheDir?: string;
  /**
   * Ready copies of the cached workspace templates (with `cacheDir`): each attempt's workspace is renamed into
   * place instead of copied. Owned (and closed) by the caller.
   */
  workspacePool?: WorkspacePools;
  /** How the sandbox is created (backend, limits, env...). */
  sandbox?: SandboxOptions;
  /** Wall-clock limit of each setup command (default 10 minutes). */
  setupTimeoutMs?: number;
  /**
   * For a snapshot task with `cacheDir`: the commit already made of its snapshot (the agent's workspace's
   * `baseCommit`). A grading copy passes it so that it is built from the very base the agent started from, without
   * looking at the snapshot folder again: whatever happened to that folder since cannot reach the grade.
   */
  snapshotCommit?: string;
  /** Called before each setup command. */
  onSetupCommand?: (command: string) => void;
  signal?: AbortSignal;
}

/** One setup command as it ran. */
export interface SetupCommandResult {
  command: string;
  exitCode: number | null;
  durationMs: number;
}

/** The workspace of one attempt, its sandbox, and how setup went. */
export interface PreparedTaskWorkspace {
  workspace: Workspace;
  sandbox: Sandbox;
  setup: SetupCommandResult[];
  /** Disposes the sandbox, then removes the workspace. */
  dispose(): Promise<void>;
}

const defaultSetupTimeoutMs = 10 * 60 * 1000;
const outputTailLength = 4000;

/**
 * Builds the workspace of one attempt at a task: a one-commit git checkout of the task's base (a `{ git }`
 * repository at `base_commit`, or a `{ path }` snapshot committed as the base and cached by content), with the
 * hidden tests absent (tests.patch is never applied here; files it adds do not exist at the base), then creates the
 * sandbox and runs the task's `setup` commands in it, in order.
 *
 * Throws {@link TaskSetupError} (outcome `setup-failed`, never a model failure) when the workspace cannot be built
 * or a setup command fails or times out; the workspace and sandbox are disposed first.
 */
export async function prepareTaskWorkspace(
  task: Task,
  options: PrepareTaskWorkspaceOptions,
): Promise<PreparedTaskWorkspace> {
  const workspace = await buildWorkspace(task, options);
  let sandbox: Sandbox;
  try {
    sandbox = await createSandbox(workspace.dir, options.sandbox);
    // It starts while the rest of the attempt is set up and its first model request is out.
    sandbox.warm?.();
  } catch (error) {
    await workspace.dispose();
    throw new TaskSetupError(task.id, `sandbox could not be created: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const dispose = async () => {
    try {
      await sandbox.dispose();
    } finally {
      await workspace.dispose();
    }
  };
  const setup: SetupCommandResult[] = [];
  try {
    for (const command of task.setup) {
      options.onSetupCommand?.(command);
      const timeoutMs = options.setupTimeoutMs ?? defaultSetupTimeoutMs;
      const execution = await sandbox.exec(command, { timeoutMs, signal: options.signal });
      setup.push({ command, exitCode: execution.exitCode, durationMs: execution.durationMs });
      if (execution.exitCode !== 0 || execution.timedOut) {
        throw new TaskSetupError(task.id, `\`${command}\` ${describeFailure(execution, timeoutMs)}`, {
          command,
          exitCode: execution.exitCode,
          outputTail: outputTail(execution),
        });
      }
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  return { workspace, sandbox, setup, dispose };
}

async function buildWorkspace(task: Task, options: PrepareTaskWorkspaceOptions): Promise<Workspace> {
  const repository = task.repository;
  try {
    if (repository.kind === 'git' && !isLocalPath(repository.url)) {
      throw new Error(
        `repository ${repository.url} is remote; clone it and point repo.git at the local clone`,
      );
    }
    if (
      repository.kind === 'directory' &&
      task.baseCommit === null &&
      options.snapshotCommit &&
      options.cacheDir
    ) {
      return await createWorkspace({
        repositoryDir: join(options.cacheDir, 'snapshots.git'),
        baseCommit: options.snapshotCommit,
        destination: options.destination,
        cacheDir: options.cacheDir,
        pool: options.workspacePool,
        ...copyOnWrite(options),
      });
    }
    if (repository.kind === 'directory' && task.baseCommit === null) {
      const scratch = options.cacheDir ? undefined : await mkdtemp(join(tmpdir(), 'shakedown-snapshot-'));
      try {
        // Committed once per snapshot and process (the attempts of a run and their grading copies share it).
        const snapshot = await commitSnapshot(
          repository.path,
          scratch ? join(scratch, 'snapshots.git') : join(options.cacheDir as string, 'snapshots.git'),
          { reuse: scratch === undefined },
        );
        return await createWorkspace({
          repositoryDir: snapshot.repositoryDir,
          baseCommit: snapshot.commit,
          destination: options.destination,
          cacheDir: options.cacheDir,
          pool: options.workspacePool,
          ...copyOnWrite(options),
        });
      } finally {
        if (scratch) await rm(scratch, { recursive: true, force: true });
      }
    }
    const repositoryDir = repository.kind === 'directory' ? repository.path : localPath(repository.url);
    return await createWorkspace({
      repositoryDir,
      baseCommit: task.baseCommit ?? 'HEAD',
      destination: options.destination,
      cacheDir: options.cacheDir,
      pool: options.workspacePool,
      ...copyOnWrite(options),
    });
  } catch (error) {
    throw new TaskSetupError(task.id, `workspace could not be built: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Overlay workspaces (workspace-overlay.ts) for bubblewrap (and 'auto', which picks it first on Linux); the other
 * backends keep copies: a container backend chowns the whole workspace for its user, which would copy every file
 * of an overlay up, and 'none' gains nothing worth a mount.
 */
function copyOnWrite(options: PrepareTaskWorkspaceOptions): {
  copyOnWrite: boolean;
  onNote?: (message: string) => void;
} {
  const backend = options.sandbox?.backend ?? 'auto';
  return { copyOnWrite: backend === 'bubblewrap' || backend === 'auto', onNote: options.sandbox?.onWarning };
}

function isLocalPath(url: string): boolean {
  return url.startsWith('/') || url.startsWith('file://');
}

function localPath(url: string): string {
  return url.startsWith('file://') ? new URL(url).pathname : url;
}

function describeFailure(execution: SandboxExecResult, timeoutMs: number): string {
  if (execution.timedOut) return `timed out after ${timeoutMs} ms`;
  if (execution.signal) return `was killed by ${execution.signal}`;
  return `exited with code ${execution.exitCode}`;
}

function outputTail(execution: SandboxExecResult): string {
  const combined = [execution.stdout, execution.stderr].filter((text) => text.length > 0).join('\n');
  return combined.length <= outputTailLength ? combined : combined.slice(-outputTailLength);
}
