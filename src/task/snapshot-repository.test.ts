import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runGit } from '../workspace/run-git.ts';
import { commitSnapshot } from './snapshot-repository.ts';

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
    expect((await readdir(join(repository, 'snapshot-indexes'))).length).toBe(2);
    await runGit(['--git-dir', repository, 'fsck', '--no-progress']);
  });
});
