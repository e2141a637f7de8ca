import { randomBytes } from 'node:crypto';
import { constants, type Dirent, existsSync, type Stats } from 'node:fs';
import {
  type FileHandle,
  lstat,
  mkdir,
  open,
  readdir,
  readlink,
  realpath,
  rename,
  unlink,
} from 'node:fs/promises';
import path from 'node:path';

/** Thrown when a path would leave the workspace; the message is meant for the model. */
export class WorkspacePathError extends Error {
  override name = 'WorkspacePathError';
}

/** What a directory entry is, never following a link. */
export type WorkspaceEntryKind = 'file' | 'directory' | 'symlink' | 'other';

/** One entry of a directory listing. */
export interface WorkspaceEntry {
  name: string;
  kind: WorkspaceEntryKind;
}

/** How symbolic links met on the way are treated. */
export type LinkPolicy = 'inside' | 'never';

/** Most symbolic links followed while resolving one path (the kernel's own limit). */
const maxLinkHops = 40;

/**
 * On Linux, `/proc/self/fd/N/name` looks `name` up in the directory open as fd N, whatever has happened to the
 * directory's path since: opens relative to a directory handle, like openat(2), which Node lacks.
 */
const procFd = process.platform === 'linux' && existsSync('/proc/self/fd');

const directoryFlags = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const readFlags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

function kindOf(stats: Stats | Dirent): WorkspaceEntryKind {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isDirectory()) return 'directory';
  if (stats.isFile()) return 'file';
  return 'other';
}

/** An open directory beneath the root and its segments relative to the root. */
interface OpenDirectory {
  handle: FileHandle | undefined;
  segments: string[];
}

/** A path resolved to its parent directory (open) and leaf name; `leaf` is undefined for the root itself. */
export interface ResolvedEntry {
  /** Path relative to the root after following links inside it, `.` for the root, always with `/`. */
  relative: string;
  /** Full host path (for messages; never used to open anything on Linux). */
  absolute: string;
}

/**
 * The workspace as a root no file operation can leave. Every path is split into components and opened one
 * component at a time relative to the directory opened before it, with O_NOFOLLOW: the kernel refuses to
 * follow a link the agent planted (leaf, dangling, or an intermediate directory), and a directory swapped for a
 * link between a check and a use makes the open fail instead of escaping. Links are followed only by this code,
 * lexically, and only when their target stays inside the workspace (an absolute target must point into the
 * workspace's own path); `..` is resolved lexically and may not climb above the root; reads never open FIFOs or
 * devices. Files and directories created here take the owner of the workspace root (when running as root), so a
 * sandbox running as an unprivileged user can still write them.
 *
 * Linux opens every component relative to the previous one's file descriptor (`/proc/self/fd/N/name`). Elsewhere
 * the same checks run on path strings, which leaves a window between check and use.
 */
export class WorkspaceRoot {
  private constructor(
    /** Real absolute path of the workspace. */
    readonly path: string,
    /** The path as given (may differ from `path` through links above the workspace). */
    private readonly givenPath: string,
    private readonly handle: FileHandle,
    private readonly owner: { uid: number; gid: number } | undefined,
  ) {}

  /** Opens the workspace root; close it with {@link close}. */
  static async open(workspaceDir: string): Promise<WorkspaceRoot> {
    const given = path.resolve(workspaceDir);
    const real = await realpath(given);
    const handle = await open(real, constants.O_RDONLY | constants.O_DIRECTORY);
    const stats = await handle.stat();
    const chownNeeded = process.getuid?.() === 0 && (stats.uid !== 0 || stats.gid !== 0);
    return new WorkspaceRoot(
      real,
      given,
      handle,
      chownNeeded ? { uid: stats.uid, gid: stats.gid } : undefined,
    );
  }

