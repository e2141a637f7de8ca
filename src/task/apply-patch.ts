import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runHostCommand } from '../sandbox/index.ts';

/**
 * Applies a unified diff to the working tree of `directory` with `git apply`, in an isolated git environment that
 * ignores the directory's own `.git` (its config and attributes are not trusted). Returns null on success, else
 * git's error message. Nothing is changed when the patch does not apply.
 */
export async function applyPatch(
  directory: string,
  patch: string,
  options: { check?: boolean } = {},
): Promise<string | null> {
  const gitDir = await mkdtemp(join(tmpdir(), 'shakedown-apply-'));
  const environment = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: gitDir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    LC_ALL: 'C',
  };
  try {
    // An empty repository of our own (what `git init --bare` makes, less its samples), written without a git process.
    await mkdir(join(gitDir, 'objects'));
    await mkdir(join(gitDir, 'refs'));
    await writeFile(join(gitDir, 'HEAD'), 'ref: refs/heads/main\n');
    await writeFile(join(gitDir, 'config'), '[core]\n\trepositoryformatversion = 0\n\tbare = true\n');
    const result = await runHostCommand(
      'git',
      ['apply', '--whitespace=nowarn', ...(options.check ? ['--check'] : []), '-'],
      {
        cwd: resolve(directory),
        input: patch,
        env: { ...environment, GIT_DIR: gitDir, GIT_WORK_TREE: resolve(directory) },
        extendEnv: false,
      },
    );
    return result.exitCode === 0 ? null : result.stderr.trim() || `git apply exited with ${result.exitCode}`;
  } finally {
    await rm(gitDir, { recursive: true, force: true });
  }
}
