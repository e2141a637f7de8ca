import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chown, link, lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox } from '../../sandbox/index.ts';
import type { AgentTool, ToolContext, ToolOutput } from '../tool.ts';
import { editFileTool, listFilesTool, readFileTool, runTool, searchTool, writeFileTool } from './index.ts';

/**
 * Every path form an agent can use to reach the host through the file tools: each must be refused (or stay inside
 * the workspace) for read_file, write_file, edit_file, list_files and search.
 */

const swapScript = path.resolve(import.meta.dirname, '../../../test-support/swap-directory-and-link.py');
const SECRET = 'HOST-SECRET-CONTENT';

let workspaceDir: string;
let hostDir: string;
let context: ToolContext;

beforeEach(async () => {
  workspaceDir = await mkdtemp(path.join(tmpdir(), 'boundary-ws-'));
  hostDir = await mkdtemp(path.join(tmpdir(), 'boundary-host-'));
  await writeFile(path.join(hostDir, 'secret.txt'), `${SECRET}\n`);
  await mkdir(path.join(workspaceDir, 'src'));
  await writeFile(path.join(workspaceDir, 'src', 'app.py'), 'def main():\n    return 1\n');
  context = {
    workspaceDir,
    sandbox: await createSandbox(workspaceDir, { backend: 'none', onWarning: () => {} }),
    maxOutputChars: 4000,
    commandTimeoutMs: 5000,
  };
});

