import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { git } from '../../test-support/git-fixed-identity.ts';
import { runGit } from './run-git.ts';
import { buildTemplate } from './workspace-template.ts';

vi.mock('./run-git.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./run-git.ts')>();
  return { ...actual, runGit: vi.fn(actual.runGit) };
});

// A `:` in the path: the source's objects are named in GIT_ALTERNATE_OBJECT_DIRECTORIES, a `:`-separated list.
const root = await mkdtemp(path.join(tmpdir(), 'workspace-template-test:'));
const repositoryDir = path.join(root, 'repository');
let baseCommit: string;
const exclude = ['tests/hidden', 'a[1].txt', 'missing.txt'];

beforeAll(async () => {
  git(root, 'init', '--quiet', '--initial-branch=trunk', repositoryDir);
  await mkdir(path.join(repositoryDir, 'src', 'deep', 'er'), { recursive: true });
  await mkdir(path.join(repositoryDir, 'tests', 'hidden'), { recursive: true });
  await writeFile(path.join(repositoryDir, 'src', 'main.py'), 'print(1)\n');
  await writeFile(path.join(repositoryDir, 'src', 'deep', 'er', 'module.py'), 'X = 1\n');
  await writeFile(path.join(repositoryDir, 'empty.txt'), '');
  await writeFile(path.join(repositoryDir, 'run.sh'), '#!/bin/sh\n');
  await chmod(path.join(repositoryDir, 'run.sh'), 0o755);
  await writeFile(path.join(repositoryDir, 'image.bin'), Buffer.from([0, 1, 255, 0]));
  await symlink('src/main.py', path.join(repositoryDir, 'link'));
  await writeFile(path.join(repositoryDir, 'tests', 'hidden', 'test_secret.py'), 'SECRET = "hidden test"\n');
  await writeFile(path.join(repositoryDir, 'tests', 'test_visible.py'), 'def test(): pass\n');
  // `a[1].txt` is excluded literally; as a glob it would also match `a1.txt`, which stays.
  await writeFile(path.join(repositoryDir, 'a[1].txt'), 'literal name\n');
  await writeFile(path.join(repositoryDir, 'a1.txt'), 'kept\n');
  git(repositoryDir, 'add', '.');
  git(repositoryDir, 'commit', '--quiet', '-m', 'base');
  baseCommit = git(repositoryDir, 'rev-parse', 'HEAD').trim();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The base tree less the excluded paths, computed in the source repository with a scratch index. */
async function expectedTree(): Promise<string> {
  const env = { GIT_INDEX_FILE: path.join(root, 'expected-index') };
  const run = async (...arguments_: string[]) =>
    (await runGit(arguments_, { cwd: repositoryDir, env })).trim();
  await run('read-tree', baseCommit);
  await run('--literal-pathspecs', 'rm', '-r', '--cached', '--quiet', '--ignore-unmatch', '--', ...exclude);
  return run('write-tree');
}

describe('buildTemplate', () => {
  it('commits the base tree less the excluded paths without hashing any file again, in a repository of its own', async () => {
    const expected = await expectedTree();
    const objectsBefore = git(repositoryDir, 'count-objects', '-v');
    vi.mocked(runGit).mockClear();
    const template = await buildTemplate({ repositoryDir, baseCommit, exclude }, path.join(root, 'template'));
    const commands = vi
      .mocked(runGit)
      .mock.calls.map(([arguments_]) => arguments_.find((argument) => !argument.startsWith('-')));
    expect(commands).not.toContain('add');
    expect(commands).toEqual([
      'rev-parse',
      'init',
      'read-tree',
      'checkout-index',
      'rm',
      'commit',
      'repack',
      'prune-packed',
      'rev-parse',
    ]);
    const dir = template.dir;
    expect(git(dir, 'rev-parse', `${template.rootCommit}^{tree}`).trim()).toBe(expected);
    expect(git(dir, 'log', '--format=%an %ad %s', '--date=iso-strict').trim()).toBe(
      'shakedown 2000-01-01T00:00:00+00:00 base',
    );
    // Self-contained: no alternate left, one pack, no loose object, every object present.
    expect(existsSync(path.join(dir, '.git', 'objects', 'info', 'alternates'))).toBe(false);
    git(dir, 'fsck', '--full', '--no-progress');
    expect(git(dir, 'count-objects', '-v')).toMatch(/^count: 0$/m);
    expect(git(dir, 'count-objects', '-v')).toMatch(/^packs: 1$/m);
    // The hidden test's blob never entered the template; the base commit and its history neither.
    const hiddenBlob = git(repositoryDir, 'rev-parse', `${baseCommit}:tests/hidden/test_secret.py`).trim();
    expect(() => git(dir, 'cat-file', '-e', hiddenBlob)).toThrow();
    expect(() => git(dir, 'cat-file', '-e', baseCommit)).toThrow();
    expect(existsSync(path.join(dir, 'tests', 'hidden'))).toBe(false);
    expect(existsSync(path.join(dir, 'a[1].txt'))).toBe(false);
    expect(existsSync(path.join(dir, 'a1.txt'))).toBe(true);
    // The checkout matches its index (stat data filled in): a clean status, modes and links as in the base.
    expect(git(dir, 'status', '--porcelain').trim()).toBe('');
    expect(git(dir, 'ls-files', '-s', 'run.sh')).toMatch(/^100755 /);
    expect(git(dir, 'ls-files', '-s', 'link')).toMatch(/^120000 /);
    expect(git(dir, 'ls-files', '--debug', 'src/main.py')).toMatch(/size: 9\b/);
    // Nothing was written into the source repository.
    expect(git(repositoryDir, 'count-objects', '-v')).toBe(objectsBefore);
    expect((await readdir(path.join(dir, '.git'))).sort()).not.toContain('hooks');
  });
});
