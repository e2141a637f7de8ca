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
}

/** HOME inside containers: on the container's private /tmp tmpfs. */
export const CONTAINER_HOME = '/tmp/home';

/**
 * `run` arguments (without the CLI binary): a throw-away container with no network, a read-only root, a
 * private /tmp, the workspace at its host path as the only writable mount, no capabilities, and pids,
 * memory, CPU-time and file-size limits. The environment is set explicitly, never inherited.
 */
export function buildContainerRunArguments(input: ContainerRunCommand): string[] {
  const { limits } = input;
  const argv = ['run', '--rm', '--name', input.name, '--init'];
  if (input.interactive) argv.push('--interactive');
  argv.push(
    '--network',
    limits.network ? 'bridge' : 'none',
    '--read-only',
    '--tmpfs',
    '/tmp:rw,exec,nosuid,mode=1777',
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