afterEach(async () => {
  await rm(workspaceDir, { recursive: true, force: true });
  await rm(hostDir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: any tool, called with raw model arguments
function call(tool: AgentTool<any>, args: unknown): Promise<ToolOutput> {
  return runTool(tool as unknown as AgentTool, args, context);
}

/** Calls every file tool on `target` (a path that must not reach the host) and checks none of them does. */
async function expectHeld(target: string, refusal: RegExp): Promise<void> {
  const outputs = {
    read: await call(readFileTool, { path: target }),
    write: await call(writeFileTool, { path: target, content: 'WRITTEN-BY-AGENT' }),
    writeBelow: await call(writeFileTool, { path: `${target}/new.txt`, content: 'WRITTEN-BY-AGENT' }),
    edit: await call(editFileTool, { path: target, old_string: 'HOST', new_string: 'AGENT' }),
    list: await call(listFilesTool, { path: target, recursive: true }),
    search: await call(searchTool, { pattern: 'SECRET', path: target }),
  };
  for (const [name, output] of Object.entries(outputs)) {
    expect(output.isError, `${name}: ${output.content}`).toBe(true);
    expect(output.content, name).toMatch(refusal);
    expect(output.content, name).not.toContain(SECRET);
  }
  expect(await readFile(path.join(hostDir, 'secret.txt'), 'utf8')).toBe(`${SECRET}\n`);
  expect(existsSync(path.join(hostDir, 'new.txt'))).toBe(false);
  // A search of the whole workspace never enters or reads through the link either.
  const everything = await call(searchTool, { pattern: 'SECRET' });
  expect(everything.content).not.toContain(SECRET);
}

describe('file tools hold the host boundary', () => {
  it('absolute paths outside the workspace', async () => {
    await expectHeld(path.join(hostDir, 'secret.txt'), /outside the workspace/);
    await expectHeld(hostDir, /outside the workspace/);
  });

  it('`..` climbing out, directly and after a real directory', async () => {
    const up = path.relative(workspaceDir, path.join(hostDir, 'secret.txt'));
    await expectHeld(up, /outside the workspace/);
    await expectHeld(`src/../${up}`, /outside the workspace/);
  });

  it('/proc/self/root, /proc/self/cwd and /proc/self/fd, absolute and through a link', async () => {
    const viaRoot = `/proc/self/root${path.join(hostDir, 'secret.txt')}`;
    await expectHeld(viaRoot, /outside the workspace/);
    await expectHeld('/proc/self/cwd/package.json', /outside the workspace/);
    await symlink('/proc/self/root', path.join(workspaceDir, 'rootfs'));
    await expectHeld(`rootfs${path.join(hostDir, 'secret.txt')}`, /symbolic link to \/proc\/self\/root/);
    await symlink('/proc/self/fd/0', path.join(workspaceDir, 'stdin'));
    await expectHeld('stdin', /symbolic link/);
  });

  it('a symlink leaf to a host file (absolute and relative target)', async () => {
    await symlink(path.join(hostDir, 'secret.txt'), path.join(workspaceDir, 'leaf.txt'));
    await expectHeld('leaf.txt', /symbolic link to .*outside the workspace/);
    await symlink(
      path.relative(workspaceDir, path.join(hostDir, 'secret.txt')),
      path.join(workspaceDir, 'rel'),
    );
    await expectHeld('rel', /symbolic link to .*outside the workspace/);
  });

  it('a dangling symlink to a host path that does not exist yet: nothing is created on the host', async () => {
    const hostTarget = path.join(hostDir, 'created-by-agent.txt');
    await symlink(hostTarget, path.join(workspaceDir, 'out.txt'));
    const write = await call(writeFileTool, { path: 'out.txt', content: 'planted' });
    expect(write.isError).toBe(true);
    expect(write.content).toMatch(/symbolic link to .*outside the workspace/);
    expect(existsSync(hostTarget)).toBe(false);
    await expectHeld('out.txt', /symbolic link/);
  });

  it('a symlinked intermediate directory (and a chain of links) to a host directory', async () => {
    await symlink(hostDir, path.join(workspaceDir, 'linkdir'));
    await expectHeld('linkdir/secret.txt', /symbolic link to .*outside the workspace/);
    await expectHeld('linkdir', /symbolic link to .*outside the workspace/);
    await symlink('linkdir', path.join(workspaceDir, 'chain'));
    await mkdir(path.join(workspaceDir, 'src', 'nested'));
    await symlink('../../chain', path.join(workspaceDir, 'src', 'nested', 'up'));
    await expectHeld('src/nested/up/secret.txt', /symbolic link/);
    // Listing the workspace shows the links (never their contents).
    const listing = await call(listFilesTool, { recursive: true });
    expect(listing.content).toContain(`linkdir -> ${hostDir}`);
    expect(listing.content).not.toContain('secret.txt');
  });

  it('a link loop ends with a clear error', async () => {
    await symlink('b', path.join(workspaceDir, 'a'));
    await symlink('a', path.join(workspaceDir, 'b'));
    const read = await call(readFileTool, { path: 'a' });
    expect(read.isError).toBe(true);
    expect(read.content).toMatch(/Too many levels of symbolic links/);
  });

  it('a hard link to a host file: writes replace the workspace entry, never the host file', async () => {
    const hostFile = path.join(hostDir, 'secret.txt');
    await link(hostFile, path.join(workspaceDir, 'hard.txt'));
    const write = await call(writeFileTool, { path: 'hard.txt', content: 'agent text\n' });
    expect(write.isError).toBe(false);
    const edit = await call(editFileTool, { path: 'hard.txt', old_string: 'agent', new_string: 'edited' });
    expect(edit.isError).toBe(false);
    expect(await readFile(hostFile, 'utf8')).toBe(`${SECRET}\n`);
    expect(await readFile(path.join(workspaceDir, 'hard.txt'), 'utf8')).toBe('edited text\n');
  });

  it('a FIFO is refused instead of blocking the tool', async () => {
    execFileSync('mkfifo', [path.join(workspaceDir, 'pipe')]);
    const read = await call(readFileTool, { path: 'pipe' });
    expect(read.isError).toBe(true);
    expect(read.content).toMatch(/not a regular file/);
    const search = await call(searchTool, { pattern: 'x', path: 'pipe' });
    expect(search.isError).toBe(true);
  });

  it('links that stay inside the workspace still work, and writes through them stay inside', async () => {
    await symlink('src/app.py', path.join(workspaceDir, 'inner.py'));
    await symlink(path.join(workspaceDir, 'src'), path.join(workspaceDir, 'abs-src'));
    expect((await call(readFileTool, { path: 'inner.py' })).content).toContain('def main');
    expect((await call(readFileTool, { path: 'abs-src/app.py' })).content).toContain('def main');
    expect((await call(listFilesTool, { path: 'abs-src' })).content).toBe('src/app.py');
    const edit = await call(editFileTool, {
      path: 'inner.py',
      old_string: 'return 1',
      new_string: 'return 2',
    });
    expect(edit.isError).toBe(false);
    expect(await readFile(path.join(workspaceDir, 'src', 'app.py'), 'utf8')).toContain('return 2');
    const write = await call(writeFileTool, { path: 'abs-src/new.py', content: 'x = 1\n' });
    expect(write.content).toMatch(/Created src\/new.py/);
    expect(await readFile(path.join(workspaceDir, 'src', 'new.py'), 'utf8')).toBe('x = 1\n');
  });
});

describe('a directory swapped for a link to the host while the tools run (check/use race)', () => {
  let swapper: ChildProcess | undefined;

  async function stopSwapper(): Promise<number | null> {
    const running = swapper;
    swapper = undefined;
    if (!running) return null;
    const exitCode = running.exitCode;
    if (exitCode === null && running.signalCode === null) {
      running.kill('SIGKILL');
      await once(running, 'exit');
    }
    return exitCode;
  }

  afterEach(stopSwapper);

  it.each([
    ['read_file', readFileTool, { path: 'race/secret.txt' }],
    ['write_file', writeFileTool, { path: 'race/secret.txt', content: 'WRITTEN-BY-AGENT' }],
    ['edit_file', editFileTool, { path: 'race/secret.txt', old_string: 'HOST', new_string: 'AGENT' }],
    ['list_files', listFilesTool, { path: 'race' }],
    ['search', searchTool, { pattern: 'SECRET|inside' }],
  ])('%s never reaches the host', async (_name, tool, args) => {
    // The same file name inside and outside: only the content tells which one a tool reached.
    await mkdir(path.join(workspaceDir, 'race'));
    await writeFile(path.join(workspaceDir, 'race', 'secret.txt'), 'HOST inside\n');
    await writeFile(path.join(hostDir, 'only-on-host.txt'), 'x\n');
    swapper = spawn('python3', [swapScript, workspaceDir, 'race', hostDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [ready] = (await once(swapper.stdout!, 'data')) as [Buffer];
    expect(ready.toString()).toContain('ready');
    let reachedInside = 0;
    for (let attempt = 0; attempt < 400 && reachedInside < 20; attempt++) {
      const output = await call(tool, args);
      expect(output.content).not.toContain(SECRET);
      expect(output.content).not.toContain('only-on-host');
      if (!output.isError && !/No matches/.test(output.content)) reachedInside++;
    }
    // Still swapping when stopped (exit code null): the race ran the whole time.
    expect(await stopSwapper()).toBeNull();
    expect(await readFile(path.join(hostDir, 'secret.txt'), 'utf8')).toBe(`${SECRET}\n`);
    expect(existsSync(path.join(hostDir, 'new.txt'))).toBe(false);
    // The race really ran: the tool got through to the real directory at times.
    expect(reachedInside).toBeGreaterThan(0);
  });
});

describe.skipIf(process.getuid?.() !== 0)('files the tools create belong to the workspace owner', () => {
  it('new files and parent directories take the owner of the workspace root (the sandbox user)', async () => {
    await chown(workspaceDir, 65_534, 65_534);
    const write = await call(writeFileTool, { path: 'made/by/tool.txt', content: 'x\n' });
    expect(write.isError).toBe(false);
    for (const made of ['made', 'made/by', 'made/by/tool.txt']) {
      const stats = await lstat(path.join(workspaceDir, made));
      expect([stats.uid, stats.gid], made).toEqual([65_534, 65_534]);
    }
  });
});
