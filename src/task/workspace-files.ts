import { lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * The absolute path of `path` inside `workspaceDir`; throws when it would leave the workspace.
 */
export function workspacePath(workspaceDir: string, path: string): string {
  const root = resolve(workspaceDir);
  const target = resolve(root, path);
  if (target === root || !target.startsWith(root + sep)) {
    throw new Error(`path "${path}" is outside the workspace`);
  }
  return target;
}

/**
 * Sets a workspace file to `content`, or deletes it when `content` is null, without following links the agent may
 * have planted: any symbolic link or non-directory on the way is removed first, and whatever is at the path
 * (file, directory, link) is replaced.
 */
export async function replaceWorkspaceFile(
  workspaceDir: string,
  path: string,
  content: Buffer | null,
): Promise<void> {
  const root = resolve(workspaceDir);
  const target = workspacePath(root, path);
  let current = root;
  for (const part of relative(root, dirname(target)).split(sep).filter(Boolean)) {
    current = resolve(current, part);
    const stats = await lstatOrNull(current);
    if (stats?.isDirectory()) continue;
    if (stats) await rm(current, { force: true, recursive: true });
    if (content === null) return;
    await mkdir(current);
  }
  await rm(target, { force: true, recursive: true });
  if (content !== null) await writeFile(target, content);
}

/** Reads a regular file inside the workspace; null when it is missing, a link or not a file. */
export async function readWorkspaceFile(workspaceDir: string, path: string): Promise<string | null> {
  const target = workspacePath(workspaceDir, path);
  const root = resolve(workspaceDir);
  let current = root;
  for (const part of relative(root, target).split(sep).filter(Boolean)) {
    current = resolve(current, part);
    const stats = await lstatOrNull(current);
    if (!stats || stats.isSymbolicLink()) return null;
  }
  const stats = await lstatOrNull(target);
  return stats?.isFile() ? readFile(target, 'utf8') : null;
}

async function lstatOrNull(path: string) {
  try {
    return await lstat(path);
  } catch {
    return null;
  }
}
