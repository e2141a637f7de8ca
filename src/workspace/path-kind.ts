import { stat } from 'node:fs/promises';

/** Whether `path` exists (following links); false when it cannot be read. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether `path` is a directory (following links); false when it is missing or cannot be read. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `path` is a regular file (following links); false when it is missing or cannot be read. */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
