/** Test helper: runs the real CLI (`node bin/shakedown.js …`) from the repository root. */
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const repositoryRoot = fileURLToPath(new URL('../', import.meta.url));

/** Starts `shakedown <args>`; never rejects on a non-zero exit. `env` is added to this process's environment. */
export function runCli(args: string[], options: { env?: Record<string, string> } = {}) {
  return execa('node', ['bin/shakedown.js', ...args], { cwd: repositoryRoot, reject: false, ...options });
}