  /** Runs `action` with the workspace opened as a root, closing it afterwards. */
  static async with<T>(workspaceDir: string, action: (root: WorkspaceRoot) => Promise<T>): Promise<T> {
    const root = await WorkspaceRoot.open(workspaceDir);
    try {
      return await action(root);
    } finally {
      await root.close();
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  /**
   * The segments of `requested` relative to the root, `..` and `.` resolved lexically. An absolute path must lie
   * inside the workspace (its real or given path). Throws WorkspacePathError otherwise.
   */
  segmentsOf(requested: string): string[] {
    const cleaned = requested.trim() === '' ? '.' : requested.trim();
    let relative = cleaned;
    if (path.isAbsolute(cleaned)) {
      const inside = [this.path, this.givenPath]
        .map((base) => path.relative(base, path.resolve(cleaned)))
        .find((candidate) => !candidate.startsWith('..') && !path.isAbsolute(candidate));
      if (inside === undefined) {
        throw new WorkspacePathError(
          `Path "${requested}" is outside the workspace; use a path relative to the workspace root.`,
        );
      }
      relative = inside;
    }
    const segments = normalizeSegments([], relative.split('/'));
    if (segments === undefined) {
      throw new WorkspacePathError(
        `Path "${requested}" is outside the workspace; use a path relative to the workspace root.`,
      );
    }
    return segments;
  }

  /** `name` inside the open directory `directory`, as a path the kernel resolves relative to that directory. */
  private child(directory: OpenDirectory, name: string): string {
    const handle = directory.handle ?? this.handle;
    return procFd ? `/proc/self/fd/${handle.fd}/${name}` : path.join(this.path, ...directory.segments, name);
  }

  /** The path of an open directory itself, for readdir. */
  private self(directory: OpenDirectory): string {
    const handle = directory.handle ?? this.handle;
    return procFd ? `/proc/self/fd/${handle.fd}` : path.join(this.path, ...directory.segments);
  }

  private rootDirectory(): OpenDirectory {
    return { handle: undefined, segments: [] };
  }

  private entryOf(segments: string[]): ResolvedEntry {
    return {
      relative: segments.length === 0 ? '.' : segments.join('/'),
      absolute: path.join(this.path, ...segments),
    };
  }

  /** Replaces the link at `segments[0..index]` by its target, lexically; throws when it leaves the workspace. */
  private async spliceLink(
    directory: OpenDirectory,
    segments: string[],
    index: number,
    links: LinkPolicy,
  ): Promise<string[]> {
    const linkPath = segments.slice(0, index + 1).join('/');
    const target = await readlink(this.child(directory, segments[index]!));
    const refuse = (why: string) =>
      new WorkspacePathError(`"${linkPath}" is a symbolic link to ${target}; ${why}.`);
    if (links === 'never') throw refuse('this operation does not follow links');
    let base = segments.slice(0, index);
    let targetPath = target;
    if (path.isAbsolute(target)) {
      const inside = [this.path, this.givenPath]
        .map((root) => path.relative(root, path.resolve(target)))
        .find((candidate) => !candidate.startsWith('..') && !path.isAbsolute(candidate));
      if (inside === undefined)
        throw refuse('it points outside the workspace, which file tools never follow');
      base = [];
      targetPath = inside;
    }
    const spliced = normalizeSegments(base, [...targetPath.split('/'), ...segments.slice(index + 1)]);
    if (spliced === undefined) throw refuse('it points outside the workspace, which file tools never follow');
    return spliced;
  }

  /**
   * Opens every directory of `segments` but the last (all of them when `includeLeaf`), one at a time with
   * O_NOFOLLOW relative to the one before; links inside the workspace are followed by restarting from the root
   * with the link replaced by its target. `create` makes missing directories.
   */
  private async walk(
    requested: string[],
    options: { includeLeaf: boolean; followLeaf: boolean; create: boolean; links: LinkPolicy },
  ): Promise<{ directory: OpenDirectory; segments: string[] }> {
    let segments = requested;
    for (let hop = 0; hop <= maxLinkHops; hop++) {
      let directory = this.rootDirectory();
      const directoryCount = options.includeLeaf ? segments.length : segments.length - 1;
      let restart = false;
      try {
        for (let index = 0; index < directoryCount; index++) {
          const name = segments[index]!;
          const next = await this.openChildDirectory(directory, name, options.create);
          if (next === 'symlink') {
            segments = await this.spliceLink(directory, segments, index, options.links);
            restart = true;
            break;
          }
          await directory.handle?.close();
          directory = { handle: next, segments: segments.slice(0, index + 1) };
        }
        if (!restart && !options.includeLeaf && options.followLeaf && segments.length > 0) {
          const leaf = segments[segments.length - 1]!;
          const stats = await lstat(this.child(directory, leaf)).catch((error) => {
            if (codeOf(error) === 'ENOENT') return undefined;
            throw error;
          });
          if (stats?.isSymbolicLink()) {
            segments = await this.spliceLink(directory, segments, segments.length - 1, options.links);
            restart = true;
          }
        }
      } catch (error) {
        await directory.handle?.close();
        throw error;
      }
      if (!restart) return { directory, segments };
      await directory.handle?.close();
    }
    throw new WorkspacePathError(
      `Too many levels of symbolic links in "${requested.join('/')}" (more than ${maxLinkHops}).`,
    );
  }

  /** Opens directory `name` in `directory` without following a link; 'symlink' when it is one. */
  private async openChildDirectory(
    directory: OpenDirectory,
    name: string,
    create: boolean,
  ): Promise<FileHandle | 'symlink'> {
    const child = this.child(directory, name);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await open(child, directoryFlags);
      } catch (error) {
        const code = codeOf(error);
        if (code === 'ELOOP' || code === 'ENOTDIR') {
          const stats = await lstat(child);
          if (stats.isSymbolicLink()) return 'symlink';
          if (stats.isDirectory()) continue; // Swapped back in the meantime: try again.
          throw errno('ENOTDIR', `${[...directory.segments, name].join('/')} is not a directory`);
        }
        if (code !== 'ENOENT' || !create) throw error;
        try {
          await mkdir(child);
        } catch (mkdirError) {
          if (codeOf(mkdirError) !== 'EEXIST') throw mkdirError;
        }
        if (this.owner) {
          const created = await open(child, directoryFlags).catch(() => undefined);
          await created?.chown(this.owner.uid, this.owner.gid);
          if (created) return created;
        }
      }
    }
    throw errno('ENOTDIR', `${[...directory.segments, name].join('/')} keeps changing`);
  }

