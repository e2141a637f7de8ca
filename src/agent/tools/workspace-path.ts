import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** Thrown when a tool is asked for a path outside the workspace; the message is meant for the model. */
export class WorkspacePathError extends Error {
  override name = 'WorkspacePathError';
}

/** A requested path resolved inside the workspace. */
export interface ResolvedWorkspacePath {
  /** Absolute host path (symlinks resolved for the part that exists). */
  absolute: string;
  /** Path relative to the workspace root, `.` for the root, always with `/`. */
  relative: string;
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Resolves `requested` (relative to the workspace, or absolute but inside it) and makes sure it stays inside the
 * workspace after resolving `..` and every symlink of the part that exists. Missing trailing parts are allowed
 * (for files about to be written).
 */
export async function resolveWorkspacePath(
  workspaceDir: string,
  requested: string,
): Promise<ResolvedWorkspacePath> {
  const root = await realpath(workspaceDir);
  const given = path.resolve(workspaceDir);
  const cleaned = requested.trim() === '' ? '.' : requested.trim();
  let candidate: string;
  if (path.isAbsolute(cleaned) && isInside(given, path.resolve(cleaned))) {
    candidate = path.join(root, path.relative(given, path.resolve(cleaned)));
  } else {
    candidate = path.resolve(root, cleaned);
  }
  if (!isInside(root, candidate)) {
    throw new WorkspacePathError(
      `Path "${requested}" is outside the workspace; use a path relative to the workspace root.`,
    );
  }
  // Resolve symlinks of the longest existing prefix.
  let existing = candidate;
  const missing: string[] = [];
  for (;;) {
    try {
      existing = await realpath(existing);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      missing.unshift(path.basename(existing));
      existing = path.dirname(existing);
    }
  }
  const absolute = path.join(existing, ...missing);
  if (!isInside(root, absolute)) {
    throw new WorkspacePathError(
      `Path "${requested}" resolves (through a symlink) to a place outside the workspace.`,
    );
  }
  const relative = path.relative(root, absolute).split(path.sep).join('/');
  return { absolute, relative: relative === '' ? '.' : relative };
}
