import { runHostCommand } from '../sandbox/index.ts';

/** Environment that keeps the user's and the system's git configuration, hooks and prompts out of our git calls. */
export const isolatedGitEnvironment: Record<string, string> = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'shakedown',
  GIT_AUTHOR_EMAIL: 'shakedown@localhost',
  GIT_COMMITTER_NAME: 'shakedown',
  GIT_COMMITTER_EMAIL: 'shakedown@localhost',
  GIT_AUTHOR_DATE: '2000-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2000-01-01T00:00:00Z',
  LC_ALL: 'C',
};

/** Options for one git invocation. */
export interface RunGitOptions {
  cwd?: string;
  env?: Record<string, string>;
}

/** Runs git with an isolated configuration; throws an Error naming the command and git's stderr on failure. */
export async function runGit(arguments_: string[], options: RunGitOptions = {}): Promise<string> {
  const result = await runHostCommand('git', ['-c', 'core.hooksPath=/dev/null', ...arguments_], {
    cwd: options.cwd,
    env: { ...isolatedGitEnvironment, ...options.env },
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `git ${arguments_.join(' ')} failed (exit ${result.exitCode ?? result.signal}): ${result.stderr.trim()}`,
    );
  }
  return result.stdout;
}
