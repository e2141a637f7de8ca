import { lstat, readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { runHostCommand, runHostCommandBytes } from '../sandbox/index.ts';
import type { Task } from './task.ts';

/** Reads a file's content at the task's base; null when the file does not exist there. */
export type ReadBaseFile = (path: string) => Promise<Buffer | null>;

/** Options for {@link createBaseFileReader}. */
export interface BaseFileReaderOptions {
  /** A local clone to read from; required when the task's repository is a remote git URL. */
  repositoryDir?: string;
}

/**
 * Reads base content from the task's own source (never from the agent's workspace, whose git history the agent
 * could rewrite): the snapshot directory for a plain snapshot, else `git cat-file` of `base_commit` in the local
 * repository. Throws when the repository is remote without `repositoryDir`, or when the base commit is unknown.
 */
export function createBaseFileReader(task: Task, options: BaseFileReaderOptions = {}): ReadBaseFile {
  const repository = task.repository;
  if (repository.kind === 'directory' && task.baseCommit === null) {
    return (path) => readSnapshotFile(repository.path, path);
  }
  const repositoryDir =
    options.repositoryDir ?? (repository.kind === 'directory' ? repository.path : localPath(repository.url));
  if (!repositoryDir) {
    throw new Error(
      `task ${task.id}: repository ${(repository as { url: string }).url} is remote; pass repositoryDir (a local clone)`,
    );
  }
  const commit = task.baseCommit ?? 'HEAD';
  let verified: Promise<void> | undefined;
  return async (path) => {
    verified ??= verifyCommit(repositoryDir, commit, task.id);
    await verified;
    const result = await runHostCommandBytes('git', ['cat-file', 'blob', `${commit}:${path}`], {
      cwd: repositoryDir,
    });
    return result.exitCode === 0 ? result.stdout : null;
  };
}

async function verifyCommit(repositoryDir: string, commit: string, taskId: string): Promise<void> {
  const result = await runHostCommand('git', ['rev-parse', '--verify', '--quiet', `${commit}^{commit}`], {
    cwd: repositoryDir,
  });
  if (result.exitCode !== 0) {
    throw new Error(`task ${taskId}: base_commit "${commit}" not found in ${repositoryDir}`);
  }
}

async function readSnapshotFile(root: string, path: string): Promise<Buffer | null> {
  const target = resolve(root, path);
  if (!target.startsWith(root + sep)) return null;
  try {
    const stats = await lstat(target);
    return stats.isFile() ? await readFile(target) : null;
  } catch {
    return null;
  }
}

function localPath(url: string): string | undefined {
  if (url.startsWith('file://')) return new URL(url).pathname;
  return url.startsWith('/') ? url : undefined;
}
