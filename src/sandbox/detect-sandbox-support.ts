import { readFileSync } from 'node:fs';
import { findExecutable } from './find-executable.ts';
import { runProcess } from './run-process.ts';
import { SYSTEM_DIRECTORIES } from './toolchain-paths.ts';
import type { SandboxSupport } from './types.ts';

const PROBE_TIMEOUT_MS = 15_000;
const cache = new Map<SandboxSupport['backend'], Promise<SandboxSupport>>();

function readSysctl(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function hostPathEnvironment(): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
}

/** Explains a failed bwrap namespace probe from its stderr and the kernel's user-namespace switches. */
export function explainBubblewrapFailure(stderr: string): Pick<SandboxSupport, 'reason' | 'fix'> {
  const message = stderr.trim().split('\n').pop() ?? '';
  const reason = `bubblewrap cannot create its namespaces: ${message || 'unknown error'}`;
  const fixes: string[] = [];
  if (readSysctl('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1') {
    fixes.push(
      'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (AppArmor blocks user namespaces)',
    );
  }
  if (readSysctl('/proc/sys/kernel/unprivileged_userns_clone') === '0') {
    fixes.push('sudo sysctl -w kernel.unprivileged_userns_clone=1');
  }
  if (readSysctl('/proc/sys/user/max_user_namespaces') === '0') {
    fixes.push('sudo sysctl -w user.max_user_namespaces=15000');
  }
  if (fixes.length === 0) {
    fixes.push(
      'inside a container, run it with --privileged or --security-opt seccomp=unconfined --security-opt apparmor=unconfined',
    );
  }
  fixes.push('or use --sandbox docker');
  return { reason, fix: fixes.join('; ') };
}

async function detectBubblewrap(): Promise<SandboxSupport> {
  const bwrap = findExecutable('bwrap');
  if (!bwrap) {
    return {
      backend: 'bubblewrap',
      available: false,
      reason: 'bubblewrap (bwrap) is not installed',
      fix: 'sudo apt-get install bubblewrap (dnf install bubblewrap, pacman -S bubblewrap); or use --sandbox docker',
    };
  }
  const mounts = SYSTEM_DIRECTORIES.filter((directory) => directory !== '/etc').flatMap((directory) => [
    '--ro-bind-try',
    directory,
    directory,
  ]);
  const probe = await runProcess(
    [
      bwrap,
      '--unshare-all',
      // Commands run in a user namespace of their own (never as host root): probe for it, not just -try.
      '--unshare-user',
      '--die-with-parent',
      '--new-session',
      ...mounts,
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--',
      'true',
    ],
    { env: hostPathEnvironment(), timeoutMs: PROBE_TIMEOUT_MS },
  );
  if (probe.exitCode === 0) return { backend: 'bubblewrap', available: true };
  return { backend: 'bubblewrap', available: false, ...explainBubblewrapFailure(probe.stderr) };
}

/** Environment the docker/podman CLI needs to find its engine (and nothing else of the host). */
export function containerCliEnvironment(): Record<string, string> {
  const environment = hostPathEnvironment();
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(DOCKER_|CONTAINER_|XDG_RUNTIME_DIR$|HOME$)/.test(name)) environment[name] = value;
  }
  return environment;
}

async function detectContainerEngine(backend: 'docker' | 'podman'): Promise<SandboxSupport> {
  const cli = findExecutable(backend);
  if (!cli) {
    return {
      backend,
      available: false,
      reason: `${backend} is not installed`,
      fix: `install ${backend} (https://docs.docker.com/engine/install/ or apt-get install podman); or use --sandbox bubblewrap`,
    };
  }
  const info = await runProcess([cli, 'info', '--format', '{{.ServerVersion}}'], {
    env: containerCliEnvironment(),
    timeoutMs: PROBE_TIMEOUT_MS,
  });
  if (info.exitCode === 0 && !info.timedOut) return { backend, available: true };
  const detail = (info.stderr || info.stdout).trim().split('\n').filter(Boolean).pop() ?? 'no answer';
  return {
    backend,
    available: false,
    reason: `the ${backend} CLI is installed but no engine answers: ${info.timedOut ? 'timed out' : detail}`,
    fix:
      backend === 'docker'
        ? 'start the engine (sudo systemctl start docker), make sure your user may use it (docker group or DOCKER_HOST); or use --sandbox bubblewrap'
        : 'check `podman info` (rootless podman needs subuid/subgid entries: usermod --add-subuids 100000-165535 $USER); or use --sandbox bubblewrap',
  };
}

/**
 * Checks whether a backend can really isolate commands on this host (for bubblewrap: the binary exists and
 * can create its namespaces; for docker/podman: an engine answers). Cached per process.
 */
export function detectSandboxSupport(
  backend: SandboxSupport['backend'] = 'bubblewrap',
): Promise<SandboxSupport> {
  let result = cache.get(backend);
  if (!result) {
    result = backend === 'bubblewrap' ? detectBubblewrap() : detectContainerEngine(backend);
    cache.set(backend, result);
  }
  return result;
}
