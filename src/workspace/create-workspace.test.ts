import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../test-support/git-fixed-identity.ts';
import { createWorkspace } from './create-workspace.ts';

let root: string;
let repositoryDir: string;
let baseCommit: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'workspace-test-'));
  const remoteDir = path.join(root, 'remote.git');
  repositoryDir = path.join(root, 'repository');
  git(root, 'init', '--quiet', '--bare', remoteDir);
  git(root, 'init', '--quiet', '--initial-branch=trunk', repositoryDir);
  await writeFile(path.join(repositoryDir, 'README.md'), 'first version\n');
  git(repositoryDir, 'add', '.');
  git(repositoryDir, 'commit', '--quiet', '-m', 'secret history commit');
  git(repositoryDir, 'tag', '-a', 'v0', '-m', 'old tag');
  await writeFile(path.join(repositoryDir, 'README.md'), 'base version\n');
  await mkdir(path.join(repositoryDir, 'src'));
  await writeFile(path.join(repositoryDir, 'src', 'main.js'), 'console.log(1);\n');
  await mkdir(path.join(repositoryDir, 'tests', 'hidden'), { recursive: true });
  await writeFile(path.join(repositoryDir, 'tests', 'hidden', 'secret.test.js'), 'expect(1);\n');
  await writeFile(path.join(repositoryDir, 'tests', 'visible.test.js'), 'visible;\n');
  await writeFile(path.join(repositoryDir, 'run.sh'), '#!/bin/sh\necho run\n', { mode: 0o755 });
  await writeFile(path.join(repositoryDir, 'image.bin'), Buffer.from([0, 1, 2, 3, 255, 0, 7]));
  await symlink('README.md', path.join(repositoryDir, 'link-to-readme'));
  git(repositoryDir, 'add', '.');
  git(repositoryDir, 'commit', '--quiet', '-m', 'base commit');
  baseCommit = git(repositoryDir, 'rev-parse', 'HEAD').trim();
  git(repositoryDir, 'tag', 'v1');
  git(repositoryDir, 'remote', 'add', 'origin', remoteDir);
  git(repositoryDir, 'push', '--quiet', 'origin', 'trunk');
  await writeFile(path.join(repositoryDir, 'README.md'), 'future solution\n');
  git(repositoryDir, 'commit', '--quiet', '-am', 'future fix commit');
  await writeFile(path.join(repositoryDir, 'README.md'), 'stashed change\n');
  git(repositoryDir, 'stash', '--quiet');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('createWorkspace', () => {
  it('checks out the base tree as the only commit, with no refs, tags, remotes, reflogs or stashes', async () => {
    const workspace = await createWorkspace({
      repositoryDir,
      baseCommit: 'v1',
      destination: path.join(root, 'plain'),
    });
    try {
      expect(workspace.baseCommit).toBe(baseCommit);
      const dir = workspace.dir;
      expect(await readFile(path.join(dir, 'README.md'), 'utf8')).toBe('base version\n');
      expect(
        git(dir, 'log', '--all', '--format=%H %an %ad %s', '--date=iso-strict').trim().split('\n'),
      ).toEqual([`${workspace.rootCommit} shakedown 2000-01-01T00:00:00+00:00 base`]);
      expect(git(dir, 'for-each-ref', '--format=%(refname)').trim()).toBe('refs/heads/main');
      expect(git(dir, 'tag', '--list').trim()).toBe('');
      expect(git(dir, 'remote').trim()).toBe('');
      expect(git(dir, 'stash', 'list').trim()).toBe('');
      expect(git(dir, 'reflog', '--all').trim()).toBe('');
      expect(git(dir, 'status', '--porcelain').trim()).toBe('');
      // No object of the old history is reachable or even present.
      expect(() => git(dir, 'cat-file', '-e', baseCommit)).toThrow();
      const allObjects = git(dir, 'cat-file', '--batch-all-objects', '--batch-check');
      expect(allObjects).not.toContain(baseCommit);
      expect(allObjects.split('\n').filter((line) => line.includes(' commit ')).length).toBe(1);
      expect(git(dir, 'ls-files', '-s', 'run.sh')).toMatch(/^100755 /);
      expect(git(dir, 'ls-files', '-s', 'link-to-readme')).toMatch(/^120000 /);
      expect(existsSync(`${dir}.shakedown-template`)).toBe(false);
    } finally {
      await workspace.dispose();
    }
    expect(existsSync(workspace.dir)).toBe(false);
  });

  it('removes excluded paths before the commit', async () => {
    const workspace = await createWorkspace({
      repositoryDir,
      baseCommit,
      destination: path.join(root, 'excluded'),
      exclude: ['tests/hidden', 'run.sh'],
    });
    try {
      expect(existsSync(path.join(workspace.dir, 'tests', 'hidden'))).toBe(false);
      expect(existsSync(path.join(workspace.dir, 'run.sh'))).toBe(false);
      expect(existsSync(path.join(workspace.dir, 'tests', 'visible.test.js'))).toBe(true);
      expect(git(workspace.dir, 'ls-tree', '-r', '--name-only', 'HEAD')).not.toContain('secret.test.js');
      expect(await workspace.diff()).toBe('');
    } finally {
      await workspace.dispose();
    }
  });

  it('rejects excluded paths outside the repository and unknown commits', async () => {
    await expect(
      createWorkspace({ repositoryDir, baseCommit, destination: path.join(root, 'bad1'), exclude: ['../x'] }),
    ).rejects.toThrow(/inside the repository/);
    await expect(
      createWorkspace({ repositoryDir, baseCommit: 'no-such-ref', destination: path.join(root, 'bad2') }),
    ).rejects.toThrow(/not a commit/);
  });

  it('refuses a non-empty destination', async () => {
    const destination = path.join(root, 'occupied');
    await mkdir(destination);
    await writeFile(path.join(destination, 'file'), 'x');
    await expect(createWorkspace({ repositoryDir, baseCommit, destination })).rejects.toThrow(/not empty/);
  });

  it('copies a cached template: edits stay in their own workspace', async () => {
    const cacheDir = path.join(root, 'cache');
    const first = await createWorkspace({
      repositoryDir,
      baseCommit,
      destination: path.join(root, 'a'),
      cacheDir,
    });
    const second = await createWorkspace({
      repositoryDir,
      baseCommit,
      destination: path.join(root, 'b'),
      cacheDir,
    });
    try {
      expect(first.rootCommit).toBe(second.rootCommit);
      await writeFile(path.join(first.dir, 'README.md'), 'edited\n');
      await writeFile(path.join(first.dir, 'image.bin'), Buffer.from([9, 0, 9]));
      expect(await readFile(path.join(second.dir, 'README.md'), 'utf8')).toBe('base version\n');
      const third = await createWorkspace({
        repositoryDir,
        baseCommit,
        destination: path.join(root, 'c'),
        cacheDir,
      });
      expect(await readFile(path.join(third.dir, 'README.md'), 'utf8')).toBe('base version\n');
      expect(await third.changedFiles()).toEqual([]);
      await third.dispose();
      expect(await second.changedFiles()).toEqual([]);
      expect(await first.changedFiles()).toEqual(['README.md', 'image.bin']);
    } finally {
      await first.dispose();
      await second.dispose();
    }
  });

  it('diffs new, deleted, modified and binary files and survives a tampered .git', async () => {
    const workspace = await createWorkspace({
      repositoryDir,
      baseCommit,
      destination: path.join(root, 'diffed'),
      cacheDir: path.join(root, 'cache'),
    });
    try {
      const dir = workspace.dir;
      await writeFile(path.join(dir, 'src', 'main.js'), 'console.log(2);\n');
      await writeFile(path.join(dir, 'new-file.txt'), 'brand new\n');
      await unlink(path.join(dir, 'tests', 'visible.test.js'));
      await writeFile(path.join(dir, 'image.bin'), Buffer.from([0, 0, 0, 1]));
      await rm(path.join(dir, '.git'), { recursive: true });
      git(dir, 'init', '--quiet');
      expect(await workspace.changedFiles()).toEqual([
        'image.bin',
        'new-file.txt',
        'src/main.js',
        'tests/visible.test.js',
      ]);
      const patch = await workspace.diff();
      expect(patch).toContain('diff --git a/new-file.txt b/new-file.txt\nnew file mode 100644');
      expect(patch).toContain('+brand new');
      expect(patch).toContain('deleted file mode 100644');
      expect(patch).toContain('-console.log(1);\n+console.log(2);');
      expect(patch).toContain('GIT binary patch');
      // The patch applies cleanly to a pristine checkout and reproduces the edits.
      const pristine = await createWorkspace({
        repositoryDir,
        baseCommit,
        destination: path.join(root, 'pristine'),
      });
      await writeFile(path.join(root, 'change.patch'), patch);
      git(pristine.dir, 'apply', '--binary', path.join(root, 'change.patch'));
      expect(await readFile(path.join(pristine.dir, 'image.bin'))).toEqual(Buffer.from([0, 0, 0, 1]));
      expect(await pristine.changedFiles()).toEqual(await workspace.changedFiles());
      await pristine.dispose();
    } finally {
      await workspace.dispose();
    }
  });
});
