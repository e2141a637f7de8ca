/** Test helper: git with a fixed identity and no user or system configuration, run synchronously. */
import { execFileSync } from 'node:child_process';

const gitEnvironment = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

/** Runs `git <arguments_>` in `cwd` and returns its stdout; throws when git fails. */
export function git(cwd: string, ...arguments_: string[]): string {
  return execFileSync('git', arguments_, { cwd, env: gitEnvironment, encoding: 'utf8' });
}
