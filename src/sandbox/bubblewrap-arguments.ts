import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { ulimitScript } from './limits.ts';
import { SANDBOX_HOME } from './sandbox-environment.ts';
import { SYSTEM_DIRECTORIES } from './toolchain-paths.ts';
import type { SandboxLimits } from './types.ts';

/** Host files hidden inside the sandbox even though their directory is exposed. */
const MASKED_FILES = ['/etc/shadow', '/etc/gshadow', '/etc/shadow-', '/etc/gshadow-'];
const MASKED_DIRECTORIES = ['/etc/ssl/private'];

/** Everything needed to build one bwrap command line. */
export interface BubblewrapCommand {
  /** Absolute, real host path of the workspace; mounted read-write at the same path. */
  workspaceDir: string;
  /** Absolute working directory (inside the workspace). */
  cwd: string;
  limits: SandboxLimits;
  /** RLIMIT_AS in bytes; undefined when a memory cgroup enforces limits.memoryBytes (see ulimitScript). */
  addressSpaceBytes?: number;
  /** Extra host paths bound read-only at the same path. */
  readOnlyPaths: readonly string[];
  /** The complete environment of the command. */
  env: Record<string, string>;
  command: string;
}

/** `--ro-bind` for a directory, `--symlink` for a merged-/usr style symlink such as /bin -> usr/bin. */
function systemMount(directory: string): string[] {
  let stats: ReturnType<typeof lstatSync>;
  try {
    stats = lstatSync(directory);
  } catch {
    return [];
  }
  if (stats.isSymbolicLink()) return ['--symlink', readlinkSync(directory), directory];
  if (stats.isDirectory()) return ['--ro-bind', directory, directory];
  return [];
}

/**
 * bwrap arguments (without the bwrap binary itself) running `command` with: every namespace unshared
 * (no network but loopback unless limits.network), all capabilities dropped, a read-only system, a
 * private /tmp, /proc and /dev, and the workspace as the only writable host directory, bound at its
 * SAME absolute path so paths in compiler errors and test tracebacks match the host's.
 */
export function buildBubblewrapArguments(input: BubblewrapCommand): string[] {
  const argv = ['--unshare-all'];
  if (input.limits.network) {
    argv.push('--share-net');
  }
  argv.push('--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--clearenv');
  for (const [name, value] of Object.entries(input.env)) argv.push('--setenv', name, value);

  for (const directory of SYSTEM_DIRECTORIES) argv.push(...systemMount(directory));
  if (input.limits.network) argv.push('--ro-bind-try', '/run/systemd/resolve', '/run/systemd/resolve');
  for (const file of MASKED_FILES) if (existsSync(file)) argv.push('--ro-bind', '/dev/null', file);
  for (const directory of MASKED_DIRECTORIES) if (existsSync(directory)) argv.push('--tmpfs', directory);

  argv.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--dir', SANDBOX_HOME);
  for (const readOnlyPath of input.readOnlyPaths) argv.push('--ro-bind', readOnlyPath, readOnlyPath);
  argv.push('--bind', input.workspaceDir, input.workspaceDir, '--chdir', input.cwd);

  argv.push(
    '--',
    '/bin/bash',
    '-c',
    `${ulimitScript(input.limits, input.addressSpaceBytes)}; exec /bin/bash -c "$1"`,
    'shakedown-sandbox',
    input.command,
  );
  return argv;
}
