import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The JavaScript test runners scripts/install-test-runners.sh installs (keep the versions in step with it). */
export const PINNED_TEST_RUNNERS = { mocha: '10.8.2', jest: '29.7.0' } as const;

/** A pinned runner for a test: its `node_modules` folder (to link into a mined project), or why it is missing. */
export interface PinnedTestRunner {
  name: keyof typeof PINNED_TEST_RUNNERS;
  version: string;
  /** The installation's node_modules (holding `.bin/NAME`); null when not installed. */
  nodeModules: string | null;
  /** Skip the runner's tests (absent, outside CI); with CI=true a missing runner fails them instead. */
  skip: boolean;
  /** For the describe title. */
  status: string;
}

/** Test support: finds a runner installed by scripts/install-test-runners.sh. */
export function pinnedTestRunner(name: keyof typeof PINNED_TEST_RUNNERS): PinnedTestRunner {
  const version = PINNED_TEST_RUNNERS[name];
  const root = process.env.SHAKEDOWN_RUNNERS_DIR ?? join(homedir(), '.cache', 'shakedown', 'runners');
  const prefix = join(root, `${name}@${version}`);
  const installed = existsSync(join(prefix, '.installed'));
  const inCi = process.env.CI === 'true';
  const missing = `not installed in ${prefix}: run scripts/install-test-runners.sh`;
  return {
    name,
    version,
    nodeModules: installed ? join(prefix, 'node_modules') : null,
    skip: !installed && !inCi,
    status: installed ? 'installed' : inCi ? `${missing} (CI=true: failing)` : `${missing} (skipped)`,
  };
}
