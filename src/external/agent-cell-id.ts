import type { AgentConfig } from './agent-choice.ts';

/**
 * Names of the agent dimension of a run (a cell is one model inside one agent): the cell id `<model id>~<agent name>`
 * and how agents are called in reports. Below metrics, so that metrics can read stored cell ids.
 */

/** Separates the model id from the agent name in a cell model's id. */
export const CELL_SEPARATOR = '~';

/** How people call each agent in reports: "Qwen 3.5 9B in Qwen Code vs in OpenCode vs shakedown's agent". */
const AGENT_DISPLAY_NAMES: Record<string, string> = {
  'built-in': "shakedown's agent",
  'qwen-code': 'Qwen Code',
  opencode: 'OpenCode',
  codex: 'Codex CLI',
  aider: 'Aider',
  command: 'external command',
};

/** `built-in`, the preset name, or `command` for a command template. */
export function agentNameOf(agent: AgentConfig | undefined): string {
  if (agent === undefined || agent === 'built-in') return 'built-in';
  return 'preset' in agent ? agent.preset : 'command';
}

/** The display name of an agent name (`qwen-code` → `Qwen Code`). */
export function agentDisplayName(agentName: string): string {
  return AGENT_DISPLAY_NAMES[agentName] ?? agentName;
}

/** The id of the cell of a model inside an agent. */
export function cellIdOf(modelId: string, agentName: string): string {
  return `${modelId}${CELL_SEPARATOR}${agentName}`;
}

/** The model id and agent name of a stored cell id, given the run's agent names; null when it is no cell id. */
export function splitCellId(
  cellId: string,
  agentNames: readonly string[],
): { modelId: string; agentName: string } | null {
  const separator = cellId.lastIndexOf(CELL_SEPARATOR);
  if (separator <= 0) return null;
  const agentName = cellId.slice(separator + 1);
  if (!agentNames.includes(agentName)) return null;
  return { modelId: cellId.slice(0, separator), agentName };
}

/** The agent names of a stored run config (`{ fingerprint: { agents } }`); empty for a run with one agent. */
export function agentNamesOfStoredConfig(config: unknown): string[] {
  const agents = (config as { fingerprint?: { agents?: unknown } } | null)?.fingerprint?.agents;
  if (!Array.isArray(agents)) return [];
  return agents.map((agent) => agentNameOf(agent as AgentConfig));
}
