import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../test-support/git-fixed-identity.ts';
import { copyDirectory } from './copy-directory.ts';
import { createWorkspace } from './create-workspace.ts';

/** Links an agent plants in the workspace are recorded as links by the diff and copies: never followed to the host. */

const SECRET = 'HOST-SECRET-CONTENT';
let root: string;
let hostDir: string;
let repositoryDir: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'workspace-boundary-'));
  hostDir = path.join(root, 'host');
  await mkdir(hostDir);
  await writeFile(path.join(hostDir, 'secret.txt'), `${SECRET}\n`);
  repositoryDir = path.join(root, 'repository');
  git(root, 'init', '--quiet', repositoryDir);
  await mkdir(path.join(repositoryDir, 'src'));
  await writeFile(path.join(repositoryDir, 'src', 'main.py'), 'print(1)\n');
  git(repositoryDir, 'add', '.');
  git(repositoryDir, 'commit', '--quiet', '-m', 'base');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Plants every kind of link to the host: file leaf, dangling, a directory, and one inside a real directory. */
async function plantLinks(workspaceDir: string): Promise<void> {
  await symlink(path.join(hostDir, 'secret.txt'), path.join(workspaceDir, 'leaf.txt'));
  await symlink(path.join(hostDir, 'not-yet-there.txt'), path.join(workspaceDir, 'dangling.txt'));
  await symlink(hostDir, path.join(workspaceDir, 'hostdir'));
  await symlink('../../host/secret.txt', path.join(workspaceDir, 'src', 'relative.txt'));
}

describe('workspace diff and copies never follow links to the host', () => {
  it('the diff and the changed files record links as links, not the content behind them', async () => {
    const workspace = await createWorkspace({
      repositoryDir,
      baseCommit: 'HEAD',
      destination: path.join(root, 'ws-diff'),
    });
    try {
      await plantLinks(workspace.dir);
      const diff = await workspace.diff();
      expect(diff).not.toContain(SECRET);
      expect(diff).toContain('new file mode 120000');
      expect(diff).toContain(`+${path.join(hostDir, 'secret.txt')}`);
      expect(await workspace.changedFiles()).toEqual([
        'dangling.txt',
        'hostdir',
        'leaf.txt',
        'src/relative.txt',
      ]);
      // Nothing was created on the host by diffing (the dangling link's target stays absent).
      expect(existsSync(path.join(hostDir, 'not-yet-there.txt'))).toBe(false);
    } finally {
      await workspace.dispose();
    }
  });

  it('copyDirectory copies links as links (dangling ones too) and never writes through them', async () => {
    const source = path.join(root, 'copy-source');
    await mkdir(path.join(source, 'src'), { recursive: true });
    await plantLinks(source);
    const destination = path.join(root, 'copy-destination');
    await copyDirectory(source, destination);
    for (const name of ['leaf.txt', 'dangling.txt', 'hostdir', 'src/relative.txt']) {
      expect((await lstat(path.join(destination, name))).isSymbolicLink(), name).toBe(true);
    }
    expect(await readlink(path.join(destination, 'hostdir'))).toBe(hostDir);
    expect(existsSync(path.join(hostDir, 'not-yet-there.txt'))).toBe(false);
    expect(await readFile(path.join(hostDir, 'secret.txt'), 'utf8')).toBe(`${SECRET}\n`);
  });
});
