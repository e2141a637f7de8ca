import { chmod, mkdir, mkdtemp, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { git } from '../../test-support/git-fixed-identity.ts';
import { createWorkspace, type Workspace } from './create-workspace.ts';
import { runGit } from './run-git.ts';
import { createTrustedGitDirectory, workspaceChangedFiles, workspaceDiff } from './workspace-changes.ts';
import { overlayUnavailableReason } from './workspace-overlay.ts';
import { getCachedTemplate } from './workspace-template.ts';

vi.mock('./run-git.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./run-git.ts')>();
  return { ...actual, runGit: vi.fn(actual.runGit) };
});

const root = await mkdtemp(path.join(tmpdir(), 'workspace-changes-test-'));
const repositoryDir = path.join(root, 'repository');
const cacheDir = path.join(root, 'cache');
const overlayUnavailable = await overlayUnavailableReason(cacheDir);
let baseCommit: string;

beforeAll(async () => {
  git(root, 'init', '--quiet', '--initial-branch=trunk', repositoryDir);
  await mkdir(path.join(repositoryDir, 'src', 'package'), { recursive: true });
  await writeFile(path.join(repositoryDir, 'src', 'main.py'), 'def main():\n    return 1\n');
  await writeFile(path.join(repositoryDir, 'src', 'package', 'a.py'), 'A = 1\n');
  await writeFile(path.join(repositoryDir, 'src', 'package', 'b.py'), 'B = 2\n');
  await writeFile(path.join(repositoryDir, 'obsolete.txt'), 'delete me\n');
  await writeFile(path.join(repositoryDir, 'old-name.txt'), 'rename me\n');
  await writeFile(path.join(repositoryDir, 'run.sh'), '#!/bin/sh\necho run\n');
  await writeFile(path.join(repositoryDir, 'image.bin'), Buffer.from([0, 1, 2, 3, 255, 0, 7]));
  await symlink('src/main.py', path.join(repositoryDir, 'link-to-main'));
  git(repositoryDir, 'add', '.');
  git(repositoryDir, 'commit', '--quiet', '-m', 'base');
  baseCommit = git(repositoryDir, 'rev-parse', 'HEAD').trim();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

beforeEach(() => {
  vi.mocked(runGit).mockClear();
});

/** Every kind of change an agent makes: add, modify, delete, rename (file and directory), binary, mode, links. */
async function changeEverything(dir: string): Promise<void> {
  await writeFile(path.join(dir, 'src', 'main.py'), 'def main():\n    return 2\n');
  await unlink(path.join(dir, 'obsolete.txt'));
  await rename(path.join(dir, 'old-name.txt'), path.join(dir, 'new-name.txt'));
  await rename(path.join(dir, 'src', 'package'), path.join(dir, 'src', 'renamed-package'));
  await chmod(path.join(dir, 'run.sh'), 0o755);
  await writeFile(path.join(dir, 'image.bin'), Buffer.from([0, 9, 9, 255, 0]));
  await unlink(path.join(dir, 'link-to-main'));
  await symlink('new-name.txt', path.join(dir, 'link-to-main'));
  await symlink('src/renamed-package/a.py', path.join(dir, 'new-link'));
  await mkdir(path.join(dir, 'new', 'deeply', 'nested'), { recursive: true });
  await writeFile(path.join(dir, 'new', 'deeply', 'nested', 'file.txt'), 'fresh\n');
  await writeFile(path.join(dir, 'new', 'blob.bin'), Buffer.from([0, 0, 0, 1]));
}

/** The diff as it was computed before the template index was reused: an index read from the root commit. */
async function referenceChanges(workspace: Workspace): Promise<{ diff: string; files: string[] }> {
  const template = await getCachedTemplate({ repositoryDir, baseCommit }, cacheDir);
  const trusted = await createTrustedGitDirectory(path.join(template.dir, '.git'), template.rootCommit);
  try {
    expect(trusted.baseIndex).toBeUndefined();
    return {
      diff: await workspaceDiff(trusted, workspace.dir),
      files: await workspaceChangedFiles(trusted, workspace.dir),
    };
  } finally {
    await rm(trusted.dir, { recursive: true, force: true });
  }
}

const modes = [
  { name: 'a copy of the cached template', copyOnWrite: false, skip: undefined },
  { name: 'an overlay over the cached template', copyOnWrite: true, skip: overlayUnavailable },
];

describe.each(modes)('workspace changes of $name', ({ copyOnWrite, skip }) => {
  it.skipIf(skip !== undefined && process.env.CI !== 'true')(
    'are the same diff and paths as from an index read from the root commit, with one git process less',
    async () => {
      const workspace = await createWorkspace({
        repositoryDir,
        baseCommit,
        destination: path.join(root, `workspace-${copyOnWrite}`),
        cacheDir,
        copyOnWrite,
      });
      try {
        await changeEverything(workspace.dir);
        vi.mocked(runGit).mockClear();
        const diff = await workspace.diff();
        const commands = vi.mocked(runGit).mock.calls.map(([arguments_]) => arguments_[0]);
        expect(commands).toEqual(['add', 'diff']);
        const files = await workspace.changedFiles();
        const reference = await referenceChanges(workspace);
        expect(diff).toBe(reference.diff);
        expect(files).toEqual(reference.files);
        // The reference itself shows every kind of change (so the comparison can fail).
        expect(files).toEqual([
          'image.bin',
          'link-to-main',
          'new-link',
          'new-name.txt',
          'new/blob.bin',
          'new/deeply/nested/file.txt',
          'obsolete.txt',
          'old-name.txt',
          'run.sh',
          'src/main.py',
          'src/package/a.py',
          'src/package/b.py',
          'src/renamed-package/a.py',
          'src/renamed-package/b.py',
        ]);
        expect(diff).toContain('old mode 100644\nnew mode 100755');
        expect(diff).toContain('GIT binary patch');
        expect(diff).toContain('diff --git a/new-link b/new-link\nnew file mode 120000');
        expect(diff).toContain('deleted file mode 100644');
        expect(diff).toContain('-    return 1\n+    return 2');
      } finally {
        await workspace.dispose();
      }
    },
  );
});

describe('workspace changes against a tampered template index', () => {
  it('take the index copied when the workspace was made, not the template index as it is later', async () => {
    const workspace = await createWorkspace({
      repositoryDir,
      baseCommit,
      destination: path.join(root, 'workspace-tampered'),
      cacheDir,
    });
    try {
      const template = await getCachedTemplate({ repositoryDir, baseCommit }, cacheDir);
      // An index claiming the base is empty: diffs read from it would show every file as new.
      const emptyIndex = path.join(root, 'empty-index');
      await runGit(['--git-dir', path.join(template.dir, '.git'), 'read-tree', '--empty'], {
        env: { GIT_INDEX_FILE: emptyIndex },
      });
      const originalIndex = path.join(root, 'original-index');
      await rename(path.join(template.dir, '.git', 'index'), originalIndex);
      await rename(emptyIndex, path.join(template.dir, '.git', 'index'));
      try {
        await writeFile(path.join(workspace.dir, 'src', 'main.py'), 'changed\n');
        expect(await workspace.changedFiles()).toEqual(['src/main.py']);
      } finally {
        await rename(originalIndex, path.join(template.dir, '.git', 'index'));
      }
    } finally {
      await workspace.dispose();
    }
  });
});

describe('an overlay template’s index', () => {
  it.skipIf(overlayUnavailable !== undefined && process.env.CI !== 'true')(
    'has the stat data of the template’s files after their hand-over, and keeps the owner of its .git',
    async () => {
      const workspace = await createWorkspace({
        repositoryDir,
        baseCommit,
        destination: path.join(root, 'workspace-refreshed'),
        cacheDir,
        copyOnWrite: true,
      });
      try {
        const template = await getCachedTemplate({ repositoryDir, baseCommit }, cacheDir);
        // diff-files names every entry whose stat data differ from the file's, even with the same content.
        const staleEntries = await runGit(['-c', 'safe.directory=*', 'diff-files', '--name-only'], {
          cwd: template.dir,
        });
        expect(staleEntries).toBe('');
        const gitDir = await stat(path.join(template.dir, '.git'));
        const index = await stat(path.join(template.dir, '.git', 'index'));
        expect([index.uid, index.gid]).toEqual([gitDir.uid, gitDir.gid]);
        expect(gitDir.uid).not.toBe(0);
      } finally {
        await workspace.dispose();
      }
    },
  );
});
