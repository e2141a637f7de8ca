import { copyFile, mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runGit } from './run-git.ts';

/**
 * A private git directory outside the workspace, holding the base commit's objects and our own configuration.
 * Diffs are computed through it, so nothing the agent puts in the workspace's `.git` (filters, external diff
 * drivers, fsmonitor hooks, rewritten history, a deleted `.git`) can run code on the host or change the answer.
 */
export interface TrustedGitDirectory {
  dir: string;
  rootCommit: string;
  /**
   * An index of the root commit's tree kept out of the agent's reach (a cached template's own index, copied):
   * diffs start from a copy of it instead of `git read-tree`, one git process less, and git skips re-hashing
   * files whose stat data still match it. Absent: the index is read from the root commit.
   */
  baseIndex?: string;
}

/**
 * Creates a trusted git directory holding copies of the template's packs, or, with `shareObjects` (a cached
 * template: immutable, out of the agent's reach), borrowing the template's objects through
 * `objects/info/alternates` instead of copying them.
 */
export async function createTrustedGitDirectory(
  templateGitDir: string,
  rootCommit: string,
  options: { shareObjects?: boolean } = {},
): Promise<TrustedGitDirectory> {
  const dir = await mkdtemp(path.join(tmpdir(), 'shakedown-base-git-'));
  const packDir = path.join(dir, 'objects', 'pack');
  await mkdir(packDir, { recursive: true });
  await mkdir(path.join(dir, 'refs'), { recursive: true });
  await writeFile(path.join(dir, 'HEAD'), `${rootCommit}\n`);
  await writeFile(
    path.join(dir, 'config'),
    '[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tautocrlf = false\n\tfsmonitor = false\n[gc]\n\tauto = 0\n',
  );
  const templateObjects = path.resolve(templateGitDir, 'objects');
  if (options.shareObjects && !templateObjects.includes('\n')) {
    await mkdir(path.join(dir, 'objects', 'info'));
    await writeFile(path.join(dir, 'objects', 'info', 'alternates'), `${templateObjects}\n`);
    // The template's index is the root commit's tree (the commit was made from it); a copy is taken now, so
    // that nothing done to the template later changes what the diffs start from.
    const baseIndex = path.join(dir, 'base-index');
    try {
      await copyIndex(path.resolve(templateGitDir, 'index'), baseIndex);
      return { dir, rootCommit, baseIndex };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return { dir, rootCommit };
    }
  }
  const templatePackDir = path.join(templateObjects, 'pack');
  for (const entry of await readdir(templatePackDir)) {
    await copyFile(path.join(templatePackDir, entry), path.join(packDir, entry));
  }
  return { dir, rootCommit };
}

/**
 * Copies an index keeping its modification time: git compares entries' times with the index file's own to tell
 * racily clean entries (a file changed in the same clock tick as the index was written) and re-hashes those.
 */
async function copyIndex(source: string, target: string): Promise<void> {
  await copyFile(source, target);
  const { atime, mtime } = await stat(source);
  await utimes(target, atime, mtime);
}

async function withSnapshotIndex<T>(
  trusted: TrustedGitDirectory,
  workspaceDir: string,
  action: (git: (arguments_: string[]) => Promise<string>) => Promise<T>,
): Promise<T> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'shakedown-diff-'));
  const env = {
    GIT_DIR: trusted.dir,
    GIT_WORK_TREE: workspaceDir,
    GIT_INDEX_FILE: path.join(scratch, 'index'),
  };
  const git = (arguments_: string[]) => runGit(arguments_, { cwd: workspaceDir, env });
  try {
    if (trusted.baseIndex) await copyIndex(trusted.baseIndex, env.GIT_INDEX_FILE);
    else await git(['read-tree', trusted.rootCommit]);
    await git(['add', '--all', '.']);
    return await action(git);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Unified, binary-safe diff of every change in the workspace (tracked, untracked, deleted) against the base. */
export function workspaceDiff(trusted: TrustedGitDirectory, workspaceDir: string): Promise<string> {
  return withSnapshotIndex(trusted, workspaceDir, (git) =>
    git([
      'diff',
      '--cached',
      '--binary',
      '--full-index',
      '--no-renames',
      '--no-ext-diff',
      '--no-textconv',
      '--no-color',
      trusted.rootCommit,
    ]),
  );
}

/** Paths (relative, sorted) that differ from the base: modified, added and deleted files. */
export function workspaceChangedFiles(trusted: TrustedGitDirectory, workspaceDir: string): Promise<string[]> {
  return withSnapshotIndex(trusted, workspaceDir, async (git) => {
    const output = await git(['diff', '--cached', '--name-only', '-z', '--no-renames', trusted.rootCommit]);
    return output
      .split('\0')
      .filter((name) => name.length > 0)
      .sort();
  });
}
