import { chown, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { copyDirectory } from './copy-directory.ts';
import { runGit } from './run-git.ts';
import { createTrustedGitDirectory, workspaceChangedFiles, workspaceDiff } from './workspace-changes.ts';
import {
  mountOverlayWorkspace,
  type OverlayWorkspace,
  overlayUnavailableReason,
} from './workspace-overlay.ts';
import type { WorkspacePools } from './workspace-pool.ts';
import { getCachedTemplate, type WorkspaceTemplate } from './workspace-template.ts';

/** Where a workspace comes from and where it goes. */
export interface CreateWorkspaceOptions {
  /** A git repository (work tree or bare) holding `baseCommit`. */
  repositoryDir: string;
  /** Any commit-ish of `repositoryDir`. */
  baseCommit: string;
  /** Directory to create the workspace in; must not exist yet (or be empty). */
  destination: string;
  /** Where per-(repository, commit, exclude) templates are kept; without it each call builds from scratch. */
  cacheDir?: string;
  /** Paths relative to the repository root removed before the base commit (hidden tests never enter). */
  exclude?: string[];
  /**
   * Ready copies of the cached template kept ahead of time (see {@link WorkspacePools}): the workspace is renamed
   * into place instead of copied. Only used with `cacheDir`; the caller closes it.
   */
  pool?: WorkspacePools;
  /**
   * Copy-on-write (with `cacheDir`): the workspace is an overlay over the cached template (workspace-overlay.ts)
   * instead of a copy or a pool spare, where overlays work (Linux, root); elsewhere the copy is made as before and
   * `onNote` is told why, once per process.
   */
  copyOnWrite?: boolean;
  /** Receives the one-line note of why copy-on-write is unavailable. */
  onNote?: (message: string) => void;
}

/** A fresh one-commit repository holding the base tree, ready for one attempt. */
export interface Workspace {
  /** Absolute path of the workspace. */
  dir: string;
  /** The source repository's commit id the workspace was made from. */
  baseCommit: string;
  /** The workspace repository's single commit (base tree, author "shakedown", fixed date). */
  rootCommit: string;
  /** Unified, binary-safe diff of all changes, untracked files included, against the base. */
  diff(): Promise<string>;
  /** Relative paths of files changed, added or deleted since the base. */
  changedFiles(): Promise<string[]>;
  /** Removes the workspace and its private bookkeeping. */
  dispose(): Promise<void>;
  /**
   * Leaves the workspace in place as a plain directory (an overlay becomes a copy of its merged view) and removes
   * only the private bookkeeping: for a workspace kept for inspection instead of disposed.
   */
  keep(): Promise<void>;
}

/** Notes already given (once per process each). */
const notesGiven = new Set<string>();
/** Templates whose index this process brought up to date with the stat data of their files. */
const refreshedIndexes = new Map<string, Promise<void>>();

/**
 * Creates a workspace: a git checkout of `baseCommit` with all other history, refs, tags, remotes, reflogs and
 * stashes gone, and the `exclude` paths absent. With `cacheDir` the history-free template is built once per
 * (repository, commit, exclude) and each call only copies it.
 */
export async function createWorkspace(options: CreateWorkspaceOptions): Promise<Workspace> {
  const destination = path.resolve(options.destination);
  await assertAvailable(destination);
  await mkdir(path.dirname(destination), { recursive: true });
  let template: WorkspaceTemplate;
  let overlay: OverlayWorkspace | undefined;
  if (options.cacheDir) {
    const cacheDir = path.resolve(options.cacheDir);
    template = await getCachedTemplate(options, cacheDir);
    const unavailable = options.copyOnWrite ? await overlayUnavailableReason(cacheDir) : 'not asked';
    if (unavailable === undefined) {
      overlay = await mountOverlayWorkspace(template, cacheDir, destination);
      await refreshTemplateIndex(template.dir);
    } else {
      if (options.copyOnWrite)
        noteOnce(options.onNote, `workspaces are copies, not overlays: ${unavailable}`);
      await rm(destination, { recursive: true, force: true });
      if (options.pool) await options.pool.get(template, options.exclude).acquire(destination);
      else await copyDirectory(template.dir, destination);
    }
  } else {
    const scratchCache = `${destination}.shakedown-template`;
    try {
      template = await getCachedTemplate(options, scratchCache);
      await rm(destination, { recursive: true, force: true });
      await rename(template.dir, destination);
    } finally {
      await rm(scratchCache, { recursive: true, force: true });
    }
  }
  let trusted: Awaited<ReturnType<typeof createTrustedGitDirectory>>;
  try {
    trusted = await createTrustedGitDirectory(
      path.join(options.cacheDir ? template.dir : destination, '.git'),
      template.rootCommit,
      { shareObjects: options.cacheDir !== undefined },
    );
  } catch (error) {
    await overlay?.remove();
    throw error;
  }
  return {
    dir: destination,
    baseCommit: template.baseCommit,
    rootCommit: template.rootCommit,
    diff: () => workspaceDiff(trusted, destination),
    changedFiles: () => workspaceChangedFiles(trusted, destination),
    async dispose() {
      if (overlay) await overlay.remove();
      else await rm(destination, { recursive: true, force: true });
      await rm(trusted.dir, { recursive: true, force: true });
    },
    async keep() {
      await overlay?.materialize();
      await rm(trusted.dir, { recursive: true, force: true });
    },
  };
}

/**
 * Brings an overlay template's index up to date with the stat data of its files, once per template and process:
 * handing the template to the sandbox user changed every file's change time, so each final diff, which starts from
 * a copy of this index, would hash every file of the repository again. `update-index --refresh` only records the
 * stat data of entries whose content still matches, so the index stays the root commit's tree; the index keeps the
 * owner of its `.git`. A failure (another process holding the index lock) costs speed only.
 */
function refreshTemplateIndex(templateDir: string): Promise<void> {
  let refreshed = refreshedIndexes.get(templateDir);
  if (!refreshed) {
    refreshed = (async () => {
      const gitDir = path.join(templateDir, '.git');
      const owner = await stat(gitDir);
      // The template belongs to the sandbox user: git would refuse it as root without safe.directory.
      await runGit(['-c', `safe.directory=${templateDir}`, 'update-index', '-q', '--refresh'], {
        cwd: templateDir,
      });
      await chown(path.join(gitDir, 'index'), owner.uid, owner.gid);
    })().catch(() => undefined);
    refreshedIndexes.set(templateDir, refreshed);
  }
  return refreshed;
}

function noteOnce(onNote: ((message: string) => void) | undefined, message: string): void {
  if (!onNote || notesGiven.has(message)) return;
  notesGiven.add(message);
  onNote(message);
}

async function assertAvailable(destination: string): Promise<void> {
  try {
    const info = await stat(destination);
    if (!info.isDirectory())
      throw new Error(`workspace destination ${destination} exists and is not a directory`);
    if ((await readdir(destination)).length > 0) {
      throw new Error(`workspace destination ${destination} already exists and is not empty`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