  /** What `requested` is (following links inside the workspace), or undefined when it does not exist. */
  async kind(requested: string): Promise<{ kind: WorkspaceEntryKind; entry: ResolvedEntry } | undefined> {
    const { directory, segments } = await this.walk(this.segmentsOf(requested), {
      includeLeaf: false,
      followLeaf: true,
      create: false,
      links: 'inside',
    }).catch((error) => {
      if (codeOf(error) === 'ENOENT') return { directory: undefined, segments: [] };
      throw error;
    });
    if (!directory) return undefined;
    try {
      if (segments.length === 0) return { kind: 'directory', entry: this.entryOf(segments) };
      const stats = await lstat(this.child(directory, segments[segments.length - 1]!)).catch((error) => {
        if (codeOf(error) === 'ENOENT') return undefined;
        throw error;
      });
      return stats ? { kind: kindOf(stats), entry: this.entryOf(segments) } : undefined;
    } finally {
      await directory.handle?.close();
    }
  }

  /**
   * Reads a regular file. Throws EISDIR for a directory, a WorkspacePathError for a FIFO, device or socket and for
   * any link leaving the workspace; `maxBytes` refuses (EFBIG) larger files without reading them.
   */
  async readFile(
    requested: string,
    options: { links?: LinkPolicy; maxBytes?: number } = {},
  ): Promise<{ content: Buffer; entry: ResolvedEntry }> {
    let segments = this.segmentsOf(requested);
    if (segments.length === 0) throw errno('EISDIR', `${requested} is a directory`);
    for (let hop = 0; hop <= maxLinkHops; hop++) {
      const resolved = await this.walk(segments, {
        includeLeaf: false,
        followLeaf: true,
        create: false,
        links: options.links ?? 'inside',
      });
      segments = resolved.segments;
      const leaf = segments[segments.length - 1]!;
      let handle: FileHandle;
      try {
        handle = await open(this.child(resolved.directory, leaf), readFlags);
      } catch (error) {
        await resolved.directory.handle?.close();
        if (codeOf(error) === 'ELOOP') continue; // Became a link after the check: resolve again.
        throw error;
      }
      await resolved.directory.handle?.close();
      try {
        const stats = await handle.stat();
        if (stats.isDirectory()) throw errno('EISDIR', `${requested} is a directory`);
        if (!stats.isFile()) {
          throw new WorkspacePathError(
            `${segments.join('/')} is not a regular file (a FIFO, socket or device).`,
          );
        }
        if (options.maxBytes !== undefined && stats.size > options.maxBytes) {
          throw errno('EFBIG', `${segments.join('/')} is larger than ${options.maxBytes} bytes`);
        }
        return { content: await handle.readFile(), entry: this.entryOf(segments) };
      } finally {
        await handle.close();
      }
    }
    throw new WorkspacePathError(`Too many levels of symbolic links in "${requested}".`);
  }

