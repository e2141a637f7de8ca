import { existsSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Host directories bubblewrap exposes read-only as the system. Not /etc (a minimal view of it is built, see
 * minimal-etc.ts) and not /opt (whatever lives there is exposed only as a detected toolchain).
 */
export const SYSTEM_DIRECTORIES = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/** PATH entries of the system, appended after the toolchain entries. */
export const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Toolchains living outside the system directories that commands need read-only. */
export interface Toolchains {
  /** Host directories to bind read-only at the same path. */
  readOnlyPaths: string[];
  /** PATH entries, in priority order, put before the system PATH. */
  pathEntries: string[];
  /** Variables the toolchains need (e.g. PYENV_ROOT for pyenv shims). */
  env: Record<string, string>;
}

function isUnderSystemDirectory(directory: string): boolean {
  return SYSTEM_DIRECTORIES.some((system) => directory === system || directory.startsWith(`${system}/`));
}

/**
 * Finds the running node's installation prefix (when outside /usr, e.g. nvm or /root/.local) and a pyenv
 * root (PYENV_ROOT or ~/.pyenv, whose shims python3 resolves through), so node, npm and python3 work
 * inside the sandbox exactly as on the host.
 */
export function detectToolchains(): Toolchains {
  const toolchains: Toolchains = { readOnlyPaths: [], pathEntries: [], env: {} };

  const nodeBinary = realpathSync(process.execPath);
  const nodePrefix = path.dirname(path.dirname(nodeBinary));
  if (!isUnderSystemDirectory(nodeBinary) && nodePrefix !== '/') {
    toolchains.readOnlyPaths.push(nodePrefix);
    toolchains.pathEntries.push(path.dirname(nodeBinary));
  }

  const pyenvRoot = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  if (existsSync(path.join(pyenvRoot, 'bin')) || existsSync(path.join(pyenvRoot, 'shims'))) {
    const root = realpathSync(pyenvRoot);
    if (!isUnderSystemDirectory(root)) toolchains.readOnlyPaths.push(root);
    toolchains.pathEntries.push(path.join(root, 'shims'), path.join(root, 'bin'));
    toolchains.env.PYENV_ROOT = root;
  }
  return toolchains;
}
