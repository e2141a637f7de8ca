import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startPidPrintingChild } from '../../test-support/start-pid-printing-child.ts';
import { until } from '../../test-support/until.ts';
import { isProcessAlive } from './is-process-alive.ts';
import { processSpawnerPid, type StartedProcess, spawnOffThread } from './spawn-off-thread.ts';

const CHILD = path.resolve(import.meta.dirname, '../../test-support/spawn-off-thread-child.ts');
const ENV = { PATH: '/usr/bin:/bin' };
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function read(stream: Readable | null | undefined): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    stream?.once('close', () => resolve(text));
  });
}

function closed(process: StartedProcess): Promise<[number | null, NodeJS.Signals | null]> {
  return new Promise((resolve) => process.once('close', (code, signal) => resolve([code, signal])));
}

/** Starts test-support/spawn-off-thread-child.ts; resolves with it and the spawner pid it printed. */
async function startChild(extra: string[]): Promise<{ child: ChildProcess; spawnerPid: number }> {
  const { child, printedPid } = await startPidPrintingChild(CHILD, extra);
  children.push(child);
  return { child, spawnerPid: printedPid };
}

describe('spawnOffThread', () => {
  it('starts the process from the spawner, not from shakedown, with pipes shakedown reads and writes itself', async () => {
    const started = await spawnOffThread(
      '/bin/sh',
      ['-c', 'echo "parent $PPID"; read line; echo "got $line"; echo info >&3; echo oops >&2; exit 3'],
      { env: ENV, pipes: 4 },
    );
    const [stdout, stderr, info] = [
      read(started.stdout),
      read(started.stderr),
      read(started.stdio[3] as Readable),
    ];
    started.stdin?.end('hello\n');
    expect(await closed(started)).toEqual([3, null]);
    expect(await stdout).toBe(`parent ${processSpawnerPid()}\ngot hello\n`);
    expect(processSpawnerPid()).not.toBe(process.pid);
    expect(await stderr).toBe('oops\n');
    expect(await info).toBe('info\n');
    expect(started.exitCode).toBe(3);
  });

  it('loses nothing a process writes the moment it starts, on any pipe', async () => {
    const runs = await Promise.all(
      Array.from({ length: 20 }, async (_, index) => {
        const started = await spawnOffThread('/bin/sh', ['-c', `echo out-${index}; echo info-${index} >&3`], {
          env: ENV,
          pipes: 4,
        });
        const [stdout, info] = [read(started.stdout), read(started.stdio[3] as Readable)];
        await closed(started);
        return [await stdout, await info];
      }),
    );
    runs.forEach(([stdout, info], index) => {
      expect(stdout).toBe(`out-${index}\n`);
      expect(info).toBe(`info-${index}\n`);
    });
  });

  it('reports a signal, and a program that cannot start as an error event', async () => {
    const killed = await spawnOffThread('/bin/sh', ['-c', 'kill -9 $$'], { env: ENV, pipes: 3 });
    expect(await closed(killed)).toEqual([null, 'SIGKILL']);
    const missing = await spawnOffThread('/nonexistent/program', [], { env: ENV, pipes: 3 });
    const error = await new Promise<Error>((resolve) => missing.once('error', resolve));
    expect(error.message).toBe('spawn /nonexistent/program ENOENT');
  });

  it('a process whose spawner dies is reported as an error, and the next spawn starts a new spawner', async () => {
    const waiting = await spawnOffThread('/bin/sh', ['-c', 'exec sleep 30'], {
      env: ENV,
      pipes: 3,
      detached: true,
    });
    const firstSpawner = processSpawnerPid()!;
    const error = new Promise<Error>((resolve) => waiting.once('error', resolve));
    process.kill(firstSpawner, 'SIGKILL');
    expect((await error).message).toMatch(/^the process spawner ended/);
    process.kill(-waiting.pid!, 'SIGKILL');
    const next = await spawnOffThread('/bin/sh', ['-c', 'echo again'], { env: ENV, pipes: 3 });
    const output = read(next.stdout);
    await closed(next);
    expect(await output).toBe('again\n');
    expect(processSpawnerPid()).not.toBe(firstSpawner);
  });

  it('an idle spawner keeps nothing alive, and ends when shakedown is killed', async () => {
    const idle = await startChild([]);
    const exitCode = await new Promise<number | null>((resolve) => {
      if (idle.child.exitCode !== null) resolve(idle.child.exitCode);
      else idle.child.once('exit', resolve);
    });
    expect(exitCode).toBe(0);
    expect(await until(() => !isProcessAlive(idle.spawnerPid))).toBe(true);

    const staying = await startChild(['--stay']);
    expect(isProcessAlive(staying.spawnerPid)).toBe(true);
    staying.child.kill('SIGKILL');
    expect(await until(() => !isProcessAlive(staying.spawnerPid))).toBe(true);
  });
});
