import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** Directories searched after $PATH, so a minimal PATH still finds system tools. */
const FALLBACK_DIRECTORIES = ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'];

/** Absolute path of an executable found on $PATH (or the usual system directories), or undefined. */
export function findExecutable(
  name: string,
  searchPath: string | undefined = process.env.PATH,
): string | undefined {
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
