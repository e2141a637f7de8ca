import { agentDisplayName, agentNameOf, cellIdOf } from '../external/agent-cell-id.ts';
import { type AgentConfig, describeAgent } from '../external/agent-choice.ts';

export {
  agentDisplayName,
  agentNameOf,
  agentNamesOfStoredConfig,
  CELL_SEPARATOR,
  cellIdOf,
  splitCellId,
} from '../external/agent-cell-id.ts';

import { shortModelLabels } from '../metrics/short-model-label.ts';
import type { ModelConfig, ShakedownConfig } from './config.ts';
import type { ClientFactory } from './execute-run.ts';

/**
 * The agent as a dimension of the run matrix (`--agent built-in,qwen-code,opencode`, `agents: [...]`): each cell is
 * one model inside one agent. A run with one agent keeps its models as they are (its store, ids and hashes are those
 * of older versions). A run with several turns each model into one "cell model" per agent, whose id is
 * `<model id>~<agent name>`: the store, resume, shards, distributed jobs, progress and the leaderboard, all keyed by
 * model id, are then keyed by model × agent, while the model client, endpoint queue and price see the model itself.
 */
export interface AgentCell {
  /** The model's own id (what its client, endpoint queue and price table see). */
  modelId: string;
  /** The model's own label, as configured (absent when none was). */
  modelLabel?: string;
  agent: AgentConfig;
  /** `built-in`, the preset name or `command`. */
  agentName: string;
}

/** A model of a run: a configured model, or one model × agent cell of a run with several agents. */
export type RunModel = ModelConfig & { agentCell?: AgentCell };

/** The agents of a run: `agents` when given, else the one `agent`. Throws when one appears twice. */
export function agentsOf(config: Pick<ShakedownConfig, 'agent'> & { agents?: AgentConfig[] }): AgentConfig[] {
  const agents = config.agents && config.agents.length > 0 ? config.agents : [config.agent];
  const names = agents.map(agentNameOf);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) {
    throw new Error(
      `agents lists ${duplicate} twice: give each agent once (one command agent per run at most)`,
    );
  }
  return agents;
}

/**
 * The run's models: with one agent, the models themselves; with several, one cell model per model × agent (models
 * outer, agents in the order given), labelled `<short model label> in <agent>`.
 */
export function expandAgentCells(models: readonly ModelConfig[], agents: readonly AgentConfig[]): RunModel[] {
  if (agents.length <= 1) return [...models];
  const shortLabels = shortModelLabels(
    models.map((model) => ({ modelId: model.id, label: model.label ?? model.id })),
  );
  return models.flatMap((model) =>
    agents.map((agent): RunModel => {
      const agentName = agentNameOf(agent);
      return {
        ...model,
        id: cellIdOf(model.id, agentName),
        label: `${shortLabels.get(model.id) ?? model.id} in ${agentDisplayName(agentName)}`,
        agentCell: {
          modelId: model.id,
          ...(model.label !== undefined ? { modelLabel: model.label } : {}),
          agent,
          agentName,
        },
      };
    }),
  );
}

/** The model itself of a run model: a cell model's own id and label; any other model unchanged. */
export function baseModelOf(model: ModelConfig): ModelConfig {
  const cell = (model as RunModel).agentCell;
  if (!cell) return model;
  const { agentCell: _cell, label: _label, ...rest } = model as RunModel;
  return { ...rest, id: cell.modelId, ...(cell.modelLabel !== undefined ? { label: cell.modelLabel } : {}) };
}

/** The model's own id of a run model (a cell model's model id; any other model's id). */
export function baseModelIdOf(model: ModelConfig): string {
  return (model as RunModel).agentCell?.modelId ?? model.id;
}

/** The agent a run model runs in: its cell's, else the run's `agent`. */
export function agentOfModel(model: ModelConfig, runAgent: AgentConfig | undefined): AgentConfig {
  return (model as RunModel).agentCell?.agent ?? runAgent ?? 'built-in';
}

/** A client factory that hands the model itself, never a cell model, to `clientFactory`. */
export function clientFactoryOfCells(clientFactory: ClientFactory): ClientFactory {
  return (model, request) => clientFactory(baseModelOf(model), request);
}

/** `built-in, external (preset qwen-code)` for people. */
export function describeAgents(agents: readonly AgentConfig[]): string {
  return agents.map(describeAgent).join(', ');
}
