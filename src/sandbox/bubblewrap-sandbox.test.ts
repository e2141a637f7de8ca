import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../test-support/until.ts';
import { BubblewrapSandbox } from './bubblewrap-sandbox.ts';
import { findCgroupParent } from './command-cgroup.ts';
import { createSandbox } from './create-sandbox.ts';
import { detectSandboxSupport } from './detect-sandbox-support.ts';
import { findExecutable } from './find-executable.ts';
import { DEFAULT_LIMITS, fallbackAddressSpaceBytes } from './limits.ts';
import { detectToolchains } from './toolchain-paths.ts';
import type { Sandbox } from './types.ts';

const support = await detectSandboxSupport('bubblewrap');
const isRoot = process.getuid?.() === 0;
const memoryCgroupParent = findCgroupParent('memory');

/** This process's sandbox cgroups present under the pids and memory parents. */
function leftoverCgroups(): string[] {
  return [findCgroupParent('pids'), memoryCgroupParent].flatMap((parent) =>
    parent ? readdirSync(parent).filter((name) => name.startsWith(`shakedown-${process.pid}-`)) : [],
  );
}

/** Whether every process whose command line holds `marker` is gone (the kernel reaps a killed group promptly). */
function processesGone(marker: string): Promise<boolean> {
  return until(() => leftoverProcesses(marker) === '');
}

