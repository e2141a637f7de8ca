import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runGit } from '../workspace/run-git.ts';
import { fingerprintSnapshot } from './snapshot-fingerprint.ts';
import { commitSnapshot } from './snapshot-repository.ts';

vi.mock('../workspace/run-git.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../workspace/run-git.ts')>();
  return { ...actual, runGit: vi.fn(actual.runGit) };
});

/** The git commands run since the last clear (`add`, `write-tree`, ... ; `init` for a new repository). */
function gitCommands(): string[] {
  return vi.mocked(runGit).mock.calls.map(([arguments_]) => {
    const rest =
      arguments_[0] === '--git-dir' ? arguments_.slice(arguments_[2] === '--work-tree' ? 4 : 2) : arguments_;
    return rest[0]!;
  });
}

/**
 * Waits until the snapshot's last change is older than a fingerprint's settling margin (100 ms): only a settled
 * fingerprint is reused. A busy machine only waits longer.
 */
async function settle(): Promise<void> {
  await sleep(250);
}

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'shakedown-snapshot-test-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function makeSnapshot(name: string, files: number, seed: string): Promise<string> {
  const snapshot = join(directory, name);
  await mkdir(join(snapshot, 'src'), { recursive: true });
  for (let index = 0; index < files; index++) {
    await writeFile(join(snapshot, 'src', `file-${index}.txt`), `${seed} ${index}\n`);
  }
  return snapshot;
}

