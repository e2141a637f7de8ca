import { type AgentConfig, describeAgent } from '../external/agent-choice.ts';
import { computeConfigHash, stableStringify } from '../store/stable-json.ts';
import type { Task } from '../task/task.ts';
import type { LimitsConfig, ModelConfig, ShakedownConfig } from './config.ts';

/** The part of a run's configuration that determines its matrix and what each attempt means. */
export interface RunFingerprint {
  models: Array<Pick<ModelConfig, 'id' | 'protocol' | 'contextLength' | 'temperature' | 'promptCaching'>>;
  tasks: Array<{ id: string; hash: string }>;
  attempts: number;
  limits: LimitsConfig;
  /** The external agent under test; absent for the built-in agent (so older runs keep their hash). */
  agent?: Exclude<AgentConfig, 'built-in'>;
  /** The agents of a run with several (each cell = model × agent); absent with one agent. */
  agents?: AgentConfig[];
}

/** Content hash of a task: everything that defines it except where its folder happens to be. */
export function taskHashOf(task: Task): string {
  const { directory: _directory, repository, ...content } = task;
  const source = repository.kind === 'git' ? { git: repository.url } : { directory: true };
  return computeConfigHash({ ...content, repository: source });
}

/**
 * The fingerprint of a run. Labels, concurrency, the data folder and the sandbox are left out: changing them
 * does not change what an attempt measures, so a resume may change them.
 */
export function runFingerprintOf(
  config: Pick<ShakedownConfig, 'attempts' | 'limits'> & Partial<Pick<ShakedownConfig, 'agent' | 'agents'>>,
  models: readonly ModelConfig[],
  tasks: readonly Task[],
): RunFingerprint {
  return {
    models: models.map((model) => ({
      id: model.id,
      protocol: model.protocol,
      contextLength: model.contextLength,
      temperature: model.temperature,
      // Prompt caching changes what an Anthropic attempt costs; absent when unset, so older runs keep their hash.
      ...(model.promptCaching !== undefined ? { promptCaching: model.promptCaching } : {}),
    })),
    tasks: tasks.map((task) => ({ id: task.id, hash: taskHashOf(task) })),
    attempts: config.attempts,
    limits: config.limits,
    ...(config.agents !== undefined && config.agents.length > 1
      ? { agents: config.agents }
      : singleAgentOf(config) !== 'built-in'
        ? { agent: singleAgentOf(config) as Exclude<AgentConfig, 'built-in'> }
        : {}),
  };
}

/** The one agent of a run without several: `agents[0]` when one is listed, else `agent`. */
function singleAgentOf(config: Partial<Pick<ShakedownConfig, 'agent' | 'agents'>>): AgentConfig {
  return config.agents?.[0] ?? config.agent ?? 'built-in';
}

/** `computeConfigHash` of a fingerprint: the run's `config_hash`. */
export function fingerprintHash(fingerprint: RunFingerprint): string {
  return computeConfigHash(fingerprint);
}

/** Says in words what differs between a stored fingerprint and the current one (empty when nothing does). */
export function describeFingerprintChange(stored: unknown, current: RunFingerprint): string[] {
  const before = (stored ?? {}) as Partial<Record<keyof RunFingerprint, unknown>>;
  const changes: string[] = [];
  const idsOf = (value: unknown): string[] =>
    Array.isArray(value) ? value.map((item) => String((item as { id?: unknown }).id)) : [];
  const listChange = (what: string, previous: unknown, now: Array<{ id: string }>) => {
    const was = idsOf(previous);
    const is = now.map((item) => item.id);
    const added = is.filter((id) => !was.includes(id));
    const removed = was.filter((id) => !is.includes(id));
    if (added.length > 0) changes.push(`${what} added: ${added.join(', ')}`);
    if (removed.length > 0) changes.push(`${what} removed: ${removed.join(', ')}`);
    if (
      added.length === 0 &&
      removed.length === 0 &&
      stableStringify(previous ?? null) !== stableStringify(now)
    ) {
      const byId = new Map((Array.isArray(previous) ? previous : []).map((item) => [String(item.id), item]));
      const changed = now.filter(
        (item) => stableStringify(byId.get(item.id) ?? null) !== stableStringify(item),
      );
      changes.push(`${what} changed: ${changed.map((item) => item.id).join(', ') || 'order'}`);
    }
  };
  listChange('models', before.models, current.models);
  listChange('tasks', before.tasks, current.tasks);
  if (before.attempts !== current.attempts) {
    changes.push(`attempts per task ${String(before.attempts)} -> ${current.attempts}`);
  }
  if (stableStringify(before.limits ?? null) !== stableStringify(current.limits)) {
    changes.push(`limits ${stableStringify(before.limits ?? null)} -> ${stableStringify(current.limits)}`);
  }
  if (stableStringify(before.agent ?? null) !== stableStringify(current.agent ?? null)) {
    const describe = (agent: unknown) =>
      agent === undefined || agent === null ? 'built-in' : describeAgent(agent as AgentConfig);
    changes.push(`agent ${describe(before.agent)} -> ${describe(current.agent)}`);
  }
  if (stableStringify(before.agents ?? null) !== stableStringify(current.agents ?? null)) {
    const describe = (agents: unknown) =>
      Array.isArray(agents)
        ? agents.map((agent) => describeAgent(agent as AgentConfig)).join(', ')
        : 'one agent';
    changes.push(`agents ${describe(before.agents)} -> ${describe(current.agents)}`);
  }
  return changes;
}