function leftoverProcesses(marker: string): string {
  try {
    return execFileSync('pgrep', ['-af', marker], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches.
  }
}

describe.skipIf(!support.available)(`bubblewrap sandbox (${support.reason ?? 'bwrap works'})`, () => {
  let scratch: string;
  let workspace: string;
  let secretFile: string;
  let sandbox: Sandbox;
  const warnings: string[] = [];

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'shakedown-sandbox-test-'));
    workspace = path.join(scratch, 'workspace');
    mkdirSync(path.join(workspace, 'sub'), { recursive: true });
    writeFileSync(path.join(workspace, 'hello.txt'), 'from the host\n');
    secretFile = path.join(scratch, 'secret.txt');
    writeFileSync(secretFile, 'TOP-SECRET-OUTSIDE\n');
    sandbox = await createSandbox(workspace, {
      backend: 'bubblewrap',
      limits: { processes: 64 },
      onWarning: (message) => warnings.push(message),
    });
  });

  /** Sandboxes a test made for itself: each holds an exec server until disposed. */
  const extra: Sandbox[] = [];
  const track = <Made extends Sandbox>(made: Made): Made => {
    extra.push(made);
    return made;
  };

  afterAll(async () => {
    await Promise.all(extra.map((made) => made.dispose()));
    await sandbox?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('runs a command that sees the workspace at its host path and writes inside it', async () => {
    expect(sandbox.backend).toBe('bubblewrap');
    const result = await sandbox.exec('pwd && cat hello.txt && echo made-inside > sub/out.txt', {
      cwd: 'sub/..',
    });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, outputTruncated: false });
    expect(result.stdout).toBe(`${workspace}\nfrom the host\n`);
    expect(readFileSync(path.join(workspace, 'sub', 'out.txt'), 'utf8')).toBe('made-inside\n');

    const nested = await sandbox.exec('pwd', { cwd: 'sub' });
    expect(nested.stdout.trim()).toBe(path.join(workspace, 'sub'));
    const escaped = await sandbox.exec('pwd', { cwd: '../' });
    expect(escaped.exitCode).toBe(126);
  });

  it('passes stdin and runs the host toolchains read-only (node, git)', async () => {
    const result = await sandbox.exec(
      'cat && node -e "process.stdout.write(String(1 + 1))" && git --version',
      {
        stdin: 'piped-in;',
      },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^piped-in;2git version/);
  });

  it('cannot read host files outside the workspace', async () => {
    const homeMarker = path.join(os.homedir(), `.shakedown-sandbox-secret-${randomBytes(4).toString('hex')}`);
    writeFileSync(homeMarker, 'HOME-SECRET\n');
    try {
      const result = await sandbox.exec(`cat ${secretFile}; cat ${homeMarker}; ls -A ${scratch}`);
      expect(result.stdout).not.toContain('TOP-SECRET-OUTSIDE');
      expect(result.stdout).not.toContain('HOME-SECRET');
      expect(result.stderr).toContain('No such file or directory');
      // The workspace's parent holds only the workspace mount point, not the secret next to it.
      expect(result.stdout.trim()).toBe('workspace');
    } finally {
      rmSync(homeMarker, { force: true });
    }
  });

  it('cannot write outside the workspace (/etc, /usr, the parent directory)', async () => {
    const name = `shakedown-escape-${randomBytes(4).toString('hex')}`;
    for (const directory of ['/etc', '/usr', '/usr/local/bin']) {
      const target = path.join(directory, name);
      const result = await sandbox.exec(`echo x > ${target}`);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toMatch(/Read-only file system|Permission denied/);
      expect(existsSync(target)).toBe(false);
    }
    // The workspace's parent is a private tmpfs inside: a write there may succeed but never reaches the host.
    const parentTarget = path.join(scratch, name);
    await sandbox.exec(`echo x > ${parentTarget}`);
    expect(existsSync(parentTarget)).toBe(false);
  });

  it('has no network: a TCP connect to a server on the host loopback fails (and works with network on)', async () => {
    let connections = 0;
    const server: Server = createServer((socket) => {
      connections++;
      socket.end('hello-from-host\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const probe = `exec 3<>/dev/tcp/127.0.0.1/${port} && head -1 <&3`;
    try {
      const isolated = await sandbox.exec(probe, { timeoutMs: 5_000 });
      expect(isolated.exitCode).not.toBe(0);
      expect(isolated.stdout).not.toContain('hello-from-host');
      expect(connections).toBe(0);

      const networked = track(
        await createSandbox(workspace, { backend: 'bubblewrap', limits: { network: true } }),
      );
      const open = await networked.exec(probe, { timeoutMs: 5_000 });
      expect(open.stdout).toContain('hello-from-host');
      expect(connections).toBe(1);
    } finally {
      server.close();
    }
  });

  it('never leaks the host environment; sets a clean one plus options.env', async () => {
    process.env.SHAKEDOWN_TEST_API_KEY = 'sk-host-secret-should-not-leak';
    try {
      const result = await sandbox.exec('env', { env: { GIVEN_BY_CALLER: 'yes' } });
      expect(result.stdout).not.toContain('sk-host-secret-should-not-leak');
      const environment = Object.fromEntries(
        result.stdout
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      expect(environment).toMatchObject({ TERM: 'dumb', CI: '1', LANG: 'C.UTF-8', GIVEN_BY_CALLER: 'yes' });
      const home = await sandbox.exec('echo ok > "$HOME/file" && cat "$HOME/file"');
      expect(home.stdout).toBe('ok\n');
    } finally {
      delete process.env.SHAKEDOWN_TEST_API_KEY;
    }
  });

  it('contains a fork bomb: at most `processes` processes, then the host is fine and nothing is left', async () => {
    const cgroupsBefore = leftoverCgroups();
    if (isRoot) expect(warnings.join('\n')).not.toMatch(/process limit .*not enforced/);
    // A sandbox of its own: what the first command leaves running counts against the limit until dispose.
    const bounded = await createSandbox(workspace, { backend: 'bubblewrap', limits: { processes: 64 } });
    const marker = `shakedown-forkbomb-${randomBytes(4).toString('hex')}`;
    try {
      // dash does not retry a failed fork: it stops at the limit; `count` records how far it got.
      const counted = await bounded.exec(
        `sh -c 'i=0; while [ $i -lt 300 ]; do sleep 20 & i=$((i+1)); echo $i > count; done' 2>/dev/null; read n < count; echo "started=$n"; : ${marker}`,
        { timeoutMs: 15_000 },
      );
      const started = Number(/started=(\d+)/.exec(counted.stdout)?.[1]);
      expect(started).toBeGreaterThan(10);
      expect(started).toBeLessThan(64);
    } finally {
      await bounded.dispose();
    }

    const bomb = await sandbox.exec(`bomb() { bomb | bomb & }; bomb; sleep 30; : ${marker}`, {
      timeoutMs: 2_000,
    });
    expect(bomb.timedOut).toBe(true);
    expect(execFileSync('echo', ['host-alive'], { encoding: 'utf8' })).toBe('host-alive\n');
    expect(await processesGone(marker)).toBe(true);
    // The sandbox's cgroups serve every command: commands make and leave none of their own.
    expect(leftoverCgroups()).toEqual(cgroupsBefore);
    expect((await sandbox.exec('echo still-serving')).stdout).toBe('still-serving\n');
  });

  it.skipIf(!findCgroupParent('pids'))(
    "starts every command inside the sandbox's cgroups, the same ones for each command",
    async () => {
      const ownCgroups = (text: string) =>
        text.split('\n').filter((line) => line.includes(`/shakedown-${process.pid}-`));
      const first = await sandbox.exec('cat /proc/self/cgroup; sh -c "cat /proc/self/cgroup"');
      const second = await sandbox.exec('cat /proc/self/cgroup');
      const expected = [findCgroupParent('pids'), memoryCgroupParent].filter(Boolean).length;
      expect(ownCgroups(second.stdout)).toHaveLength(expected);
      // The shell, its child and the next command: the same cgroups.
      expect(ownCgroups(first.stdout)).toEqual([...ownCgroups(second.stdout), ...ownCgroups(second.stdout)]);
    },
  );

  it('caps endless output and kills the producer', async () => {
    const result = await sandbox.exec('yes', { outputLimitBytes: 10_000, timeoutMs: 10_000 });
    expect(result.outputTruncated).toBe(true);
    expect(result.timedOut).toBe(false);
    expect(result.stdout.length).toBe(10_000);
  });

  it("kills a command's whole process group on timeout and on abort, and serves the next command", async () => {
    const marker = `shakedown-sleeper-${randomBytes(4).toString('hex')}`;
    const command = `sleep 100 & bash -c "sleep 100; : ${marker}-child" & sleep 100; : ${marker}`;
    const result = await sandbox.exec(command, { timeoutMs: 500 });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(await processesGone(marker)).toBe(true);
    expect((await sandbox.exec('echo next')).stdout).toBe('next\n');

    const controller = new AbortController();
    const aborted = sandbox.exec(`echo started; ${command}`, { signal: controller.signal });
    await until(() => leftoverProcesses(`${marker}-child`) !== '');
    controller.abort();
    expect(await aborted).toMatchObject({ timedOut: false, exitCode: null, signal: 'SIGKILL' });
    expect(await processesGone(marker)).toBe(true);
    expect((await sandbox.exec('echo next')).stdout).toBe('next\n');
  });

  it.each([
    ['its cgroups', undefined],
    ['no cgroups (the PID namespace ends with the server)', {}],
  ])(
    'keeps /tmp and background processes for the sandbox lifetime; dispose ends them all, with %s',
    async (_, cgroupParents) => {
      const toolchains = detectToolchains();
      const own = new BubblewrapSandbox({
        bwrapPath: findExecutable('bwrap')!,
        workspaceDir: workspace,
        limits: DEFAULT_LIMITS,
        readOnlyPaths: toolchains.readOnlyPaths,
        toolchains,
        onWarning: () => {},
        cgroupParents,
      });
      const marker = `shakedown-daemon-${randomBytes(4).toString('hex')}`;
      try {
        // One left in the background, one that left the process group (setsid): both outlive their command.
        const started = await own.exec(
          `echo kept > /tmp/state; (sleep 300; : ${marker}-background) > /dev/null 2>&1 & ` +
            `setsid bash -c "sleep 300; : ${marker}-daemon" > /dev/null 2>&1 &`,
        );
        expect(started.exitCode).toBe(0);
        const later = await own.exec('cat /tmp/state');
        expect(later.stdout).toBe('kept\n');
        expect(leftoverProcesses(`${marker}-background`)).not.toBe('');
        expect(leftoverProcesses(`${marker}-daemon`)).not.toBe('');
      } finally {
        await own.dispose();
      }
      expect(leftoverProcesses(marker)).toBe('');
    },
  );

  it('a command that kills the exec server ends killed (its own doing), and the next exec runs in a fresh one', async () => {
    const own = await createSandbox(workspace, { backend: 'bubblewrap' });
    try {
      expect((await own.exec('echo kept > /tmp/state')).exitCode).toBe(0);
      const died = await own.exec('kill -9 $PPID; sleep 30', { timeoutMs: 60_000 });
      expect(died).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: false });
      expect(died.stderr).toMatch(
        /the sandbox's command server was killed \(SIGKILL\) by a process of the sandbox/,
      );
      const next = await own.exec('cat /tmp/state 2>/dev/null || echo fresh');
      expect(next).toMatchObject({ exitCode: 0, stdout: 'fresh\n' });
    } finally {
      await own.dispose();
    }
  });

  it('applies CPU, memory, file-size and process rlimits', async () => {
    const limited = track(
      await createSandbox(workspace, {
        backend: 'bubblewrap',
        limits: { cpuSeconds: 1, fileSizeBytes: 1024 * 1024, memoryBytes: 2 * 1024 ** 3, processes: 100 },
      }),
    );
    const values = await limited.exec('echo $(ulimit -t) $(ulimit -v) $(ulimit -f) $(ulimit -u)');
    // With a memory cgroup there is no RLIMIT_AS at all; without, only the generous backstop.
    const addressSpace = memoryCgroupParent ? 'unlimited' : fallbackAddressSpaceBytes(2 * 1024 ** 3) / 1024;
    expect(values.stdout.trim()).toBe(`1 ${addressSpace} 1024 100`);

    const big = await limited.exec('head -c 3000000 /dev/zero > big.bin');
    expect(big.exitCode).not.toBe(0);
    expect(readFileSync(path.join(workspace, 'big.bin')).length).toBeLessThanOrEqual(1024 * 1024);

    const spin = await limited.exec('while :; do :; done', { timeoutMs: 10_000 });
    expect(spin.timedOut).toBe(false);
    expect(spin.exitCode).not.toBe(0);
  });

  it("runs Node's fetch (WebAssembly) with the default limits", async () => {
    const defaults = track(await createSandbox(workspace, { backend: 'bubblewrap' }));
    const result = await defaults.exec(
      `node -e "fetch('http://127.0.0.1:1').catch((e) => console.log('ok', e.cause?.code ?? e.message))"`,
      { timeoutMs: 30_000 },
    );
    expect(result.stderr).not.toMatch(/WebAssembly|Out of memory/i);
    expect(result.stdout).toMatch(/^ok (ECONNREFUSED|fetch failed)/);
    expect(result.exitCode).toBe(0);
  });

  it('without a memory cgroup: warns once and keeps a backstop RLIMIT_AS that still lets Node run', async () => {
    const fallbackWarnings: string[] = [];
    const toolchains = detectToolchains();
    const fallback = track(
      new BubblewrapSandbox({
        bwrapPath: findExecutable('bwrap')!,
        workspaceDir: workspace,
        limits: DEFAULT_LIMITS,
        readOnlyPaths: toolchains.readOnlyPaths,
        toolchains,
        onWarning: (message) => fallbackWarnings.push(message),
        cgroupParents: {},
      }),
    );
    const result = await fallback.exec(
      `ulimit -v; node -e "fetch('http://127.0.0.1:1').catch((e) => console.log('ok', e.cause?.code ?? e.message))"`,
      { timeoutMs: 30_000 },
    );
    expect(result.stdout).toMatch(
      new RegExp(
        `^${fallbackAddressSpaceBytes(DEFAULT_LIMITS.memoryBytes) / 1024}\nok (ECONNREFUSED|fetch failed)`,
      ),
    );
    expect(result.outOfMemory).toBeUndefined();
    await fallback.exec('true');
    expect(fallbackWarnings.filter((message) => message.includes('memory limit'))).toHaveLength(1);
  });

  it.skipIf(!memoryCgroupParent)(
    'OOM-kills a command over the memory limit, reports it, and leaves the host and no cgroup behind',
    async () => {
      const limited = await createSandbox(workspace, {
        backend: 'bubblewrap',
        limits: { memoryBytes: 128 * 1024 ** 2 },
      });
      // 512 MiB, every page touched; never reaches "allocated".
      const hog = await limited.exec(
        `node -e "const b = Buffer.alloc(512 * 1024 * 1024, 1); console.log('allocated', b.length)"`,
        { timeoutMs: 60_000 },
      );
      expect(hog.stdout).not.toContain('allocated');
      expect(hog.exitCode).not.toBe(0);
      expect(hog.timedOut).toBe(false);
      expect(hog.outOfMemory).toBe(true);
      expect(hog.stderr).toContain('out of memory (sandbox memory limit 128 MiB)');

      const small = await limited.exec(
        `node -e "const b = Buffer.alloc(16 * 1024 * 1024, 1); console.log('allocated', b.length)"`,
        { timeoutMs: 60_000 },
      );
      expect(small).toMatchObject({ exitCode: 0, outOfMemory: false });
      expect(small.stdout).toBe(`allocated ${16 * 1024 * 1024}\n`);
      // The host's kill of the OOM-killed sandbox never lands on this command: it runs in a fresh sandbox, and says so.
      expect(small.stderr).toMatch(/^shakedown: the sandbox's processes were killed after the last command/);
      expect(execFileSync('echo', ['host-alive'], { encoding: 'utf8' })).toBe('host-alive\n');
      const before = leftoverCgroups();
      await limited.dispose();
      const after = leftoverCgroups();
      expect(before.filter((name) => !after.includes(name))).toHaveLength(
        [findCgroupParent('pids'), memoryCgroupParent].filter(Boolean).length,
      );
    },
  );

  it('runs a trivial command and reports its duration (speed is a benchmark, not a test)', async () => {
    const results = [];
    for (let run = 0; run < 5; run++) results.push(await sandbox.exec('true'));
    const durations = results.map((result) => result.durationMs).sort((left, right) => left - right);
    console.info(`bubblewrap exec overhead: median ${durations[2]} ms (${durations.join(', ')})`);
    for (const result of results) expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(durations.every(Number.isFinite)).toBe(true);
  });
});
