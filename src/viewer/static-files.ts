import { readFile } from 'node:fs/promises';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

/**
 * Reads a file of the built UI for a request path; `/` (and any path without an extension, for the hash router's
 * sake) is `index.html`. Returns null for a missing file or a path escaping `root`.
 */
export async function readStaticFile(
  root: string,
  requestPath: string,
): Promise<{ body: Buffer; contentType: string } | null> {
  let relative = decodeURIComponent(requestPath).replace(/^\/+/, '');
  if (relative === '' || path.extname(relative) === '') relative = 'index.html';
  const full = path.resolve(root, relative);
  if (full !== root && !full.startsWith(`${path.resolve(root)}${path.sep}`)) return null;
  try {
    const body = await readFile(full);
    return { body, contentType: CONTENT_TYPES[path.extname(full)] ?? 'application/octet-stream' };
  } catch {
    return null;
  }
}
