import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPidPrintingChild } from '../../test-support/start-pid-printing-child.ts';
import { until } from '../../test-support/until.ts';
import { HostCommandRunner } from './host-command.ts';
import { isProcessAlive } from './is-process-alive.ts';

const CHILD = path.resolve(import.meta.dirname, '../../test-support/host-command-child.ts');

let root: string;
const runners: HostCommandRunner[] = [];
const children: ChildProcess[] = [];
function runner(...parameters: ConstructorParameters<typeof HostCommandRunner>): HostCommandRunner {
  const created = new HostCommandRunner(...parameters);
  runners.push(created);
  return created;
}

/** The pid `sh` reports as its parent: the process that forked the command. */
async function parentOfCommand(run: HostCommandRunner): Promise<number> {
  return Number((await run.run('sh', ['-c', 'echo $PPID'])).stdout.trim());
}

/** Starts test-support/host-command-child.ts; resolves with the child and the server pid it printed (one command,
 * so one server). */
async function startChild(extra: string[]): Promise<{ child: ChildProcess; serverPid: number }> {
  const { child, printedPid } = await startPidPrintingChild(CHILD, extra);
  children.push(child);
  return { child, serverPid: printedPid };
}

beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'shakedown-host-command-')));
});
afterEach(() => {
  for (const created of runners.splice(0)) created.close();
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('host commands through the host command server', () => {
  it('runs the command in the server, not in shakedown', async () => {
    const run = runner();
    const parent = await parentOfCommand(run);
    expect(run.serverPids).toEqual([parent]);
    expect(parent).not.toBe(process.pid);
  });

  it('reports exit codes, stdout and stderr unstripped, and feeds stdin', async () => {
    const run = runner();
    expect(await run.run('sh', ['-c', 'echo out; printf err >&2; exit 3'])).toEqual({
      exitCode: 3,
      signal: null,
      stdout: 'out\n',
      stderr: 'err',
    });
    expect((await run.run('cat', [], { input: 'in ✓\n' })).stdout).toBe('in ✓\n');
    // Without input stdin is empty, never shakedown's.
    expect((await run.run('cat', [])).stdout).toBe('');
    expect(await run.run('sh', ['-c', 'kill -9 $$'])).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  });

  it('extends process.env by default, and passes env alone with extendEnv false', async () => {
    const run = runner();
    process.env.SHAKEDOWN_HOST_COMMAND_TEST = 'from shakedown';
    try {
      const extended = await run.run('sh', ['-c', 'echo "$SHAKEDOWN_HOST_COMMAND_TEST/$GIVEN"'], {
        env: { GIVEN: 'given' },
      });
      expect(extended.stdout).toBe('from shakedown/given\n');
      const alone = await run.run('/usr/bin/env', [], { env: { ONLY: 'this' }, extendEnv: false });
      expect(alone.stdout).toBe('ONLY=this\n');
    } finally {
      delete process.env.SHAKEDOWN_HOST_COMMAND_TEST;
    }
  });

  it('runs in the given cwd, and a missing program or cwd is exit 127 with the reason', async () => {
    const run = runner();
    expect((await run.run('pwd', [], { cwd: root })).stdout).toBe(`${root}\n`);
    const missing = await run.run('shakedown-no-such-program', [], { cwd: root });
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toContain('could not start shakedown-no-such-program');
    expect(missing.stderr).toContain('ENOENT');
    const noCwd = await run.run('true', [], { cwd: path.join(root, 'absent') });
    expect(noCwd.exitCode).toBe(127);
  });

  it('returns several MB of output intact, as text and as bytes', async () => {
    const run = runner();
    const bytes = randomBytes(6 * 1024 * 1024);
    const file = path.join(root, 'big.bin');
    await writeFile(file, bytes);
    const read = await run.runBytes('cat', [file]);
    expect(read.stdout.length).toBe(bytes.length);
    expect(read.stdout.equals(bytes)).toBe(true);
    const text = `${'line ✓ of text\n'.repeat(300_000)}`;
    const echoed = await run.run('cat', [], { input: text });
    expect(echoed.stdout.length).toBe(text.length);
    expect(echoed.stdout === text).toBe(true);
  });

  it('makes output over the cap an error, never a silent truncation', async () => {
    const run = runner();
    await expect(run.run('head', ['-c', '5000', '/dev/zero'], { maxBuffer: 1000 })).rejects.toThrow(
      'head -c 5000 /dev/zero wrote more than 1000 bytes of output',
    );
    // The cap is on both streams together.
    await expect(
      run.run('sh', ['-c', 'head -c 600 /dev/zero; head -c 600 /dev/zero >&2'], { maxBuffer: 1000 }),
    ).rejects.toThrow('wrote more than 1000 bytes');
    // Exactly the cap is fine, and the server serves on.
    expect((await run.runBytes('head', ['-c', '1000', '/dev/zero'], { maxBuffer: 1000 })).stdout.length).toBe(
      1000,
    );
  });

  it('runs many commands at once, each with its own output', async () => {
    const run = runner();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        run.run('sh', ['-c', `sleep 0.0$((${index} % 5)); echo ${index} $PPID; echo e${index} >&2`]),
      ),
    );
    const servers = run.serverPids;
    expect(servers.length).toBeGreaterThan(0);
    expect(servers.length).toBeLessThanOrEqual(2);
    results.forEach((result, index) => {
      expect(result).toMatchObject({ exitCode: 0, signal: null, stderr: `e${index}\n` });
      const [echoed, parent] = result.stdout.trim().split(' ').map(Number);
      expect(echoed).toBe(index);
      expect(servers).toContain(parent);
    });
  });

  it('starts a second server while the first is busy, and sends commands to the least busy one', async () => {
    const run = runner();
    const first = await parentOfCommand(run);
    const long = run.run('sleep', ['60']);
    long.catch(() => {}); // Ended by close() after the test.
    // Sent while the first server is busy: it still runs there, and a second server starts meanwhile.
    expect((await run.run('echo', ['meanwhile'])).stdout).toBe('meanwhile\n');
    expect(await until(() => run.serverPids.length === 2)).toBe(true);
    const second = await parentOfCommand(run);
    expect(second).not.toBe(first);
    expect(run.serverPids.sort()).toEqual([first, second].sort());
  });

  it('starts a fresh server after the server was killed between commands', async () => {
    const run = runner();
    const first = await parentOfCommand(run);
    process.kill(first, 'SIGKILL');
    expect(await until(() => !isProcessAlive(first))).toBe(true);
    // Sent at once, before shakedown may have seen the server end: the request never reached it, so it runs again.
    const second = await parentOfCommand(run);
    expect(second).not.toBe(first);
    expect(run.serverPids).toEqual([second]);
    expect(second).not.toBe(process.pid);
  });

  it('runs a command again on a fresh server when the server it was sent to had died unnoticed', async () => {
    const run = runner();
    const first = await parentOfCommand(run);
    process.kill(first, 'SIGKILL');
    // Wait without turning the event loop, so that shakedown has not seen the server end: a zombie (state Z).
    const stat = `/proc/${first}/stat`;
    while (!/^\d+ \(.*\) Z/.test(readFileSync(stat, 'utf8')))
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    expect(run.serverPids).toEqual([first]);
    const second = await parentOfCommand(run);
    expect(second).not.toBe(first);
    expect(run.serverPids).toEqual([second]);
  });

  it('spawns directly, with the same result, when the server cannot start', async () => {
    for (const broken of [
      [path.join(root, 'no-such-node')],
      [process.execPath, '-e', 'process.exit(3)'],
      [process.execPath, '-e', 'console.log("not a frame")'],
    ]) {
      const run = runner(broken);
      expect(await run.run('sh', ['-c', 'echo out; printf err >&2; exit 3'], { cwd: root })).toEqual({
        exitCode: 3,
        signal: null,
        stdout: 'out\n',
        stderr: 'err',
      });
      expect(run.serverPids).toEqual([]);
      expect(await parentOfCommand(run)).toBe(process.pid);
      expect((await run.run('cat', [], { input: 'in' })).stdout).toBe('in');
      await expect(run.run('head', ['-c', '5000', '/dev/zero'], { maxBuffer: 1000 })).rejects.toThrow(
        'wrote more than 1000 bytes',
      );
      await expect(
        run.run('sh', ['-c', 'head -c 600 /dev/zero; head -c 600 /dev/zero >&2'], { maxBuffer: 1000 }),
      ).rejects.toThrow('wrote more than 1000 bytes');
      const missing = await run.run('shakedown-no-such-program', [], { cwd: root });
      expect(missing.exitCode).toBe(127);
      expect(missing.stderr).toContain('could not start shakedown-no-such-program');
    }
  });

  it('tries the server again after a failed start once the retry pause is over', async () => {
    const run = runner([path.join(root, 'no-such-node')], 0);
    expect(await parentOfCommand(run)).toBe(process.pid);
    // With no pause it is tried (and fails) again at every command, and every command still runs.
    expect((await run.run('echo', ['again'])).stdout).toBe('again\n');
  });

  it('never keeps shakedown alive while idle, and ends when shakedown ends', async () => {
    const { child, serverPid } = await startChild([]);
    expect(serverPid).toBeGreaterThan(0);
    // The child ends on its own after its command: the idle server holds nothing of its event loop.
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(await until(() => !isProcessAlive(serverPid))).toBe(true);
  });

  it('ends when shakedown is killed with SIGKILL', async () => {
    const { child, serverPid } = await startChild(['--stay']);
    expect(isProcessAlive(serverPid)).toBe(true);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(await until(() => !isProcessAlive(serverPid))).toBe(true);
  });
});
