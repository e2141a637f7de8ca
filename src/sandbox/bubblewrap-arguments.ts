import { lstatSync, readlinkSync } from 'node:fs';
import { minimalEtcArguments, SANDBOX_LIMITS_FILE, SANDBOX_USER } from './minimal-etc.ts';
import { SANDBOX_HOME } from './sandbox-environment.ts';
import { SYSTEM_DIRECTORIES } from './toolchain-paths.ts';
import type { SandboxLimits } from './types.ts';

/** Everything needed to build one bwrap command line. */
export interface BubblewrapCommand {
  /** Absolute, real host path of the workspace; mounted read-write at the same path. */
  workspaceDir: string;
  /** Absolute working directory (inside the workspace). */
  cwd: string;
  limits: SandboxLimits;
  /** Extra host paths bound read-only at the same path. */
  readOnlyPaths: readonly string[];
  /** The complete environment of the command. */
  env: Record<string, string>;
  command: string;
  /**
   * Generated /etc/passwd and /etc/group (see minimal-etc.ts) and the script setting the command's rlimits
   * (see limitsScript), which bash runs before the command through BASH_ENV.
   */
  etcFiles: { passwd: string; group: string; limits: string; execServer?: string };
  /**
   * fds of a started bwrap: `info` receives its JSON (the sandbox's host pid), and bwrap waits for a byte on
   * `block` before it starts the command, so the caller can move the sandbox into its cgroups first.
   */
  startFds?: { info: number; block: number };
  /**
   * Where to bind the workspace and read-only paths FROM (host path -> staging path) when bwrap runs as an
   * unprivileged host user that cannot reach the originals (see host-user.ts); absent entries bind directly.
   */
  staged?: Readonly<Record<string, string>>;
  /** Options this bwrap knows (see bubblewrapFeatures); newer ones are left out on older versions. */
  features?: BubblewrapFeatures;
  /** What the sandbox runs instead of `bash -c command` (the exec server of a sandbox session). */
  program?: readonly string[];
}

/** Options of newer bwrap versions: `--disable-userns` (0.8) and `--size` for a tmpfs (0.6?). */
export interface BubblewrapFeatures {
  disableUserns: boolean;
  tmpfsSize: boolean;
}

/** Which newer options `bwrap --help` lists. */
export function bubblewrapFeatures(helpText: string): BubblewrapFeatures {
  return { disableUserns: helpText.includes('--disable-userns'), tmpfsSize: helpText.includes('--size') };
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
 * bwrap arguments (without the bwrap binary itself) running `command` as the unprivileged SANDBOX_USER
 * (uid 1000 in its own user namespace, which may not create further ones) with: every namespace unshared
 * (no network but loopback unless limits.network), all capabilities dropped, a read-only system, a minimal
 * read-only /etc (minimal-etc.ts), a private size-limited /tmp, /proc and /dev, and the workspace as the
 * only writable host directory, bound at its SAME absolute path so paths in compiler errors and test
 * tracebacks match the host's.
 */
export function buildBubblewrapArguments(input: BubblewrapCommand): string[] {
  const argv = [
    '--unshare-all',
    '--unshare-user',
    '--uid',
    String(SANDBOX_USER.uid),
    '--gid',
    String(SANDBOX_USER.gid),
  ];
  // No user namespaces inside: nothing in the sandbox can map itself new ids or capabilities.
  if (input.features?.disableUserns ?? true) argv.push('--disable-userns');
  if (input.limits.network) {
    argv.push('--share-net');
  }
  const source = (hostPath: string) => input.staged?.[hostPath] ?? hostPath;
  argv.push('--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--clearenv');
  if (input.startFds) {
    argv.push('--info-fd', String(input.startFds.info), '--block-fd', String(input.startFds.block));
  }
  for (const [name, value] of Object.entries(input.env)) argv.push('--setenv', name, value);
  // One bash: it runs the limits script first (which unsets BASH_ENV again), then the command.
  argv.push('--setenv', 'BASH_ENV', SANDBOX_LIMITS_FILE);

  for (const directory of SYSTEM_DIRECTORIES) argv.push(...systemMount(directory));
  if (input.limits.network) argv.push('--ro-bind-try', '/run/systemd/resolve', '/run/systemd/resolve');
  argv.push(...minimalEtcArguments(input.etcFiles, input.limits.network));

  // /tmp (and HOME on it) is bounded like the workspace: a full tmpfs says ENOSPC instead of eating memory.
  argv.push('--proc', '/proc', '--dev', '/dev');
  if (input.features?.tmpfsSize ?? true) argv.push('--size', String(Math.floor(input.limits.diskBytes)));
  argv.push('--tmpfs', '/tmp', '--dir', SANDBOX_HOME);
  for (const readOnlyPath of input.readOnlyPaths) argv.push('--ro-bind', source(readOnlyPath), readOnlyPath);
  argv.push('--bind', source(input.workspaceDir), input.workspaceDir, '--chdir', input.cwd);

  argv.push('--', ...(input.program ?? ['/bin/bash', '-c', input.command]));
  return argv;
}
