import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** Directories searched after $PATH, so a minimal PATH still finds system tools. */
const FALLBACK_DIRECTORIES = ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'];

/**
 * Executables found so far, per search path and name: every sandbox and host command looks up the same few (bwrap,
 * git, unshare...), and a lookup is a stat of each directory on the path, on the main thread. What was missing is
 * looked for again (it may have been installed since).
 */
const found = new Map<string, string>();

/** Absolute path of an executable found on $PATH (or the usual system directories), or undefined. */
export function findExecutable(
  name: string,
  searchPath: string | undefined = process.env.PATH,
): string | undefined {
  const key = `${searchPath ?? ''}\0${name}`;
  const known = found.get(key);
  if (known !== undefined) return known;
  const located = locate(name, searchPath);
  if (located !== undefined) found.set(key, located);
  return located;
}

function locate(name: string, searchPath: string | undefined): string | undefined {
  const directories = [...(searchPath ?? '').split(path.delimiter).filter(Boolean), ...FALLBACK_DIRECTORIES];
  for (const directory of directories) {
    const candidate = path.join(directory, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}
