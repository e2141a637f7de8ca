import { statSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { findExecutable } from './find-executable.ts';
import { runHostCommand } from './host-command.ts';
import { SANDBOX_USER } from './minimal-etc.ts';
import { referenceHandles } from './reference-handles.ts';
import { isOwnedBySandboxUser } from './sandbox-owned-directories.ts';
import { spawnOffThread } from './spawn-off-thread.ts';

/**
 * Host uid and gid a sandbox runs as when shakedown itself runs as root: `nobody`. bwrap then creates its
 * user namespace unprivileged, mapping the sandbox user (SANDBOX_USER, uid 1000 inside) to this id, so a
 * sandboxed process is never host root: files it creates belong to nobody, and host files owned by root are
 * out of its reach even where a mount would let it.
 */
export const SANDBOX_HOST_ID = 65_534;

/** A host path bound (in a private mount namespace) at a staging path the unprivileged bwrap can reach. */
export interface StagedMount {
  source: string;
  staged: string;
}

/** The tools that drop to the unprivileged host user, when present. */
function tools(): { unshare: string; setpriv: string; mount: string; nsenter: string } | undefined {
  const unshare = findExecutable('unshare');
  const setpriv = findExecutable('setpriv');
  const mount = findExecutable('mount');
  const nsenter = findExecutable('nsenter');
  return unshare && setpriv && mount && nsenter ? { unshare, setpriv, mount, nsenter } : undefined;
}

/** A private mount namespace holding staged mounts, kept by a process of its own for a sandbox's life. */
export interface StagingNamespace {
  /**
   * argv prefix (run as root) that enters the namespace, drops to SANDBOX_HOST_ID with no supplementary groups
   * and execs the rest (bwrap): one exec, no shell.
   */
  readonly prefix: string[];
  /** Ends the namespace's process (the namespace and its mounts go with it). */
  stop(): void;
}

/**
 * Binds every `mounts` source at its staging path in a new private mount namespace (invisible to the host) held
 * by one waiting process, once per sandbox instead of once per command. The process ends with `stop()`, or when
 * shakedown dies (its stdin closes).
 */
export async function startStagingNamespace(mounts: readonly StagedMount[]): Promise<StagingNamespace> {
  const found = tools();
  if (!found) throw new Error('unshare, nsenter and mount (util-linux) are needed to drop root');
  const holder = await spawnOffThread(
    found.unshare,
    [
      '--mount',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      '-c',
      `while [ "$1" != -- ]; do ${found.mount} --bind "$1" "$2" || exit 125; shift 2; done; echo ready; exec cat`,
      'shakedown-mounts',
      ...mounts.flatMap((mount) => [mount.source, mount.staged]),
      '--',
    ],
    { pipes: 3, env: { PATH: '/usr/bin:/bin' } },
  );
  let stderr = '';
  holder.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  holder.stdin?.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    holder.stdout?.once('data', () => resolve());
    holder.once('error', reject);
    holder.once('exit', (code) =>
      reject(new Error(`could not stage the sandbox mounts (exit ${code}): ${stderr.trim()}`)),
    );
  });
  referenceHandles([holder, holder.stdin, holder.stdout, holder.stderr], false);
  return {
    prefix: [
      found.nsenter,
      `--target=${holder.pid}`,
      '--mount',
      `--setuid=${SANDBOX_HOST_ID}`,
      `--setgid=${SANDBOX_HOST_ID}`,
      '--',
    ],
    stop: () => {
      holder.kill('SIGKILL');
    },
  };
}

/**
 * argv prefix (run as root) that, in a private mount namespace of its own (invisible to the host), binds every
 * `mounts` source at its staging path, then drops to SANDBOX_HOST_ID with no supplementary groups and execs the
 * rest (bwrap). The staging binds let the unprivileged bwrap reach a workspace or toolchain under a directory
 * only root may enter (e.g. /root).
 */
export function hostUserPrefix(mounts: readonly StagedMount[]): string[] {
  const found = tools();
  if (!found) throw new Error('unshare, setpriv and mount (util-linux) are needed to drop root');
  const drop = [
    found.setpriv,
    `--reuid=${SANDBOX_HOST_ID}`,
    `--regid=${SANDBOX_HOST_ID}`,
    '--clear-groups',
    '--',
  ];
  if (mounts.length === 0) return drop;
  return [
    found.unshare,
    '--mount',
    '--propagation',
    'private',
    '--',
    '/bin/sh',
    '-c',
    `while [ "$1" != -- ]; do ${found.mount} --bind "$1" "$2" || exit 125; shift 2; done; shift; exec "$@"`,
    'shakedown-mounts',
    ...mounts.flatMap((mount) => [mount.source, mount.staged]),
    '--',
    ...drop,
  ];
}

/**
 * Whether SANDBOX_HOST_ID can reach `directory` (every directory from / down to it searchable by others), so it
 * can be bound without staging.
 */
export function reachableByOthers(directory: string): boolean {
  for (let current = path.resolve(directory); ; current = path.dirname(current)) {
    try {
      if ((statSync(current).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (current === path.dirname(current)) return true;
  }
}

let probe: Promise<string | undefined> | undefined;

/**
 * Whether this root process can run bwrap as SANDBOX_HOST_ID (util-linux present, unprivileged user
 * namespaces allowed): undefined when it can, else why not. Probed once per process.
 */
export function probeHostUserDrop(bwrapPath: string): Promise<string | undefined> {
  probe ??= (async () => {
    if (!tools()) return 'unshare, nsenter, setpriv or mount (util-linux) is missing';
    const result = await execa(
      hostUserPrefix([])[0]!,
      [
        ...hostUserPrefix([]).slice(1),
        bwrapPath,
        '--unshare-all',
        '--unshare-user',
        '--uid',
        String(SANDBOX_USER.uid),
        '--gid',
        String(SANDBOX_USER.gid),
        '--ro-bind',
        '/',
        '/',
        '--',
        '/bin/true',
      ],
      { reject: false, timeout: 30_000, env: { PATH: '/usr/bin:/bin' }, extendEnv: false },
    );
    if (result.exitCode === 0) return undefined;
    return `bwrap cannot create a user namespace as an unprivileged user (${String(result.stderr).trim() || `exit ${result.exitCode}`})`;
  })();
  return probe;
}

/**
 * Gives `directory` (a workspace, or a directory shared with the sandbox) to SANDBOX_HOST_ID, recursively, links
 * themselves not followed, so the unprivileged sandbox can use it. Only when shakedown runs as root (otherwise the
 * sandbox runs as the current user, who owns it already); files root puts there later must be handed over too
 * (the file tools do it).
 */
export async function handOverToSandboxUser(directory: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  // workspace-overlay: an overlay workspace is the sandbox user's already (a chown -R would copy up every file).
  if (isOwnedBySandboxUser(directory)) return;
  const result = await runHostCommand('chown', [
    '-R',
    '-h',
    `${SANDBOX_HOST_ID}:${SANDBOX_HOST_ID}`,
    '--',
    directory,
  ]);
  if (result.exitCode !== 0) {
    throw new Error(`could not give the workspace to the sandbox user: ${result.stderr.trim()}`);
  }
}
