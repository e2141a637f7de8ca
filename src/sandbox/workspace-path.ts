import path from 'node:path';

/**
 * Resolves a command's `cwd` (relative to the workspace root, or absolute inside it) to an absolute path.
 * Returns undefined when it would leave the workspace.
 */
export function resolveInsideWorkspace(workspaceDir: string, cwd: string | undefined): string | undefined {
  const resolved = path.resolve(workspaceDir, cwd ?? '.');
  const relative = path.relative(workspaceDir, resolved);
  if (relative === '') return resolved;
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return resolved;
}
