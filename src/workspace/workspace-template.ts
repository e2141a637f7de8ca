import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runGit } from './run-git.ts';

/** A prepared, history-free checkout of one commit that workspaces are copied from. */
export interface WorkspaceTemplate {
  /** Directory holding the checkout and its one-commit `.git`. */
  dir: string;
  /** The source commit, fully resolved. */
  baseCommit: string;
  /** The single commit of the template repository (its tree is the base tree minus excluded paths). */
  rootCommit: string;
}

/** What a template is built from. */
export interface WorkspaceTemplateSource {
  repositoryDir: string;
  baseCommit: string;
  /** Paths (relative to the repository root) removed before the commit, e.g. hidden tests. */
  exclude?: string[];
}

const metadataFileName = 'template.json';
const checkoutDirectoryName = 'checkout';
const inFlightBuilds = new Map<string, Promise<WorkspaceTemplate>>();

/** Full commit ids already found to be commits, by repository: a commit id names the same commit for ever. */
const resolvedCommits = new Map<string, Set<string>>();

/** Resolutions under way, by repository and name: concurrent callers (the attempts of a run) share one git. */
const resolutionsInFlight = new Map<string, Promise<string>>();

/** Resolves `commit` in `repositoryDir` to a full commit id; throws a clear error when it is not a commit. */
export async function resolveCommit(repositoryDir: string, commit: string): Promise<string> {
  if (resolvedCommits.get(repositoryDir)?.has(commit)) return commit;
  const key = `${repositoryDir}\0${commit}`;
  const inFlight = resolutionsInFlight.get(key);
  if (inFlight) return inFlight;
  const resolution = resolveCommitWithGit(repositoryDir, commit);
  resolutionsInFlight.set(key, resolution);
  try {
    return await resolution;
  } finally {
    resolutionsInFlight.delete(key);
  }
}

async function resolveCommitWithGit(repositoryDir: string, commit: string): Promise<string> {
  let resolved: string;
  try {
    resolved = (
      await runGit(['rev-parse', '--verify', '--quiet', `${commit}^{commit}`], { cwd: repositoryDir })
    ).trim();
  } catch {
    throw new Error(`"${commit}" is not a commit in ${repositoryDir}`);
  }
  if (resolved === commit.toLowerCase() && /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(resolved)) {
    const known = resolvedCommits.get(repositoryDir) ?? new Set<string>();
    known.add(resolved);
    resolvedCommits.set(repositoryDir, known);
  }
  return resolved;
}

/** Checks that an excluded path is relative and stays inside the repository; returns it normalized. */
export function normalizeExcludedPath(excludedPath: string): string {
  const normalized = path.posix.normalize(excludedPath.replaceAll('\\', '/')).replace(/\/+$/, '');
  if (
    path.posix.isAbsolute(normalized) ||
    normalized === '..' ||
    normalized.startsWith('../') ||
    normalized === '.'
  ) {
    throw new Error(`excluded path "${excludedPath}" must be a relative path inside the repository`);
  }
  return normalized;
}

/**
 * Builds a template into `targetDir` (which must not exist): checks out the commit's tree without any history,
 * removes excluded paths, and commits the result as the single commit of a fresh repository.
 *
 * The template's index is read from the source commit's tree (its objects borrowed through an alternate named in
 * the environment of these git calls only, never written to the template's config), so no file is hashed again:
 * the checkout fills in the index's stat data, excluded paths leave index and disk, the commit writes only trees,
 * and `repack -a` copies the reachable objects (borrowed ones included) into the template's own single pack. The
 * template keeps no link to the source repository, and the blobs of excluded paths never enter it.
 */
