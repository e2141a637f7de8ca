import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { isDirectory, isFile } from '../workspace/path-kind.ts';
import { runGit } from '../workspace/run-git.ts';

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
 *
 * Safe to call concurrently, in one process or many, for the same or different snapshots and repositories: the
 * repository is initialized aside and renamed into place, and each call stages into its own copy of the persistent
 * index, which then atomically replaces it (last writer wins; an index is only a cache). Objects are written by
 * git atomically and no ref is updated, so no git lock file is shared between calls.
 */
export async function commitSnapshot(snapshotDir: string, repositoryDir: string): Promise<SnapshotCommit> {
  const snapshot = resolve(snapshotDir);
  const repository = resolve(repositoryDir);
  if (!(await isDirectory(snapshot))) throw new Error(`snapshot directory not found: ${snapshot}`);
  await ensureBareRepository(repository);

  const indexKey = createHash('sha256').update(snapshot).digest('hex').slice(0, 16);
  const indexDir = join(repository, 'snapshot-indexes');
  await mkdir(indexDir, { recursive: true });
  const index = join(indexDir, indexKey);
  const privateIndex = `${index}.${uniqueSuffix()}.tmp`;
  try {
    await copyFile(index, privateIndex).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    const git = (arguments_: string[]) =>
      runGit(['--git-dir', repository, '--work-tree', snapshot, ...arguments_], {
        cwd: snapshot,
        env: { GIT_INDEX_FILE: privateIndex },
      });
    await git(['add', '--all', '--force', '.']);
    const tree = (await git(['write-tree'])).trim();
    const commit = (await git(['commit-tree', tree, '-m', 'snapshot'])).trim();
    await rename(privateIndex, index);
    return { repositoryDir: repository, commit };
  } finally {
    await rm(privateIndex, { force: true });
    await rm(`${privateIndex}.lock`, { force: true });
  }
}

/**
 * Creates the bare repository when it is missing: initialized in a sibling directory, then renamed into place, so
 * that concurrent callers never see (or fight over) a half-initialized repository. A leftover empty directory is
 * replaced; when another caller won the race its repository is kept.
 */
async function ensureBareRepository(repository: string): Promise<void> {
  if (await isFile(join(repository, 'HEAD'))) return;
  await mkdir(dirname(repository), { recursive: true });
  const staging = `${repository}.${uniqueSuffix()}.tmp`;
  try {
    await runGit(['init', '--quiet', '--bare', staging]);
    await runGit(['--git-dir', staging, 'config', 'gc.auto', '0']);
    try {
      await rename(staging, repository);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!((code === 'ENOTEMPTY' || code === 'EEXIST') && (await isFile(join(repository, 'HEAD'))))) {
        throw error;
      }
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function uniqueSuffix(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}