  /**
   * Creates or replaces a regular file, creating parent directories. The content goes to a new file next to it that
   * is renamed over the old one (keeping its mode and owner), so nothing is ever written through a link (hard or
   * symbolic) and a reader never sees half a file. Throws EISDIR when the path is a directory.
   */
  async writeFile(
    requested: string,
    content: string | Buffer,
  ): Promise<{ created: boolean; entry: ResolvedEntry }> {
    const resolved = await this.walk(this.segmentsOf(requested), {
      includeLeaf: false,
      followLeaf: true,
      create: true,
      links: 'inside',
    });
    const { directory, segments } = resolved;
    try {
      if (segments.length === 0) throw errno('EISDIR', `${requested} is a directory`);
      const leaf = segments[segments.length - 1]!;
      const existing = await lstat(this.child(directory, leaf)).catch((error) => {
        if (codeOf(error) === 'ENOENT') return undefined;
        throw error;
      });
      if (existing?.isDirectory()) throw errno('EISDIR', `${segments.join('/')} is a directory`);
      const temporary = `.${leaf.slice(0, 100)}.shakedown-${randomBytes(6).toString('hex')}`;
      const temporaryPath = this.child(directory, temporary);
      const handle = await open(
        temporaryPath,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        existing?.isFile() ? existing.mode & 0o7777 : 0o666 & ~process.umask(),
      );
      try {
        await handle.writeFile(content);
        if (existing?.isFile()) {
          await handle.chmod(existing.mode & 0o7777);
          if (process.getuid?.() === 0) await handle.chown(existing.uid, existing.gid);
        } else if (this.owner) {
          await handle.chown(this.owner.uid, this.owner.gid);
        }
      } catch (error) {
        await handle.close();
        await unlink(temporaryPath).catch(() => {});
        throw error;
      }
      await handle.close();
      try {
        // rename(2) replaces the last component itself: it never follows a link planted there meanwhile.
        await rename(temporaryPath, this.child(directory, leaf));
      } catch (error) {
        await unlink(temporaryPath).catch(() => {});
        throw error;
      }
      return { created: existing === undefined, entry: this.entryOf(segments) };
    } finally {
      await directory.handle?.close();
    }
  }

  /**
   * Lists a directory (following links inside the workspace to reach it with `links: 'inside'`); entries are never
   * followed: a link is reported as 'symlink'.
   */
  async listDirectory(
    requested: string,
    options: { links?: LinkPolicy } = {},
  ): Promise<{ entries: WorkspaceEntry[]; entry: ResolvedEntry }> {
    const { directory, segments } = await this.walk(this.segmentsOf(requested), {
      includeLeaf: true,
      followLeaf: false,
      create: false,
      links: options.links ?? 'inside',
    });
    try {
      const dirents = await readdir(this.self(directory), { withFileTypes: true });
      return {
        entries: dirents.map((dirent) => ({ name: dirent.name, kind: kindOf(dirent) })),
        entry: this.entryOf(segments),
      };
    } finally {
      await directory.handle?.close();
    }
  }

  /** The target of the link at `requested` (the link itself is not followed; its parents may be, inside). */
  async readLink(requested: string): Promise<string> {
    const { directory, segments } = await this.walk(this.segmentsOf(requested), {
      includeLeaf: false,
      followLeaf: false,
      create: false,
      links: 'inside',
    });
    try {
      return await readlink(this.child(directory, segments[segments.length - 1] ?? '.'));
    } finally {
      await directory.handle?.close();
    }
  }
}

/** Appends `parts` to `base` resolving `.` and `..` lexically; undefined when `..` climbs above the root. */
function normalizeSegments(base: string[], parts: string[]): string[] | undefined {
  const segments = [...base];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (segments.length === 0) return undefined;
      segments.pop();
    } else {
      segments.push(part);
    }
  }
  return segments;
}
