import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { isDirectory, isFile } from '../workspace/path-kind.ts';
import { runGit } from '../workspace/run-git.ts';
import { fingerprintSnapshot } from './snapshot-fingerprint.ts';

/** A snapshot directory committed into a bare repository. */
export interface SnapshotCommit {
  /** The bare repository holding the commit. */
  repositoryDir: string;
  /** The commit of the snapshot's content; equal content gives the same commit (fixed author and date). */
  commit: string;
}

/** Options of {@link commitSnapshot}. */
export interface CommitSnapshotOptions {
  /**
   * Reuse the commit this process made of the same snapshot into the same repository while the snapshot's
   * fingerprint (snapshot-fingerprint.ts) is unchanged (default true). False for a throw-away repository.
   */
  reuse?: boolean;
}

/** Commits this process made, by repository and snapshot: the fingerprint they were made at, and the commit. */
const madeCommits = new Map<string, { fingerprint: string; commit: Promise<SnapshotCommit> }>();
/** Repositories being created by this process, so that concurrent first calls share one `git init`. */
const repositoriesInFlight = new Map<string, Promise<void>>();

/**
 * Commits the content of the plain directory `snapshotDir` (every file, ignored ones included; a `.git` inside is
 * skipped) into the bare repository `repositoryDir`, created when missing. The commit is content-addressed: the
 * same files give the same commit, so workspace templates built from it are reused for as long as the snapshot is
 * unchanged.
 *
 * Once per snapshot, not per call: a later call (the other attempts of a run, each attempt's grading copy, a later
 * run through the commit recorded in the repository) gets the same commit without running git, as long
 * as the snapshot's fingerprint (paths, sizes, inodes, modification and change times of every entry) is the one it
 * was committed at, that fingerprint was settled (no entry changed just before it), and the commit is still in the
 * repository. Any change to the snapshot commits it again.
 *
 * Safe to call concurrently, in one process or many, for the same or different snapshots and repositories: the
 * repository is initialized aside and renamed into place, each commit stages into an index of its own (git re-hashes
 * every file: git's own index compares change times to the second only, so a same-size rewrite whose modification
 * time is set back within that second would pass for unchanged), and a commit's record atomically replaces the
 * former one (last writer wins; a record is only a cache). Objects are written by git atomically and no ref is
 * updated, so no git lock file is shared between calls.
 */
export async function commitSnapshot(
  snapshotDir: string,
  repositoryDir: string,
  options: CommitSnapshotOptions = {},
): Promise<SnapshotCommit> {
  const snapshot = resolve(snapshotDir);
  const repository = resolve(repositoryDir);
  if (!(await isDirectory(snapshot))) throw new Error(`snapshot directory not found: ${snapshot}`);
  if (options.reuse === false) return makeCommit(snapshot, repository);
  const key = `${repository}\0${snapshot}`;
  const fingerprint = await fingerprintSnapshot(snapshot);
  const made = madeCommits.get(key);
  if (made?.fingerprint === fingerprint.digest) {
    const reused = await made.commit.catch(() => undefined);
    if (reused && (await hasLooseObject(repository, reused.commit))) return reused;
  }
  const commit = fingerprint.settled
    ? recordedOrMadeCommit(snapshot, repository, fingerprint.digest)
    : makeCommit(snapshot, repository);
  if (fingerprint.settled) {
    const entry = { fingerprint: fingerprint.digest, commit };
    madeCommits.set(key, entry);
    commit.catch(() => {
      if (madeCommits.get(key) === entry) madeCommits.delete(key);
    });
  } else {
    madeCommits.delete(key);
  }
  return commit;
}

/**
 * The commit recorded for the snapshot path in the repository by an earlier process (an earlier run) for this very
 * fingerprint, when its commit is still there; else a new commit, then recorded. A record is only a cache: read
 * whole, checked, and replaced atomically (last writer wins).
 */