describe('commitSnapshot', () => {
  it('gives the same commit for the same content and a new one when it changes', async () => {
    const snapshot = await makeSnapshot('snap', 3, 'a');
    const repository = join(directory, 'cache', 'snapshots.git');
    const first = await commitSnapshot(snapshot, repository);
    expect(await commitSnapshot(snapshot, repository)).toEqual(first);
    await writeFile(join(snapshot, 'src', 'file-0.txt'), 'changed\n');
    const changed = await commitSnapshot(snapshot, repository);
    expect(changed.commit).not.toBe(first.commit);
    const listed = await runGit(['--git-dir', repository, 'show', `${changed.commit}:src/file-0.txt`]);
    expect(listed).toBe('changed\n');
  });

  it('is safe when many calls commit into one fresh repository at once', async () => {
    const snapshots = [await makeSnapshot('one', 40, 'one'), await makeSnapshot('two', 40, 'two')];
    const repository = join(directory, 'cache', 'snapshots.git');
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) => commitSnapshot(snapshots[index % 2]!, repository)),
    );
    const commits = (index: number) =>
      new Set(results.filter((_, at) => at % 2 === index).map((r) => r.commit));
    expect(commits(0).size).toBe(1);
    expect(commits(1).size).toBe(1);
    expect([...commits(0)][0]).not.toBe([...commits(1)][0]);
    // No temporary indexes or repositories are left behind.
    expect((await readdir(join(directory, 'cache'))).sort()).toEqual(['snapshots.git']);
    const records = await readdir(join(repository, 'snapshot-commits'));
    expect(records.filter((name) => !name.endsWith('.json'))).toEqual([]);
    await runGit(['--git-dir', repository, 'fsck', '--no-progress']);
  });

  it('commits a snapshot once for many attempts and their grading copies, and again when it changes', async () => {
    const snapshot = await makeSnapshot('once', 5, 'once');
    const repository = join(directory, 'cache', 'snapshots.git');
    await settle();
    vi.mocked(runGit).mockClear();
    const attempts = 6;
    const results = await Promise.all(
      Array.from({ length: attempts * 2 }, () => commitSnapshot(snapshot, repository)),
    );
    expect(new Set(results.map((result) => result.commit)).size).toBe(1);
    expect(gitCommands()).toEqual(['init', 'add', 'write-tree', 'commit-tree']);

    // A change of the same size with the modification time set back: the change time still tells.
    const file = join(snapshot, 'src', 'file-0.txt');
    const before = await stat(file);
    await writeFile(file, 'ONCE 0\n');
    await utimes(file, before.atime, before.mtime);
    await settle();
    vi.mocked(runGit).mockClear();
    const changed = await commitSnapshot(snapshot, repository);
    expect(changed.commit).not.toBe(results[0]!.commit);
    expect(await runGit(['--git-dir', repository, 'show', `${changed.commit}:src/file-0.txt`])).toBe(
      'ONCE 0\n',
    );
    expect(await commitSnapshot(snapshot, repository)).toEqual(changed);
    expect(gitCommands()).toEqual(['add', 'write-tree', 'commit-tree', 'show']);

    // A new file, then a removed one.
    await writeFile(join(snapshot, 'src', 'extra.txt'), 'extra\n');
    await settle();
    const added = await commitSnapshot(snapshot, repository);
    expect(added.commit).not.toBe(changed.commit);
    await rm(join(snapshot, 'src', 'extra.txt'));
    await settle();
    expect((await commitSnapshot(snapshot, repository)).commit).toBe(changed.commit);
  });

  it('commits again when the repository lost the commit (a removed cache)', async () => {
    const snapshot = await makeSnapshot('lost', 2, 'lost');
    const repository = join(directory, 'cache', 'snapshots.git');
    await settle();
    const first = await commitSnapshot(snapshot, repository);
    await rm(repository, { recursive: true, force: true });
    vi.mocked(runGit).mockClear();
    const again = await commitSnapshot(snapshot, repository);
    expect(again.commit).toBe(first.commit);
    expect(gitCommands()).toEqual(['init', 'add', 'write-tree', 'commit-tree']);
    expect(await runGit(['--git-dir', repository, 'cat-file', '-t', again.commit])).toBe('commit\n');
    expect(await runGit(['--git-dir', repository, 'config', 'gc.auto'])).toBe('0\n');
  });

  it('never reuses a commit of a snapshot that changed just before (or after) its fingerprint', async () => {
    const snapshot = await makeSnapshot('racy', 2, 'racy');
    const repository = join(directory, 'cache', 'snapshots.git');
    const future = new Date(Date.now() + 3_600_000);
    await utimes(join(snapshot, 'src', 'file-1.txt'), future, future);
    expect((await fingerprintSnapshot(snapshot)).settled).toBe(false);
    vi.mocked(runGit).mockClear();
    await commitSnapshot(snapshot, repository);
    await commitSnapshot(snapshot, repository);
    expect(gitCommands().filter((command) => command === 'commit-tree')).toHaveLength(2);
  });

  it('does not remember commits into a throw-away repository', async () => {
    const snapshot = await makeSnapshot('scratch', 1, 'scratch');
    await settle();
    vi.mocked(runGit).mockClear();
    await commitSnapshot(snapshot, join(directory, 'scratch-1.git'), { reuse: false });
    await commitSnapshot(snapshot, join(directory, 'scratch-1.git'), { reuse: false });
    expect(gitCommands().filter((command) => command === 'commit-tree')).toHaveLength(2);
  });

  it('reuses the commit a former process recorded for the same settled fingerprint, without git', async () => {
    const snapshot = await makeSnapshot('recorded', 3, 'recorded');
    const repository = join(directory, 'cache', 'snapshots.git');
    await settle();
    const first = await commitSnapshot(snapshot, repository);
    // A new process: fresh module state (no commit remembered in memory), same repository.
    vi.resetModules();
    const fresh = await import('./snapshot-repository.ts');
    const freshGit = vi.mocked((await import('../workspace/run-git.ts')).runGit);
    freshGit.mockClear();
    expect(await fresh.commitSnapshot(snapshot, repository)).toEqual(first);
    expect(freshGit).not.toHaveBeenCalled();
    // A changed snapshot is committed again, also in a new process.
    await writeFile(join(snapshot, 'src', 'file-2.txt'), 'RECORDED 2\n');
    await settle();
    vi.resetModules();
    const later = await import('./snapshot-repository.ts');
    const laterGit = vi.mocked((await import('../workspace/run-git.ts')).runGit);
    laterGit.mockClear();
    const changed = await later.commitSnapshot(snapshot, repository);
    expect(changed.commit).not.toBe(first.commit);
    expect(laterGit.mock.calls.map(([arguments_]) => arguments_[4])).toEqual([
      'add',
      'write-tree',
      'commit-tree',
    ]);
  });
});
