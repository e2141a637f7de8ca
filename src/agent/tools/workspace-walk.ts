import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

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
  /** Path relative to the walk's start directory's workspace root, with `/`. */
  relative: string;
  absolute: string;
  isDirectory: boolean;
  depth: number;
}

/**
 * Walks a directory breadth-first in sorted order, skipping {@link skippedDirectoryNames}; does not follow
 * symlinked directories. Stops when `visit` returns false.
 */
export async function walkWorkspace(
  startAbsolute: string,
  startRelative: string,
  maxDepth: number,
  visit: (entry: WalkEntry) => boolean,
): Promise<void> {
  const queue: Array<{ absolute: string; relative: string; depth: number }> = [
    { absolute: startAbsolute, relative: startRelative === '.' ? '' : startRelative, depth: 1 },
  ];
  while (queue.length > 0) {
    const current = queue.shift()!;
    let entries: Dirent[];
    try {
      entries = await readdir(current.absolute, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
    for (const entry of entries) {
      const isDirectory = entry.isDirectory();
      if (isDirectory && skippedDirectoryNames.has(entry.name)) continue;
      const relative = current.relative ? `${current.relative}/${entry.name}` : entry.name;
      const absolute = path.join(current.absolute, entry.name);
      if (!visit({ relative, absolute, isDirectory, depth: current.depth })) return;
      if (isDirectory && current.depth < maxDepth)
        queue.push({ absolute, relative, depth: current.depth + 1 });
    }
  }
}
