import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../test-support/until.ts';
import { SandboxInfrastructureError } from './sandbox-infrastructure-error.ts';
import { type ExecServerLaunch, SandboxSession, type SessionExecRequest } from './sandbox-session.ts';

/**
 * The session and its exec server, run WITHOUT bwrap (the server straight on the host) to test the protocol, the
 * command lifecycle and the failure handling; bubblewrap-sandbox.test.ts runs the same server inside bwrap.
 */

const SERVER = fileURLToPath(new URL('./exec-server/exec-server.mjs', import.meta.url));
const direct: ExecServerLaunch = { argv: [process.execPath, SERVER] };

function request(command: string, extra: Partial<SessionExecRequest> = {}): SessionExecRequest {
  return {
    command,
    cwd: tmpdir(),
    env: { PATH: '/usr/bin:/bin', HOME: tmpdir() },
    outputLimitBytes: 1024 * 1024,
    ...extra,
  };
}

function processesWith(marker: string): string {
  try {
    return execFileSync('pgrep', ['-af', marker], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

const sessions: SandboxSession[] = [];
/** Whether a process of this pid still exists. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function session(launch: () => Promise<ExecServerLaunch> = async () => direct): SandboxSession {
  const created = new SandboxSession(launch);
  sessions.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((created) => created.dispose()));
});

describe('sandbox session (exec server on the host)', () => {
  it('runs commands with the given cwd, env and stdin, and reports exit codes', async () => {
    const served = session();
    const result = await served.exec(
      request('pwd; echo "$GIVEN"; cat; exit 3', {
        env: { PATH: '/usr/bin:/bin', GIVEN: 'yes' },
        stdin: 'in ✓',
      }),
    );
    expect(result).toMatchObject({
      exitCode: 3,
      signal: null,
      stdout: `${tmpdir()}\nyes\nin ✓`,
      timedOut: false,
      outputTruncated: false,
    });
    expect((await served.exec(request('echo err >&2'))).stderr).toBe('err\n');
  });

  it('runs commands at a lower CPU priority than shakedown (niceness 10), so they never delay the harness', async () => {
    const served = session();
    expect((await served.exec(request('nice'))).stdout).toBe('10\n');
  });

  it('runs several commands at once on one server', async () => {
    const served = session();
    const gate = `shakedown-gate-${randomBytes(4).toString('hex')}`;
    // The first waits for a file only the second writes: they can only both finish if they run at once.
    const first = served.exec(request(`while [ ! -e ${tmpdir()}/${gate} ]; do sleep 0.02; done; echo first`));
    const second = served.exec(request(`touch ${tmpdir()}/${gate}; echo second`));
    expect((await second).stdout).toBe('second\n');
    expect((await first).stdout).toBe('first\n');
    execFileSync('rm', ['-f', `${tmpdir()}/${gate}`]);
  });

  it('caps the output, kills the producer and says so', async () => {
    const result = await session().exec(request('yes', { outputLimitBytes: 10_000, timeoutMs: 60_000 }));
    expect(result).toMatchObject({ outputTruncated: true, timedOut: false, signal: 'SIGKILL' });
    expect(result.stdout.length).toBe(10_000);
  });

  it("kills a timed-out command's whole process group and serves the next command meanwhile", async () => {
    const served = session();
    const marker = `shakedown-group-${randomBytes(4).toString('hex')}`;
    const slow = served.exec(
      request(`sleep 100 & bash -c "sleep 100; : ${marker}" & wait`, { timeoutMs: 1_000 }),
    );
    await until(() => processesWith(marker) !== '');
    // The server answers while the slow command runs.
    expect((await served.exec(request('echo meanwhile'))).stdout).toBe('meanwhile\n');
    expect(await slow).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(processesWith(marker)).toBe('');
    expect((await served.exec(request('echo after'))).stdout).toBe('after\n');
  });

  it('kills the group on abort', async () => {
    const served = session();
    const controller = new AbortController();
    const marker = `shakedown-abort-${randomBytes(4).toString('hex')}`;
    const running = served.exec(request(`bash -c "sleep 100; : ${marker}"`, { signal: controller.signal }));
    await until(() => processesWith(marker) !== '');
    controller.abort();
    expect(await running).toMatchObject({ timedOut: false, exitCode: null, signal: 'SIGKILL' });
    expect(processesWith(marker)).toBe('');
  });

  it('a server killed by a command ends that command killed, with a note, not as an infrastructure error', async () => {
    let launches = 0;
    const served = session(async () => {
      launches += 1;
      return direct;
    });
    expect((await served.exec(request('echo $PPID'))).exitCode).toBe(0);
    // Only the sandbox's own processes (or the kernel's OOM kill) can signal the server: the model's doing.
    const died = await served.exec(request('echo before; kill -9 $PPID; sleep 5'));
    expect(died).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: false });
    expect(died.stderr).toMatch(
      /^shakedown: the sandbox's command server was killed \(SIGKILL\) by a process/,
    );
    const next = await served.exec(request('echo again'));
    expect(next).toMatchObject({ exitCode: 0, stdout: 'again\n', stderr: '' });
    expect(launches).toBe(2);
  });

  it('a server killed between commands is started again, and the next command is told', async () => {
    const served = session();
    const serverPid = Number((await served.exec(request('echo $PPID'))).stdout.trim());
    await served.exec(request('p=$PPID; (sleep 0.2; kill -9 $p) >/dev/null 2>&1 & echo started'));
    while (isAlive(serverPid)) await new Promise((resolve) => setTimeout(resolve, 20));
    // Between commands: the session has heard of the death (its pid can be gone a moment before that).
    const heard = () => (served as unknown as { server?: { failed: boolean } }).server?.failed !== false;
    expect(await until(heard)).toBe(true);
    const next = await served.exec(request('echo after'));
    expect(next.stdout).toBe('after\n');
    expect(next.stderr).toMatch(/^shakedown: the sandbox's command server was killed \(SIGKILL\)/);
    expect((await served.exec(request('echo quiet'))).stderr).toBe('');
  });

  it('restart ends the server before it returns, so a kill the host sent cannot land on the next command', async () => {
    let launches = 0;
    const served = session(async () => {
      launches += 1;
      return direct;
    });
    const firstServer = Number((await served.exec(request('echo $PPID'))).stdout.trim());
    // The host killed the sandbox's processes (OOM, disk quota): the server may still be alive at this point.
    await served.restart('shakedown: fresh sandbox\n');
    expect(isAlive(firstServer)).toBe(false);
    const next = await served.exec(request('echo $PPID'));
    expect(next).toMatchObject({ exitCode: 0, stderr: 'shakedown: fresh sandbox\n' });
    expect(Number(next.stdout.trim())).not.toBe(firstServer);
    expect((await served.exec(request('echo quiet'))).stderr).toBe('');
    expect(launches).toBe(2);
  });

  it('a server that exits on its own while a command runs is an infrastructure error; the next exec starts anew', async () => {
    let launches = 0;
    const crashing: ExecServerLaunch = {
      argv: [
        process.execPath,
        '-e',
        'process.stdout.write(JSON.stringify({ type: "ready", pid: process.pid }) + "\\n"); process.stdin.once("data", () => process.exit(3))',
      ],
    };
    const served = session(async () => {
      launches += 1;
      return launches === 1 ? crashing : direct;
    });
    const died = served.exec(request('true'));
    await expect(died).rejects.toBeInstanceOf(SandboxInfrastructureError);
    await expect(died).rejects.toThrow(/^the sandbox's exec server ended \(exit 3\)$/);
    expect((await served.exec(request('echo again'))).stdout).toBe('again\n');
    expect(launches).toBe(2);
  });

  it('a server that answers garbage is an infrastructure error, and so is one that cannot start', async () => {
    const garbage = session(async () => ({
      argv: [process.execPath, '-e', 'console.log("garbage"); setInterval(() => {}, 1000)'],
    }));
    await expect(garbage.exec(request('true'))).rejects.toThrow(
      /^the sandbox's exec server sent garbage \(not JSON: "garbage"\)$/,
    );
    const refused = session(async () => ({
      argv: [
        process.execPath,
        '-e',
        'console.log(JSON.stringify({ type: "ready", pid: 1 })); process.stdin.on("data", () => console.log(JSON.stringify({ type: "exit", id: 99, exitCode: 0, signal: null, timedOut: false, outputTruncated: false })))',
      ],
    }));
    await expect(refused.exec(request('true'))).rejects.toThrow(/exit for unknown command 99/);
    const missing = session(async () => ({ argv: ['/nonexistent/bwrap'] }));
    await expect(missing.exec(request('true'))).rejects.toThrow(
      /^could not start bwrap: spawn \/nonexistent\/bwrap ENOENT$/,
    );
    const unprepared = session(async () => {
      throw new Error('no space left for the stage directory');
    });
    await expect(unprepared.exec(request('true'))).rejects.toThrow(
      /^the sandbox could not be prepared: no space left for the stage directory$/,
    );
    const crashing = session(async () => ({
      argv: [process.execPath, '-e', 'console.error("bwrap: no permission"); process.exit(1)'],
    }));
    await expect(crashing.exec(request('true'))).rejects.toThrow(
      /^the sandbox's exec server ended \(exit 1\): bwrap: no permission$/,
    );
  });

  it('warm starts the server before the first command, once; the command then runs on it', async () => {
    let launches = 0;
    let launched: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      launched = resolve;
    });
    const served = session(async () => {
      launches += 1;
      launched();
      return direct;
    });
    served.warm();
    served.warm();
    await started;
    const server = Number((await served.exec(request('echo $PPID'))).stdout);
    expect(Number((await served.exec(request('echo $PPID'))).stdout)).toBe(server);
    served.warm();
    expect(launches).toBe(1);
  });

  it('a failed warm start surfaces at the first command, as without warming; a disposed session stays cold', async () => {
    const unprepared = session(async () => {
      throw new Error('no space left for the stage directory');
    });
    unprepared.warm();
    await expect(unprepared.exec(request('true'))).rejects.toThrow(
      /^the sandbox could not be prepared: no space left for the stage directory$/,
    );
    let launches = 0;
    const disposed = session(async () => {
      launches += 1;
      return direct;
    });
    await disposed.dispose();
    disposed.warm();
    await new Promise((resolve) => setImmediate(resolve));
    expect(launches).toBe(0);
  });

  it('dispose ends the server; later execs are refused', async () => {
    // Without bwrap nothing ends what commands left behind; the PID namespace and cgroups do that in the sandbox
    // (bubblewrap-sandbox.test.ts).
    const served = session();
    const pid = Number((await served.exec(request('echo $PPID'))).stdout);
    await served.dispose();
    expect(await until(() => !existsSync(`/proc/${pid}`))).toBe(true);
    await expect(served.exec(request('true'))).rejects.toThrow(/^the sandbox was disposed$/);
  });
});
