import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runGit } from '../agent/workspace/run-git.ts';

/** A snapshot directory committed into a bare repository. */
export interface SnapshotCommit {
  /** The bare repository holding the commit. */
  repositoryDir: string;
  /** The commit of the snapshot's content; equal content gives the same commit (fixed author and date). */
  commit: string;
}

/**
 * Commits the content of the plain directory `snapshotDir` (every file, ignored ones included; a `.git` inside is
 * skipped) into the bare repository `repositoryDir`, created when missing. The commit is content-addressed: the
 * same files give the same commit, so workspace templates built from it are reused for as long as the snapshot is
 * unchanged. A persistent index per snapshot path lets git skip re-hashing unchanged files.
 */
export async function commitSnapshot(snapshotDir: string, repositoryDir: string): Promise<SnapshotCommit> {
  const snapshot = resolve(snapshotDir);
  const repository = resolve(repositoryDir);
  if (!(await isDirectory(snapshot))) throw new Error(`snapshot directory not found: ${snapshot}`);
  if (!(await isDirectory(repository))) {
    await mkdir(repository, { recursive: true });
    await runGit(['init', '--quiet', '--bare', repository]);
    await runGit(['--git-dir', repository, 'config', 'gc.auto', '0']);
  }
  const indexKey = createHash('sha256').update(snapshot).digest('hex').slice(0, 16);
  await mkdir(join(repository, 'snapshot-indexes'), { recursive: true });
  const git = (arguments_: string[]) =>
    runGit(['--git-dir', repository, '--work-tree', snapshot, ...arguments_], {
      cwd: snapshot,
      env: { GIT_INDEX_FILE: join(repository, 'snapshot-indexes', indexKey) },
    });
  await git(['add', '--all', '--force', '.']);
  const tree = (await git(['write-tree'])).trim();
  const commit = (await git(['commit-tree', tree, '-m', 'snapshot'])).trim();
  return { repositoryDir: repository, commit };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