export async function buildTemplate(
  source: WorkspaceTemplateSource & { baseCommit: string },
  targetDir: string,
): Promise<WorkspaceTemplate> {
  const sourceGitDir = await resolveGitDir(source.repositoryDir);
  await mkdir(targetDir, { recursive: false });
  await runGit(['init', '--quiet', '--initial-branch=main'], { cwd: targetDir });
  // What four `git config` calls would add to the fresh repository's config, written without four git processes.
  await appendFile(
    path.join(targetDir, '.git', 'config'),
    '[gc]\n\tauto = 0\n[core]\n\tautocrlf = false\n[user]\n\tname = shakedown\n\temail = shakedown@localhost\n',
  );
  const env = { GIT_ALTERNATE_OBJECT_DIRECTORIES: quotedAlternate(path.join(sourceGitDir, 'objects')) };
  const git = (arguments_: string[]) => runGit(arguments_, { cwd: targetDir, env });
  await git(['read-tree', source.baseCommit]);
  await git(['checkout-index', '--all', '--force', '-u']);
  const excluded = [...new Set((source.exclude ?? []).map(normalizeExcludedPath))];
  for (const excludedPath of excluded) {
    await rm(path.join(targetDir, excludedPath), { recursive: true, force: true });
  }
  if (excluded.length > 0) {
    await git([
      '--literal-pathspecs',
      'rm',
      '-r',
      '--cached',
      '--quiet',
      '--ignore-unmatch',
      '--',
      ...excluded,
    ]);
  }
  await git(['commit', '--quiet', '--allow-empty', '--no-gpg-sign', '--message', 'base']);
  // One pack of everything the commit reaches (borrowed objects copied in): copying the template stays cheap.
  await git(['repack', '-a', '-d', '-q']);
  await git(['prune-packed', '-q']);
  await rm(path.join(targetDir, '.git', 'logs'), { recursive: true, force: true });
  await rm(path.join(targetDir, '.git', 'hooks'), { recursive: true, force: true });
  const rootCommit = (await runGit(['rev-parse', 'HEAD'], { cwd: targetDir })).trim();
  return { dir: targetDir, baseCommit: source.baseCommit, rootCommit };
}

/**
 * Returns the cached template for (repository, commit, exclude) under `cacheDir`, building it once. Safe against
 * concurrent builders in this and other processes: each builds aside and the first atomic rename wins.
 */
export async function getCachedTemplate(
  source: WorkspaceTemplateSource,
  cacheDir: string,
): Promise<WorkspaceTemplate> {
  const repositoryDir = await realpath(source.repositoryDir);
  const baseCommit = await resolveCommit(repositoryDir, source.baseCommit);
  const exclude = [...new Set((source.exclude ?? []).map(normalizeExcludedPath))].sort();
  const key = createHash('sha256')
    .update(JSON.stringify({ repositoryDir, baseCommit, exclude }))
    .digest('hex')
    .slice(0, 24);
  const entryDir = path.join(cacheDir, 'workspace-templates', key);
  const existing = inFlightBuilds.get(entryDir);
  if (existing) return existing;
  const build = loadOrBuild({ repositoryDir, baseCommit, exclude }, entryDir);
  inFlightBuilds.set(entryDir, build);
  try {
    return await build;
  } finally {
    inFlightBuilds.delete(entryDir);
  }
}

async function loadOrBuild(
  source: Required<WorkspaceTemplateSource>,
  entryDir: string,
): Promise<WorkspaceTemplate> {
  const cached = await readMetadata(entryDir);
  if (cached) return cached;
  const buildDir = `${entryDir}.building-${randomBytes(6).toString('hex')}`;
  await mkdir(buildDir, { recursive: true });
  try {
    const template = await buildTemplate(source, path.join(buildDir, checkoutDirectoryName));
    await writeFile(
      path.join(buildDir, metadataFileName),
      JSON.stringify({ baseCommit: template.baseCommit, rootCommit: template.rootCommit }),
    );
    try {
      await rename(buildDir, entryDir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
    }
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
  const built = await readMetadata(entryDir);
  if (!built) throw new Error(`workspace template cache entry ${entryDir} is unreadable after building it`);
  return built;
}

async function readMetadata(entryDir: string): Promise<WorkspaceTemplate | undefined> {
  try {
    const metadata = JSON.parse(await readFile(path.join(entryDir, metadataFileName), 'utf8')) as {
      baseCommit: string;
      rootCommit: string;
    };
    return { dir: path.join(entryDir, checkoutDirectoryName), ...metadata };
  } catch {
    return undefined;
  }
}

async function resolveGitDir(repositoryDir: string): Promise<string> {
  const gitDir = (await runGit(['rev-parse', '--absolute-git-dir'], { cwd: repositoryDir })).trim();
  return gitDir;
}

/** An entry of GIT_ALTERNATE_OBJECT_DIRECTORIES (a `:`-separated list), quoted as git unquotes it (C style). */
function quotedAlternate(directory: string): string {
  return `"${directory.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}
