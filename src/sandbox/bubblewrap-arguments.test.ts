import { describe, expect, it } from 'vitest';
import { bubblewrapFeatures, buildBubblewrapArguments } from './bubblewrap-arguments.ts';
import { resolveLimits } from './limits.ts';

const base = {
  workspaceDir: '/root/data/ws',
  cwd: '/root/data/ws',
  limits: resolveLimits({ diskBytes: 1024 ** 3 }),
  readOnlyPaths: ['/root/.nvm/versions/node/v20'],
  env: { PATH: '/usr/bin' },
  command: 'pytest',
  etcFiles: { passwd: '/tmp/stage/passwd', group: '/tmp/stage/group', limits: '/tmp/stage/limits.sh' },
};

/** The pairs `option a b` of an argv, as "a b" strings. */
function pairs(argv: string[], option: string): string[] {
  return argv.flatMap((value, index) => (value === option ? [`${argv[index + 1]} ${argv[index + 2]}`] : []));
}

describe('buildBubblewrapArguments', () => {
  it('runs as uid/gid 1000 in its own user namespace that cannot make more', () => {
    const argv = buildBubblewrapArguments(base);
    expect(argv.join(' ')).toContain('--unshare-all --unshare-user --uid 1000 --gid 1000 --disable-userns');
  });

  it('builds a minimal read-only /etc: no host /etc, /opt, shadow or keys; generated passwd and group', () => {
    const argv = buildBubblewrapArguments(base);
    const binds = pairs(argv, '--ro-bind');
    expect(binds).not.toContain('/etc /etc');
    expect(binds.filter((bind) => bind.startsWith('/opt'))).toEqual([]);
    expect(binds.filter((bind) => /shadow|ssl\/private|ssh|sudoers|npmrc|pip\.conf/.test(bind))).toEqual([]);
    expect(binds).toContain('/tmp/stage/passwd /etc/passwd');
    expect(binds).toContain('/tmp/stage/group /etc/group');
    expect(argv.join(' ')).toContain('--tmpfs /etc');
    expect(argv.join(' ')).toContain('--remount-ro /etc');
    expect(binds).not.toContain('/etc/resolv.conf /etc/resolv.conf');
  });

  it('binds staged copies where given, and sizes /tmp by the disk quota', () => {
    const argv = buildBubblewrapArguments({
      ...base,
      staged: { '/root/data/ws': '/tmp/stage/mount-0', '/root/.nvm/versions/node/v20': '/tmp/stage/mount-1' },
    });
    expect(pairs(argv, '--bind')).toEqual(['/tmp/stage/mount-0 /root/data/ws']);
    expect(pairs(argv, '--ro-bind')).toContain('/tmp/stage/mount-1 /root/.nvm/versions/node/v20');
    expect(argv.join(' ')).toContain(`--size ${1024 ** 3} --tmpfs /tmp`);
  });

  it('runs the command in one bash that first sources the limits script; waits for its cgroup when asked', () => {
    const argv = buildBubblewrapArguments(base);
    expect(argv.slice(argv.indexOf('--'))).toEqual(['--', '/bin/bash', '-c', 'pytest']);
    expect(pairs(argv, '--setenv')).toContain('BASH_ENV /etc/shakedown-limits.sh');
    expect(pairs(argv, '--ro-bind')).toContain('/tmp/stage/limits.sh /etc/shakedown-limits.sh');
    expect(argv.indexOf('/tmp/stage/limits.sh')).toBeLessThan(argv.indexOf('--remount-ro'));
    expect(argv).not.toContain('--block-fd');
    const waiting = buildBubblewrapArguments({ ...base, startFds: { info: 3, block: 4 } });
    expect(waiting.join(' ')).toContain('--info-fd 3 --block-fd 4');
  });

  it('leaves out options an older bwrap does not know', () => {
    const features = bubblewrapFeatures('usage: bwrap [OPTIONS...]\n    --unshare-user\n    --uid UID\n');
    expect(features).toEqual({ disableUserns: false, tmpfsSize: false });
    const argv = buildBubblewrapArguments({ ...base, features });
    expect(argv).not.toContain('--disable-userns');
    expect(argv).not.toContain('--size');
  });
});
