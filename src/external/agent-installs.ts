import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Pinned installations of the external agents shakedown tests against, made by
 * `scripts/install-external-agents.sh` under `~/.cache/shakedown/agents/<name>@<version>` (or
 * `$SHAKEDOWN_AGENTS_DIR`): outside the repository, reused across runs, exposed read-only in the sandbox.
 * Keep the versions in step with the script and the README's table of supported agents.
 */
export interface PinnedAgentInstall {
  /** The preset name (`--agent NAME`). */
  name: string;
  /** The npm package. */
  package: string;
  /** The version tested in CI. */
  version: string;
  /** The executable the package installs into `node_modules/.bin`. */
  executable: string;
}

/** Agents installable from the npm registry, with the versions shakedown's tests run. */
export const PINNED_AGENT_INSTALLS: Readonly<Record<string, PinnedAgentInstall>> = {
  'qwen-code': { name: 'qwen-code', package: '@qwen-code/qwen-code', version: '0.24.4', executable: 'qwen' },
  opencode: { name: 'opencode', package: 'opencode-ai', version: '1.18.33', executable: 'opencode' },
  codex: { name: 'codex', package: '@openai/codex', version: '0.171.0', executable: 'codex' },
};

/** Where the install script puts the agents. */
export function agentsCacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHAKEDOWN_AGENTS_DIR ?? path.join(os.homedir(), '.cache', 'shakedown', 'agents');
}

/** A found installation: the executable's real path and the host directories the sandbox must show read-only. */
export interface AgentInstallation {
  executable: string;
  readOnlyPaths: string[];
  /** Where it was found: `PATH` or the pinned install's directory. */
  source: string;
}

/**
 * The pinned installation of an agent in the cache directory, or null when the install script has not run (or
 * the agent has no pinned install). The whole install prefix is exposed: npm hoists the agent's dependencies
 * (OpenCode's platform binary, Qwen Code's optional native modules) next to it.
 */
export function findPinnedInstall(
  name: string,
  directory: string = agentsCacheDirectory(),
): AgentInstallation | null {
  const pinned = PINNED_AGENT_INSTALLS[name];
  if (!pinned) return null;
  const prefix = path.join(directory, `${pinned.name}@${pinned.version}`);
  const bin = path.join(prefix, 'node_modules', '.bin', pinned.executable);
  if (!existsSync(path.join(prefix, '.installed'))) return null;
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    return null;
  }
  const realPrefix = realpathSync(prefix);
  return {
    executable: path.join(realPrefix, 'node_modules', '.bin', pinned.executable),
    readOnlyPaths: [realPrefix],
    source: realPrefix,
  };
}
