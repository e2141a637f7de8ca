import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `suites/` folder shipped with shakedown (next to `src/`), whatever the current directory. */
export const BUILT_IN_SUITES_DIRECTORY = fileURLToPath(new URL('../../suites', import.meta.url));

function isDirectory(candidate: string): boolean {
  try {
    return statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The folder of a built-in suite named `name` (`core`, or `suites/core` as written relative to shakedown's own
 * folder), or null when shakedown ships no such suite.
 */
export function builtInSuitePath(name: string): string | null {
  const normalized = name
    .replaceAll('\\', '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
  const bare = normalized.startsWith('suites/') ? normalized.slice('suites/'.length) : normalized;
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(bare)) return null;
  const directory = path.join(BUILT_IN_SUITES_DIRECTORY, bare);
  return isDirectory(directory) ? directory : null;
}

/**
 * Where a suite named in flags or shakedown.yaml lives: the folder relative to `baseDirectory` when it exists
 * (a user's own suite always wins), else the built-in suite of that name, else the (missing) relative folder, so
 * that the error names the path the user wrote.
 */
export function resolveSuiteDirectory(suite: string, baseDirectory: string): string {
  const local = path.resolve(baseDirectory, suite);
  if (path.isAbsolute(suite) || isDirectory(local)) return local;
  return builtInSuitePath(suite) ?? local;
}
