import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../test-support/git-fixed-identity.ts';
import type { AgentTool, ToolContext } from '../agent/tool.ts';
import { editFileTool, readFileTool, runTool, writeFileTool } from '../agent/tools/index.ts';
import { createSandbox, detectSandboxSupport, SANDBOX_HOST_ID } from '../sandbox/index.ts';
import { createWorkspace } from './create-workspace.ts';
import { overlayUnavailableReason, removeWorkspaceDirectory } from './workspace-overlay.ts';
import { getCachedTemplate } from './workspace-template.ts';

const root = await mkdtemp(path.join(tmpdir(), 'workspace-overlay-test-'));
const repositoryDir = path.join(root, 'repository');
const cacheDir = path.join(root, 'cache');
const unavailable = await overlayUnavailableReason(cacheDir);
const bubblewrap = await detectSandboxSupport('bubblewrap');

/** Every file of `directory` (relative path -> content or link target), `.git` included. */
async function snapshot(directory: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await readdir(path.join(directory, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      const full = path.join(directory, child);
      if (entry.isDirectory()) {
        files[`${child}/`] = String((await stat(full)).mode);
        await walk(child);
      } else if (entry.isSymbolicLink()) files[child] = `-> ${(await lstat(full)).size}`;
      else files[child] = `${(await stat(full)).mode} ${(await readFile(full)).toString('base64')}`;
    }
  };
  await walk('');
  return files;
}

function overlayMountedAt(directory: string): boolean {
  return readFileSyncText('/proc/self/mountinfo')
    .split('\n')
    .some((line) => line.split(' ')[4] === directory && line.includes(' - overlay '));
}

function readFileSyncText(file: string): string {
  return execFileSync('cat', [file], { encoding: 'utf8' });
}

