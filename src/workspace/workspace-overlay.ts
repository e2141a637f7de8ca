import { randomBytes } from 'node:crypto';
import {
  chmod,
  chown,
  mkdir,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  rmdir,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import {
  forgetOwnedBySandboxUser,
  handOverToSandboxUser,
  isProcessAlive,
  rememberOwnedBySandboxUser,
  runHostCommand,
  SANDBOX_HOST_ID,
} from '../sandbox/index.ts';
import { copyDirectory } from './copy-directory.ts';
import { pathExists } from './path-kind.ts';
import type { WorkspaceTemplate } from './workspace-template.ts';

/**
 * Copy-on-write workspaces: an overlayfs whose lower layer is the task's cached template (read-only, never
 * written) and whose upper and work folders are a small per-attempt folder under `<cacheDir>/workspace-overlays/`.
 * Set-up is a mkdir and one mount; removal is one unmount and the removal of what the attempt wrote.
 *
 * The overlay is mounted in the host's own mount namespace, at the workspace's path, so that everything sees the
 * merged view at the same path: commands in the sandbox (bwrap binds that path, directly or through its staging
 * namespace, which copies the host's mounts), the agent's host-side file tools, the final diff and grading. That
 * needs root. Mounting it in a private namespace instead and handing host tools `/proc/<pid>/root/<path>` does
 * not work: realpath(3) resolves `/proc/<pid>/root` to the host's `/`, so WorkspaceRoot, createSandbox and git
 * would silently use the host's empty mount point (checked on Linux 6.18). Without root (or where the mount fails:
 * a container without CAP_SYS_ADMIN, an upper filesystem overlayfs refuses) workspaces are copies as before, with
 * a one-line note of why.
 *
 * The lower layer is handed to the sandbox user once per template (as root, every workspace used to be chowned
 * whole); the upper root too, so the merged workspace belongs to the sandbox user without copying anything up. The
 * folders holding the layers are root's alone (0700): the sandbox user reaches them only through the overlay.
 * `redirect_dir=on` lets directories of the lower layer be renamed (otherwise rename(2) says EXDEV).
 */
export interface OverlayWorkspace {
  /** The merged view (the workspace path). */
  dir: string;
  /** Unmounts the overlay and removes what the attempt wrote, and the (empty) mount point. */
  remove(): Promise<void>;
  /** Turns the workspace into a plain directory at the same path (a copy of the merged view), for keeping. */
  materialize(): Promise<void>;
}

const stateDirectoryName = 'workspace-overlays';
const ownedMarkerName = 'sandbox-owned';
/** Per cache directory: undefined when overlays work there, else why not. */
const probes = new Map<string, Promise<string | undefined>>();
/** Templates handed to the sandbox user by this process (or found so). */
const handedOver = new Map<string, Promise<void>>();

/**
 * Whether overlay workspaces can be made under `cacheDir`: undefined when they can, else a one-line reason.
 * Probed once per process and cache directory (one tiny overlay mounted and unmounted).
 */
export function overlayUnavailableReason(cacheDir: string): Promise<string | undefined> {
  const resolved = path.resolve(cacheDir);
  let probe = probes.get(resolved);
  if (!probe) {
    probe = probeOverlay(resolved);
    probes.set(resolved, probe);
  }
  return probe;
}

async function probeOverlay(cacheDir: string): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'overlay workspaces need Linux';
  if (process.getuid?.() !== 0) {
    return 'overlay workspaces need root (the overlay is mounted at the workspace path on the host)';
  }
  const probeDir = path.join(cacheDir, stateDirectoryName, `probe-${process.pid}-${randomHex()}`);
  try {
    await Promise.all(
      ['lower', 'upper', 'work', 'merged'].map((name) =>
        mkdir(path.join(probeDir, name), { recursive: true }),
      ),
    );
    await writeFile(path.join(probeDir, 'lower', 'file'), 'lower\n');
    const failure = await mountOverlay(probeDir, 'lower', 'upper', 'work', path.join(probeDir, 'merged'));
    if (failure) return `mounting an overlay failed (${failure})`;
    try {
      await writeFile(path.join(probeDir, 'merged', 'file'), 'upper\n', { flag: 'a' });
    } finally {
      await unmount(path.join(probeDir, 'merged'));
    }
    if ((await readFile(path.join(probeDir, 'lower', 'file'), 'utf8')) !== 'lower\n') {
      return 'an overlay wrote through to its lower layer';
    }
    return undefined;
  } catch (error) {
    return `an overlay could not be tried (${(error as Error).message})`;
  } finally {
    await rm(probeDir, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * Mounts a copy-on-write workspace of `template` (cached under `cacheDir`) at `destination` (absent or an empty
 * directory). Call {@link overlayUnavailableReason} first. Stale overlays of dead processes under the same cache
 * directory are cleaned first.
 */
export async function mountOverlayWorkspace(
  template: WorkspaceTemplate,
  cacheDir: string,
  destination: string,
): Promise<OverlayWorkspace> {
  const cache = path.resolve(cacheDir);
  const lower = path.relative(cache, template.dir);
  if (lower.startsWith('..') || path.isAbsolute(lower) || /[,:\\]/.test(lower)) {
    throw new Error(`template ${template.dir} is not a plain path under ${cache}`);
  }
  await cleanStaleOverlays(cache);
  await handTemplateToSandboxUser(template);
  const id = `${process.pid}-${randomHex()}`;
  const stateDir = path.join(cache, stateDirectoryName, id);
  const upper = path.join(stateDir, 'upper');
  await mkdir(path.join(cache, stateDirectoryName), { recursive: true });
  // Only root (the overlay looks layers up with the mounter's credentials) reaches the layers by their own paths.
  await mkdir(stateDir, { mode: 0o700 });
  await mkdir(upper);
  await mkdir(path.join(stateDir, 'work'));
  await chown(upper, SANDBOX_HOST_ID, SANDBOX_HOST_ID);
  await writeFile(path.join(stateDir, 'mountpoint'), destination);
  await mkdir(destination, { recursive: true });
  const relative = (name: string) => path.join(stateDirectoryName, id, name);
  const failure = await mountOverlay(cache, lower, relative('upper'), relative('work'), destination);
  if (failure) {
    await rm(stateDir, { recursive: true, force: true });
    throw new Error(`could not mount the workspace overlay at ${destination}: ${failure}`);
  }
  const real = await realpath(destination);
  rememberOwnedBySandboxUser(real);
  let removed = false;
  const remove = async () => {
    if (removed) return;
    forgetOwnedBySandboxUser(real);
    await unmount(destination);
    removed = true;
    await rm(stateDir, { recursive: true, force: true });
    await rmdir(destination).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  };
  return {
    dir: destination,
    remove,
    async materialize() {
      const copy = `${destination}.kept-${randomHex()}`;
      await copyDirectory(destination, copy);
      await remove();
      await rename(copy, destination);
    },
  };
}

/**
 * Removes a workspace directory left by an earlier try or process: unmounts an overlay mounted there first (a
 * plain `rm -rf` would go through it and then fail on the busy mount point), then removes the directory.
 */
export async function removeWorkspaceDirectory(directory: string): Promise<void> {
  const resolved = path.resolve(directory);
  if ((await overlayMounts()).some((mount) => mount.mountPoint === resolved)) await unmount(resolved);
  await rm(resolved, { recursive: true, force: true });
}

/**
 * Unmounts overlays and removes upper folders left by processes that are gone (crashed mid-attempt). Runs before
 * every mount: a directory listing, and the mount table only when something is stale.
 */
async function cleanStaleOverlays(cacheDir: string): Promise<void> {
  const stateRoot = path.join(cacheDir, stateDirectoryName);
  const stale = (await readdir(stateRoot).catch(() => [] as string[])).filter((name) => {
    const owner = /^(?:probe-)?(\d+)-[0-9a-f]+$/.exec(name);
    return owner !== null && !isProcessAlive(Number(owner[1]));
  });
  if (stale.length === 0) return;
  const mounts = await overlayMounts();
  for (const name of stale) {
    const stateDir = path.join(stateRoot, name);
    const mountPoint = await readFile(path.join(stateDir, 'mountpoint'), 'utf8').catch(() => undefined);
    const upperOption = `upperdir=${path.join(stateDirectoryName, name, 'upper')}`;
    for (const mount of mounts) {
      if (mount.options.split(',').includes(upperOption)) await unmount(mount.mountPoint).catch(() => {});
    }
    await rm(stateDir, { recursive: true, force: true });
    if (mountPoint) await rmdir(mountPoint).catch(() => {});
  }
}

/** Gives the template to the sandbox user once (a marker next to it records that it was done completely). */
function handTemplateToSandboxUser(template: WorkspaceTemplate): Promise<void> {
  let done = handedOver.get(template.dir);
  if (!done) {
    done = (async () => {
      const marker = path.join(path.dirname(template.dir), ownedMarkerName);
      if (await pathExists(marker)) return;
      // The sandbox user reaches the template only through overlays: no process of it may change a lower layer.
      await chmod(path.dirname(template.dir), 0o700);
      await handOverToSandboxUser(template.dir);
      await writeFile(marker, `${SANDBOX_HOST_ID}\n`);
    })();
    handedOver.set(template.dir, done);
    done.catch(() => handedOver.delete(template.dir));
  }
  return done;
}

/** Mounts an overlay; paths are relative to `cwd` (no escaping of `,` or `:` needed). Undefined or why not. */
async function mountOverlay(
  cwd: string,
  lower: string,
  upper: string,
  work: string,
  mountPoint: string,
): Promise<string | undefined> {
  const result = await runHostCommand(
    'mount',
    [
      '-n',
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${lower},upperdir=${upper},workdir=${work},redirect_dir=on`,
      mountPoint,
    ],
    { cwd, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, extendEnv: false },
  );
  if (result.exitCode === 0) return undefined;
  return result.stderr.trim() || `mount exited with ${result.exitCode ?? result.signal}`;
}

/** Unmounts `mountPoint`; a busy mount (a process still inside) is detached lazily instead. */
async function unmount(mountPoint: string): Promise<void> {
  const options = { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, extendEnv: false };
  const result = await runHostCommand('umount', ['-n', mountPoint], options);
  if (result.exitCode === 0) return;
  if (!(await overlayMounts()).some((mount) => mount.mountPoint === path.resolve(mountPoint))) return;
  const lazy = await runHostCommand('umount', ['-n', '--lazy', mountPoint], options);
  if (lazy.exitCode !== 0) {
    throw new Error(`could not unmount the workspace overlay at ${mountPoint}: ${lazy.stderr.trim()}`);
  }
}

/** Overlay mounts of this mount namespace: mount point (unescaped) and super options. */
async function overlayMounts(): Promise<{ mountPoint: string; options: string }[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const mounts: { mountPoint: string; options: string }[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const [type, , superOptions = ''] = right.split(' ');
    if (type !== 'overlay') continue;
    const mountPoint = left.split(' ')[4];
    if (mountPoint) mounts.push({ mountPoint: unescapeMountInfo(mountPoint), options: superOptions });
  }
  return mounts;
}

/** mountinfo writes space, tab, newline and backslash as `\ooo`. */
function unescapeMountInfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

function randomHex(): string {
  return randomBytes(6).toString('hex');
}