async function recordedOrMadeCommit(
  snapshot: string,
  repository: string,
  fingerprint: string,
): Promise<SnapshotCommit> {
  const record = recordPath(snapshot, repository);
  const recorded = await readCommitRecord(record);
  if (recorded?.fingerprint === fingerprint && (await hasLooseObject(repository, recorded.commit))) {
    return { repositoryDir: repository, commit: recorded.commit };
  }
  const made = await makeCommit(snapshot, repository);
  const staging = `${record}.${uniqueSuffix()}.tmp`;
  try {
    await writeFile(staging, JSON.stringify({ fingerprint, commit: made.commit }));
    await rename(staging, record);
  } finally {
    await rm(staging, { force: true });
  }
  return made;
}

async function readCommitRecord(
  record: string,
): Promise<{ fingerprint: string; commit: string } | undefined> {
  try {
    const parsed = JSON.parse(await readFile(record, 'utf8')) as { fingerprint?: unknown; commit?: unknown };
    if (typeof parsed.fingerprint !== 'string' || typeof parsed.commit !== 'string') return undefined;
    if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(parsed.commit)) return undefined;
    return { fingerprint: parsed.fingerprint, commit: parsed.commit };
  } catch {
    return undefined;
  }
}

/** Where the commit of a snapshot path is recorded in the repository. */
function recordPath(snapshot: string, repository: string): string {
  const key = createHash('sha256').update(snapshot).digest('hex').slice(0, 16);
  return join(repository, 'snapshot-commits', `${key}.json`);
}

async function makeCommit(snapshot: string, repository: string): Promise<SnapshotCommit> {
  await ensureBareRepository(repository);
  const recordDir = dirname(recordPath(snapshot, repository));
  await mkdir(recordDir, { recursive: true });
  const privateIndex = join(recordDir, `index.${uniqueSuffix()}.tmp`);
  try {
    const git = (arguments_: string[]) =>
      runGit(['--git-dir', repository, '--work-tree', snapshot, ...arguments_], {
        cwd: snapshot,
        env: { GIT_INDEX_FILE: privateIndex },
      });
    await git(['add', '--all', '--force', '.']);
    const tree = (await git(['write-tree'])).trim();
    const commit = (await git(['commit-tree', tree, '-m', 'snapshot'])).trim();
    return { repositoryDir: repository, commit };
  } finally {
    await rm(privateIndex, { force: true });
    await rm(`${privateIndex}.lock`, { force: true });
  }
}

/**
 * Whether the commit is still in the repository (removed with a cache, say): commit-tree writes it as a loose
 * object and the repository never packs (gc.auto 0).
 */
function hasLooseObject(repository: string, objectId: string): Promise<boolean> {
  return isFile(join(repository, 'objects', objectId.slice(0, 2), objectId.slice(2)));
}

/**
 * Creates the bare repository when it is missing: initialized in a sibling directory, then renamed into place, so
 * that concurrent callers never see (or fight over) a half-initialized repository. A leftover empty directory is
 * replaced; when another caller won the race its repository is kept.
 */
async function ensureBareRepository(repository: string): Promise<void> {
  if (await isFile(join(repository, 'HEAD'))) return;
  const inFlight = repositoriesInFlight.get(repository);
  if (inFlight) return inFlight;
  const creation = createBareRepository(repository);
  repositoriesInFlight.set(repository, creation);
  try {
    await creation;
  } finally {
    repositoriesInFlight.delete(repository);
  }
}

async function createBareRepository(repository: string): Promise<void> {
  await mkdir(dirname(repository), { recursive: true });
  const staging = `${repository}.${uniqueSuffix()}.tmp`;
  try {
    await runGit(['init', '--quiet', '--bare', staging]);
    // `git config gc.auto 0` without a second git process: the fresh config only gains a section.
    await appendFile(join(staging, 'config'), '[gc]\n\tauto = 0\n');
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
