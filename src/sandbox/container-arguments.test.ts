import { describe, expect, it } from 'vitest';
import { buildContainerRunArguments, containerEnvironment } from './container-arguments.ts';
import { resolveLimits } from './limits.ts';

describe('buildContainerRunArguments', () => {
  const base = {
    name: 'shakedown-test',
    image: 'node:20-bookworm',
    workspaceDir: '/work/attempt-1',
    cwd: '/work/attempt-1/pkg',
    env: containerEnvironment({ FOO: 'bar' }),
    interactive: false,
    command: 'npm test',
    user: { uid: 65534, gid: 65534 },
  };

  it('builds an isolated, limited, throw-away container run', () => {
    const limits = resolveLimits({
      processes: 64,
      memoryBytes: 1024 ** 3,
      cpuSeconds: 30,
      fileSizeBytes: 4096,
    });
    const argv = buildContainerRunArguments({ ...base, limits });
    const joined = argv.join(' ');
    expect(argv.slice(0, 5)).toEqual(['run', '--rm', '--name', 'shakedown-test', '--init']);
    expect(joined).toContain('--network none');
    expect(joined).toContain('--read-only');
    expect(joined).toContain(`--tmpfs /tmp:rw,exec,nosuid,mode=1777,size=${limits.diskBytes}`);
    expect(joined).toContain('--user 65534:65534');
    expect(argv).not.toContain('--userns');
    expect(argv).not.toContain('--privileged');
    expect(joined).not.toMatch(/--volume \/etc|--volume \/opt|--volume \/root/);
    expect(joined).toContain('--volume /work/attempt-1:/work/attempt-1:rw');
    expect(joined).toContain('--workdir /work/attempt-1/pkg');
    expect(joined).toContain('--pids-limit 64');
    expect(joined).toContain(`--memory ${1024 ** 3} --memory-swap ${1024 ** 3}`);
    expect(joined).toContain('--ulimit cpu=30:30 --ulimit fsize=4096:4096');
    expect(joined).toContain('--cap-drop ALL --security-opt no-new-privileges');
    expect(argv).toContain('FOO=bar');
    expect(argv).toContain('TERM=dumb');
    expect(argv).not.toContain('--interactive');
    expect(argv.slice(-6)).toEqual([
      'node:20-bookworm',
      'bash',
      '-c',
      'mkdir -p "$HOME"; exec bash -c "$1"',
      'shakedown-sandbox',
      'npm test',
    ]);
  });

  it('enables the network and stdin only when asked', () => {
    const argv = buildContainerRunArguments({
      ...base,
      interactive: true,
      limits: resolveLimits({ network: true }),
    });
    expect(argv).toContain('--interactive');
    expect(argv.join(' ')).toContain('--network bridge');
  });

  it('runs rootless podman with the same id inside and out', () => {
    const argv = buildContainerRunArguments({
      ...base,
      user: { uid: 1000, gid: 1000 },
      userns: 'keep-id',
      limits: resolveLimits({}),
    });
    expect(argv.join(' ')).toContain('--user 1000:1000 --userns keep-id');
  });

  it('never copies the host environment', () => {
    process.env.SHAKEDOWN_TEST_TOKEN = 'host-token';
    try {
      expect(JSON.stringify(containerEnvironment())).not.toContain('host-token');
    } finally {
      delete process.env.SHAKEDOWN_TEST_TOKEN;
    }
  });
});
