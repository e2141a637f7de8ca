import type { WorkspaceEntryKind, WorkspaceRoot } from './workspace-path.ts';

/** Directory names never listed or searched (version control, dependencies, caches). */
export const skippedDirectoryNames = new Set([
  '.git',
  'node_modules',
  '.hg',
  '.svn',
  '__pycache__',
  '.venv',
  '.mypy_cache',
  '.pytest_cache',
  '.tox',
]);

/** One entry met while walking. */
export interface WalkEntry {
  /** Path relative to the workspace root, with `/`. */
  relative: string;
  kind: WorkspaceEntryKind;
  depth: number;
}

/**
 * Walks a directory of the workspace breadth-first in sorted order, skipping {@link skippedDirectoryNames}.
 * Every directory is opened beneath the root without following links (see WorkspaceRoot): a symlinked
 * directory is reported as a 'symlink' entry and never entered. Stops when `visit` returns false.
 */
export async function walkWorkspace(
  root: WorkspaceRoot,
  startRelative: string,
  maxDepth: number,
  visit: (entry: WalkEntry) => boolean,
): Promise<void> {
  const queue: Array<{ relative: string; depth: number }> = [{ relative: startRelative, depth: 1 }];
  while (queue.length > 0) {
    const current = queue.shift()!;
    let entries: Awaited<ReturnType<WorkspaceRoot['listDirectory']>>['entries'];
    try {
      ({ entries } = await root.listDirectory(current.relative, { links: 'never' }));
    } catch {
      continue;
    }
    entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.kind === 'directory' && skippedDirectoryNames.has(entry.name)) continue;
      const relative = current.relative === '.' ? entry.name : `${current.relative}/${entry.name}`;
      if (!visit({ relative, kind: entry.kind, depth: current.depth })) return;
      if (entry.kind === 'directory' && current.depth < maxDepth)
        queue.push({ relative, depth: current.depth + 1 });
    }
  }
}
