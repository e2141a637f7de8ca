import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCgroupParent, removeStaleCgroups } from './command-cgroup.ts';
import { createSandbox } from './create-sandbox.ts';
import { detectSandboxSupport } from './detect-sandbox-support.ts';
import { SANDBOX_HOST_ID } from './host-user.ts';
import type { Sandbox } from './types.ts';

/** The sandbox's side of the host boundary: who it runs as, what of /etc it sees, and its disk and memory bounds. */

const support = await detectSandboxSupport('bubblewrap');
const isRoot = process.getuid?.() === 0;
const memoryCgroupParent = findCgroupParent('memory');
const MiB = 1024 ** 2;

describe.skipIf(!support.available)(`bubblewrap host boundary (${support.reason ?? 'bwrap works'})`, () => {
  let scratch: string;
  let workspace: string;
  let sandbox: Sandbox;
  const warnings: string[] = [];

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'shakedown-boundary-'));
    // Only root may enter the workspace's parent, as with a data directory under /root.
    chmodSync(scratch, 0o700);
    workspace = path.join(scratch, 'workspace');
    mkdirSync(workspace);
    writeFileSync(path.join(workspace, 'test_sample.py'), 'def test_ok():\n    assert 1 + 1 == 2\n');
    writeFileSync(
      path.join(workspace, 'sample.test.mjs'),
      "import test from 'node:test';\ntest('ok', () => {});\n",
    );
    sandbox = await createSandbox(workspace, {
      backend: 'bubblewrap',
      onWarning: (message) => warnings.push(message),
    });
  });

  afterAll(async () => {
    await sandbox?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('runs as an unprivileged user: uid 1000 inside, never host root outside', async () => {
    const result = await sandbox.exec('id -u; id -g; id -un; echo made > by-sandbox.txt');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('1000\n1000\nshakedown\n');
    const owner = statSync(path.join(workspace, 'by-sandbox.txt')).uid;
    if (isRoot) {
      expect(warnings.join('\n')).not.toMatch(/runs as host root/);
      expect(owner).toBe(SANDBOX_HOST_ID);
    } else {
      expect(owner).toBe(process.getuid?.());
    }
  });

  it.skipIf(!isRoot)('cannot read or change a root-only file even inside the workspace', async () => {
    const secret = path.join(workspace, 'root-only.txt');
    writeFileSync(secret, 'ROOT-ONLY\n', { mode: 0o600 });
    const result = await sandbox.exec('cat root-only.txt; echo x >> root-only.txt; chmod 666 root-only.txt');
    expect(result.stdout).not.toContain('ROOT-ONLY');
    expect(result.stderr).toMatch(/Permission denied/);
    expect(result.stderr).toMatch(/Operation not permitted/);
    expect(statSync(secret).mode & 0o777).toBe(0o600);
  });

  it('sees a minimal read-only /etc and no /opt', async () => {
    const result = await sandbox.exec(
      'ls -A /etc; echo ---; cat /etc/passwd; echo ---; ls /opt 2>&1; touch /etc/x 2>&1; ls /etc/ssl',
    );
    const [listing, passwd, rest] = result.stdout.split('---\n') as [string, string, string];
    const entries = listing.trim().split('\n');
    expect(entries).toEqual(expect.arrayContaining(['passwd', 'group', 'ld.so.cache']));
    for (const hidden of [
      'shadow',
      'gshadow',
      'sudoers',
      'ssh',
      'npmrc',
      'pip.conf',
      'machine-id',
      'gitconfig',
    ]) {
      expect(entries).not.toContain(hidden);
    }
    expect(passwd).toMatch(/^shakedown:x:1000:1000:/m);
    expect(
      passwd
        .trim()
        .split('\n')
        .map((line) => line.split(':')[0]),
    ).toEqual(['root', 'shakedown', 'nobody']);
    expect(rest).toMatch(/ls: cannot access '\/opt': No such file or directory/);
    expect(rest).toMatch(/Read-only file system/);
    expect(rest).not.toContain('private');
  });

  it('runs the toolchains inside: python3 -m pytest, node --test and git', async () => {
    const pytest = await sandbox.exec('python3 -m pytest -q -p no:cacheprovider test_sample.py', {
      timeoutMs: 120_000,
    });
    expect(pytest.stdout, pytest.stderr).toMatch(/1 passed/);
    const node = await sandbox.exec('node --test sample.test.mjs', { timeoutMs: 120_000 });
    expect(node.stdout, node.stderr).toMatch(/# pass 1/);
    const git = await sandbox.exec(
      'git init -q repo && cd repo && echo a > a && git add a && ' +
        'git -c user.name=t -c user.email=t@e commit -qm first && git log --format=%s',
      { timeoutMs: 120_000 },
    );
    expect(git.stdout, git.stderr).toBe('first\n');
  });

  it('cannot reach host files through links it plants: symlinks dangle, hard links are refused', async () => {
    const hostSecret = path.join(scratch, 'host-secret.txt');
    writeFileSync(hostSecret, 'HOST-SECRET\n');
    const result = await sandbox.exec(
      `ln -s ${hostSecret} planted; cat planted; echo rc=$?; ln /etc/hosts hard 2>&1; ln /usr/bin/env hard2 2>&1; ` +
        `ln -s /proc/self/root${hostSecret} viaproc; cat viaproc`,
    );
    expect(result.stdout).not.toContain('HOST-SECRET');
    expect(result.stdout).toMatch(/rc=1/);
    expect(result.stdout.match(/Invalid cross-device link/g)).toHaveLength(2);
    expect(existsSync(path.join(workspace, 'hard'))).toBe(false);
  });

  it('stops a command filling the disk and reports the quota, and bounds /tmp', async () => {
    const small = await createSandbox(workspace, {
      backend: 'bubblewrap',
      limits: { diskBytes: 64 * MiB },
      onWarning: () => {},
    });
    try {
      // Many files, each under RLIMIT_FSIZE: only the quota stops it. It would write 10 GiB, then sleep.
      const fill = await small.exec(
        'mkdir -p fill && for i in $(seq 1 1000); do head -c 10485760 /dev/zero > fill/$i || exit 3; done; sleep 600',
        { timeoutMs: 300_000 },
      );
      expect(fill.diskQuotaExceeded).toBe(true);
      expect(fill.timedOut).toBe(false);
      expect(fill.stderr).toMatch(/over its disk quota of 64 MiB; the command was stopped/);
      rmSync(path.join(workspace, 'fill'), { recursive: true, force: true });

      // Written faster than the watch looks: the check after the command sees the filesystem grow and walks it.
      const baseline = await small.exec('true');
      expect(baseline.diskQuotaExceeded).toBeUndefined();
      const quick = await small.exec('head -c 70M /dev/zero > quick.bin');
      expect(quick.diskQuotaExceeded).toBe(true);
      expect(quick.stderr).toMatch(/over its disk quota of 64 MiB\. Delete files/);
      rmSync(path.join(workspace, 'quick.bin'), { force: true });
      expect((await small.exec('true')).diskQuotaExceeded).toBeUndefined();

      const tmp = await small.exec('head -c 100M /dev/zero > /tmp/big; echo rc=$?');
      expect(tmp.stderr).toMatch(/No space left on device/);
      expect(tmp.stdout).toBe('rc=1\n');
      expect(tmp.diskQuotaExceeded).toBeUndefined();
    } finally {
      await small.dispose();
      rmSync(path.join(workspace, 'fill'), { recursive: true, force: true });
    }
  });

  it.skipIf(!memoryCgroupParent)(
    'one OOM kill ends the whole command (no survivors left to run into the timeout)',
    async () => {
      const limited = await createSandbox(workspace, {
        backend: 'bubblewrap',
        limits: { memoryBytes: 128 * MiB },
        onWarning: () => {},
      });
      try {
        // Four processes of 48 MiB each, touched, then sleeping: two fit, the third makes the kernel kill one.
        const bomb = await limited.exec(
          'for i in 1 2 3 4; do python3 -c "a = b\'x\' * (48 * 2**20); import time; time.sleep(900)" & done; wait',
          { timeoutMs: 300_000 },
        );
        expect(bomb.outOfMemory).toBe(true);
        expect(bomb.timedOut).toBe(false);
        expect(bomb.stderr).toContain('out of memory (sandbox memory limit 128 MiB)');
      } finally {
        await limited.dispose();
      }
    },
  );
});

describe.skipIf(!findCgroupParent('pids'))('stale cgroups', () => {
  it('removes cgroups of dead shakedown processes and keeps those of live ones', async () => {
    const parent = findCgroupParent('pids')!;
    // pid_max is at most 2^22: this pid never exists.
    const stale = `shakedown-${2 ** 22 + 7}-${randomBytes(6).toString('hex')}`;
    const live = `shakedown-${process.ppid}-${randomBytes(6).toString('hex')}`;
    mkdirSync(path.join(parent, stale));
    mkdirSync(path.join(parent, live));
    try {
      const removed = await removeStaleCgroups(parent);
      expect(removed).toContain(stale);
      expect(removed).not.toContain(live);
      expect(existsSync(path.join(parent, stale))).toBe(false);
      expect(existsSync(path.join(parent, live))).toBe(true);
    } finally {
      for (const name of [stale, live]) {
        if (existsSync(path.join(parent, name))) rmdirSync(path.join(parent, name));
      }
    }
  });
});
