import { SYSTEM_PATH, type Toolchains } from './toolchain-paths.ts';

/** HOME inside the bubblewrap and container sandboxes: on the private /tmp (bubblewrap: kept for the sandbox's life). */
export const SANDBOX_HOME = '/tmp/home';

/**
 * The complete environment of a sandboxed command. Built from scratch: nothing of the host's
 * process.env (API keys, tokens, proxies) is ever copied in.
 */
export function buildSandboxEnvironment(
  home: string,
  toolchains: Pick<Toolchains, 'pathEntries' | 'env'>,
  ...overrides: Array<Record<string, string> | undefined>
): Record<string, string> {
  return Object.assign(
    {
      PATH: [...toolchains.pathEntries, ...SYSTEM_PATH].join(':'),
      HOME: home,
      TMPDIR: '/tmp',
      LANG: 'C.UTF-8',
      TERM: 'dumb',
      CI: '1',
      ...toolchains.env,
    },
    ...overrides.filter((override) => override !== undefined),
  );
}