beforeAll(async () => {
  git(root, 'init', '--quiet', '--initial-branch=trunk', repositoryDir);
  await mkdir(path.join(repositoryDir, 'src', 'nested'), { recursive: true });
  await writeFile(path.join(repositoryDir, 'src', 'main.py'), 'def main():\n    return 1\n');
  await writeFile(path.join(repositoryDir, 'src', 'nested', 'util.py'), 'VALUE = 1\n');
  await writeFile(path.join(repositoryDir, 'log.txt'), 'first line\n');
  await writeFile(path.join(repositoryDir, 'obsolete.txt'), 'delete me\n');
  await writeFile(path.join(repositoryDir, 'old-name.txt'), 'rename me\n');
  await writeFile(path.join(repositoryDir, 'host-delete.txt'), 'the host deletes me\n');
  await writeFile(path.join(repositoryDir, 'host-rename.txt'), 'the host renames me\n');
  git(repositoryDir, 'add', '.');
  git(repositoryDir, 'commit', '--quiet', '-m', 'base');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('overlayUnavailableReason', () => {
  it.runIf(process.getuid?.() !== 0)('says overlays need root when not root', () => {
    expect(unavailable).toMatch(/need root/);
  });

  // CI runs the suite as root on Linux: there the overlay tests below must run, not be skipped.
  it.runIf(process.getuid?.() === 0 && process.platform === 'linux' && process.env.CI === 'true')(
    'can mount overlays as root on Linux (CI)',
    () => {
      expect(unavailable).toBeUndefined();
    },
  );
});

describe.skipIf(unavailable !== undefined)(`overlay workspaces (${unavailable ?? 'overlays work'})`, () => {
  // `staged`: the workspace lies under a folder only root may enter, so bwrap reaches it through its staging
  // namespace (a copy of the host's mounts, the overlay included).
  it.skipIf(!bubblewrap.available).each(['reachable', 'staged'])(
    'sees every change of the sandbox and the host tools, grades on them, and leaves the template untouched (%s)',
    async (where) => {
      const notes: string[] = [];
      const options = {
        repositoryDir,
        baseCommit: 'HEAD',
        cacheDir,
        copyOnWrite: true,
        onNote: (note: string) => notes.push(note),
      };
      const template = await getCachedTemplate(options, cacheDir);
      const parent = path.join(root, where);
      await mkdir(parent, { mode: where === 'staged' ? 0o700 : 0o755 });
      const workspace = await createWorkspace({ ...options, destination: path.join(parent, 'attempt') });
      const before = await snapshot(template.dir);
      const sandbox = await createSandbox(workspace.dir, { backend: 'bubblewrap', onWarning: () => {} });
      try {
        expect(notes).toEqual([]);
        expect(overlayMountedAt(workspace.dir)).toBe(true);
        // As root the workspace belongs to the sandbox user without a chown of every file.
        expect((await stat(workspace.dir)).uid).toBe(SANDBOX_HOST_ID);
        const inSandbox = await sandbox.exec(
          [
            'echo appended >> log.txt',
            'rm obsolete.txt',
            'mv old-name.txt new-name.txt',
            'mv src/nested src/moved',
            'echo new > created.txt',
            'ln -s /etc/hostname leak',
          ].join(' && '),
        );
        expect(inSandbox.stderr).toBe('');
        expect(inSandbox.exitCode).toBe(0);
        const context: ToolContext = {
          workspaceDir: workspace.dir,
          sandbox,
          maxOutputChars: 2000,
          commandTimeoutMs: 5000,
        };
        // biome-ignore lint/suspicious/noExplicitAny: any tool, called with raw model arguments
        const call = (tool: AgentTool<any>, args: unknown) =>
          runTool(tool as unknown as AgentTool, args, context);
        expect(
          (await call(editFileTool, { path: 'src/main.py', old_string: 'return 1', new_string: 'return 2' }))
            .isError,
        ).toBeFalsy();
        expect(
          (await call(writeFileTool, { path: 'src/moved/extra.py', content: 'EXTRA = 3\n' })).isError,
        ).toBeFalsy();
        expect(
          (
            await call(editFileTool, {
              path: 'log.txt',
              old_string: 'appended',
              new_string: 'appended twice',
            })
          ).isError,
        ).toBeFalsy();
        expect((await call(readFileTool, { path: 'new-name.txt' })).content).toContain('rename me');
        // A link the sandbox planted out of the workspace is refused by the host tools through the overlay too.
        expect((await call(readFileTool, { path: 'leak' })).isError).toBe(true);
        await rm(path.join(workspace.dir, 'leak'));
        // Host-side deletes and renames (grading restores and removes files this way).
        await unlink(path.join(workspace.dir, 'host-delete.txt'));
        await rename(
          path.join(workspace.dir, 'host-rename.txt'),
          path.join(workspace.dir, 'host-renamed.txt'),
        );
        // The sandbox sees the host's changes, and can still change the files the host tools wrote.
        const seen = await sandbox.exec(
          'test ! -e host-delete.txt && test ! -e host-rename.txt && cat host-renamed.txt src/main.py ' +
            'src/moved/extra.py log.txt && echo more >> src/moved/extra.py',
        );
        expect(seen.stderr).toBe('');
        expect(seen.exitCode).toBe(0);
        expect(seen.stdout).toBe(
          'the host renames me\ndef main():\n    return 2\nEXTRA = 3\nfirst line\nappended twice\n',
        );
        expect(await workspace.changedFiles()).toEqual([
          'created.txt',
          'host-delete.txt',
          'host-rename.txt',
          'host-renamed.txt',
          'log.txt',
          'new-name.txt',
          'obsolete.txt',
          'old-name.txt',
          'src/main.py',
          'src/moved/extra.py',
          'src/moved/util.py',
          'src/nested/util.py',
        ]);
        const diff = await workspace.diff();
        expect(diff).toContain('+    return 2');
        expect(diff).toContain('+more');
        expect(diff).toContain('deleted file mode 100644');
        expect(await snapshot(template.dir)).toEqual(before);
      } finally {
        await sandbox.dispose();
        await workspace.dispose();
      }
      expect(overlayMountedAt(path.join(parent, 'attempt'))).toBe(false);
      expect(existsSync(path.join(parent, 'attempt'))).toBe(false);
      expect(await readdir(path.join(cacheDir, 'workspace-overlays'))).toEqual([]);
      expect(await snapshot(template.dir)).toEqual(before);
      // A fresh workspace starts from the base again.
      const again = await createWorkspace({ ...options, destination: path.join(parent, 'again') });
      try {
        expect(await readFile(path.join(again.dir, 'log.txt'), 'utf8')).toBe('first line\n');
        expect(await again.changedFiles()).toEqual([]);
      } finally {
        await again.dispose();
      }
    },
  );

  it('keeps a workspace as a plain directory holding the merged view', async () => {
    const destination = path.join(root, 'kept');
    const workspace = await createWorkspace({
      repositoryDir,
      baseCommit: 'HEAD',
      cacheDir,
      copyOnWrite: true,
      destination,
    });
    await writeFile(path.join(destination, 'log.txt'), 'changed\n');
    await workspace.keep();
    expect(overlayMountedAt(destination)).toBe(false);
    expect(await readFile(path.join(destination, 'log.txt'), 'utf8')).toBe('changed\n');
    expect(await readFile(path.join(destination, 'src', 'main.py'), 'utf8')).toBe(
      'def main():\n    return 1\n',
    );
    expect(await readdir(path.join(cacheDir, 'workspace-overlays'))).toEqual([]);
    await rm(destination, { recursive: true, force: true });
  });

  it('cleans the overlay and upper folder of a process that died mid-attempt', async () => {
    const destination = path.join(root, 'crashed');
    const script = [
      `import { createWorkspace } from ${JSON.stringify(path.resolve('src/workspace/create-workspace.ts'))};`,
      `const workspace = await createWorkspace({ repositoryDir: ${JSON.stringify(repositoryDir)}, baseCommit: 'HEAD',`,
      ` cacheDir: ${JSON.stringify(cacheDir)}, copyOnWrite: true, destination: ${JSON.stringify(destination)} });`,
      "await (await import('node:fs/promises')).writeFile(workspace.dir + '/written.txt', 'x');",
      "console.log('mounted');",
      'await new Promise(() => {});',
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('mounted')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before mounting`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(overlayMountedAt(destination)).toBe(true);
    const stale = await readdir(path.join(cacheDir, 'workspace-overlays'));
    expect(stale).toEqual([expect.stringMatching(new RegExp(`^${child.pid}-`))]);
    // The next overlay unmounts the dead process's workspace and removes its upper folder and mount point.
    const next = await createWorkspace({
      repositoryDir,
      baseCommit: 'HEAD',
      cacheDir,
      copyOnWrite: true,
      destination: path.join(root, 'next'),
    });
    try {
      expect(overlayMountedAt(destination)).toBe(false);
      expect(existsSync(destination)).toBe(false);
      expect(await readdir(path.join(cacheDir, 'workspace-overlays'))).toEqual([
        expect.stringMatching(new RegExp(`^${process.pid}-`)),
      ]);
    } finally {
      await next.dispose();
    }
  });

  it('removes a workspace folder that is still an overlay (a retry after a crash) without touching the template', async () => {
    const destination = path.join(root, 'retried');
    const workspace = await createWorkspace({
      repositoryDir,
      baseCommit: 'HEAD',
      cacheDir,
      copyOnWrite: true,
      destination,
    });
    await writeFile(path.join(destination, 'log.txt'), 'changed\n');
    await removeWorkspaceDirectory(destination);
    expect(overlayMountedAt(destination)).toBe(false);
    expect(existsSync(destination)).toBe(false);
    await workspace.dispose();
    expect(await readdir(path.join(cacheDir, 'workspace-overlays'))).toEqual([]);
    const template = await getCachedTemplate({ repositoryDir, baseCommit: 'HEAD' }, cacheDir);
    expect(await readFile(path.join(template.dir, 'log.txt'), 'utf8')).toBe('first line\n');
  });
});
