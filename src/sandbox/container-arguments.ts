import { buildSandboxEnvironment } from './sandbox-environment.ts';
import type { SandboxLimits } from './types.ts';

/** Everything needed to build one `docker run` / `podman run` command line. */
export interface ContainerRunCommand {
  /** Unique container name, so a timed-out command can be killed by name. */
  name: string;
  image: string;
  /** Absolute host path of the workspace; mounted read-write at the same path. */
  workspaceDir: string;
  /** Absolute working directory inside the workspace. */
  cwd: string;
  limits: SandboxLimits;
  env: Record<string, string>;
  /** Keep stdin open (the command reads input). */
  interactive: boolean;
  command: string;
  /** Host uid/gid the command runs as (never root: see ContainerSandbox). */
  user: { uid: number; gid: number };
  /** podman `--userns` mode (`keep-id` for rootless podman, so `user` is the same id inside and out). */
  userns?: string;
}

/** HOME inside containers: on the container's private /tmp tmpfs. */
export const CONTAINER_HOME = '/tmp/home';

/**
 * `run` arguments (without the CLI binary): a throw-away container running as an unprivileged user with no
 * network, a read-only root (the image's own /etc, nothing of the host's), a private size-limited /tmp, the
 * workspace at its host path as the only writable mount, no capabilities, no privilege gain, and pids, memory
 * (swap included, so the kernel OOM-kills beyond it), CPU-time and file-size limits. The environment is set
 * explicitly, never inherited. (`--storage-opt size=` is not used: it bounds only the container's writable layer,
 * which `--read-only` already makes empty, and fails outright on most storage drivers; the workspace's disk
 * quota is watched by ContainerSandbox.)
 */
export function buildContainerRunArguments(input: ContainerRunCommand): string[] {
  const { limits } = input;
  const argv = ['run', '--rm', '--name', input.name, '--init'];
  if (input.interactive) argv.push('--interactive');
  argv.push('--user', `${input.user.uid}:${input.user.gid}`);
  if (input.userns) argv.push('--userns', input.userns);
  argv.push(
    '--network',
    limits.network ? 'bridge' : 'none',
    '--read-only',
    '--tmpfs',
    `/tmp:rw,exec,nosuid,mode=1777,size=${Math.floor(limits.diskBytes)}`,
    '--volume',
    `${input.workspaceDir}:${input.workspaceDir}:rw`,
    '--workdir',
    input.cwd,
    '--pids-limit',
    String(Math.floor(limits.processes)),
    '--memory',
    String(Math.floor(limits.memoryBytes)),
    '--memory-swap',
    String(Math.floor(limits.memoryBytes)),
    '--ulimit',
    `cpu=${Math.ceil(limits.cpuSeconds)}:${Math.ceil(limits.cpuSeconds)}`,
    '--ulimit',
    `fsize=${Math.floor(limits.fileSizeBytes)}:${Math.floor(limits.fileSizeBytes)}`,
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
  );
  for (const [name, value] of Object.entries(input.env)) argv.push('--env', `${name}=${value}`);
  argv.push(
    input.image,
    'bash',
    '-c',
    'mkdir -p "$HOME"; exec bash -c "$1"',
    'shakedown-sandbox',
    input.command,
  );
  return argv;
}

/** The environment of a containerised command: the image's own PATH conventions, nothing of the host. */
export function containerEnvironment(
  ...overrides: Array<Record<string, string> | undefined>
): Record<string, string> {
  return buildSandboxEnvironment(CONTAINER_HOME, { pathEntries: [], env: {} }, ...overrides);
}
