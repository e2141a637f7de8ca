import {
  type AgentInstallation,
  agentsCacheDirectory,
  findPinnedInstall,
  PINNED_AGENT_INSTALLS,
} from '../src/external/agent-installs.ts';

/**
 * The pinned external agents the tests run (installed by scripts/install-external-agents.sh, which .ci/run calls).
 * Outside CI a missing one skips its tests with a visible reason; with CI=true it fails them instead.
 */
export interface PinnedAgentForTest {
  name: string;
  version: string;
  installation: AgentInstallation | null;
  /** Skip the agent's tests (absent, outside CI). */
  skip: boolean;
  /** For the describe title: where it was found, or why it is skipped / failing. */
  status: string;
}

export const IN_CI = process.env.CI === 'true';

export function pinnedAgentForTest(name: string): PinnedAgentForTest {
  const pinned = PINNED_AGENT_INSTALLS[name];
  if (!pinned) throw new Error(`no pinned install of ${name}`);
  const installation = findPinnedInstall(name);
  const missing = `not installed in ${agentsCacheDirectory()}: run scripts/install-external-agents.sh`;
  return {
    name,
    version: pinned.version,
    installation,
    skip: installation === null && !IN_CI,
    status: installation ? `installed` : IN_CI ? `${missing} (CI=true: failing)` : `${missing} (skipped)`,
  };
}

/** Throws the CI failure when an agent that must be present is not. */
export function assertInstalled(agent: PinnedAgentForTest): AgentInstallation {
  if (!agent.installation) throw new Error(`${agent.name}@${agent.version} ${agent.status}`);
  return agent.installation;
}
