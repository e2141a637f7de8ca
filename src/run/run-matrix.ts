import { parseModelId } from '../providers/model-id.ts';
import { attemptIdOf } from '../store/run-id.ts';
import type { AttemptPlan } from '../store/store-types.ts';
import type { Task } from '../task/task.ts';
import { baseModelIdOf } from './agent-matrix.ts';
import { INITIAL_ATTEMPTS_PER_SLOT } from './attempts-in-flight.ts';
import type { ModelConfig } from './config.ts';

/** Providers reached over the internet: several requests at once are normal there. */
const API_PROVIDERS = new Set(['openai', 'anthropic', 'openrouter']);

/** Default parallel requests to an API endpoint. */
export const DEFAULT_API_CONCURRENCY = 4;
/** Default parallel requests to a local endpoint (one GPU, one slot). */
export const DEFAULT_LOCAL_CONCURRENCY = 1;

/** One endpoint and the models of the run that share it (and its queue). */
export interface EndpointGroup {
  /** The model's server base URL, or `provider:model` for in-process and URL-less models. */
  key: string;
  /** Parallel model requests allowed against this endpoint (its slots). */
  concurrency: number;
  modelIds: string[];
}

/**
 * The queue key of a model: its server's base URL (models served by one server share its slots), or
 * `provider:model` when it has none (in-process GGUF, scripted and simulated models). An id that does not parse is
 * its own key.
 */
export function endpointKeyOf(model: ModelConfig): string {
  // The cells of one model inside several agents share its endpoint.
  const id = baseModelIdOf(model);
  try {
    const spec = parseModelId(id);
    return spec.baseUrl ?? `${spec.provider}:${spec.model}`;
  } catch {
    return id;
  }
}

/** Whether a model is a remote pay-per-token API (as opposed to a local server or an in-process model). */
export function isApiModel(model: ModelConfig): boolean {
  try {
    return API_PROVIDERS.has(parseModelId(baseModelIdOf(model)).provider);
  } catch {
    return false;
  }
}

/**
 * Groups the models by endpoint. A group's concurrency is the smallest `concurrency` its models set, else the
 * parallel slots a local server reported (llama.cpp `/props` total_slots, in `reportedSlots` by model id), else
 * {@link DEFAULT_API_CONCURRENCY} for APIs and {@link DEFAULT_LOCAL_CONCURRENCY} for local endpoints.
 */
export function groupByEndpoint(
  models: readonly ModelConfig[],
  reportedSlots: ReadonlyMap<string, number | null> = new Map(),
): EndpointGroup[] {
  const groups = new Map<string, EndpointGroup & { explicit: number[] }>();
  for (const model of models) {
    const key = endpointKeyOf(model);
    let group = groups.get(key);
    if (!group) {
      const slots = reportedSlots.get(model.id);
      const concurrency = isApiModel(model)
        ? DEFAULT_API_CONCURRENCY
        : slots !== undefined && slots !== null && slots >= 1
          ? slots
          : DEFAULT_LOCAL_CONCURRENCY;
      group = { key, concurrency, modelIds: [], explicit: [] };
      groups.set(key, group);
    }
    group.modelIds.push(model.id);
    if (model.concurrency !== undefined) group.explicit.push(model.concurrency);
  }
  return [...groups.values()].map(({ explicit, ...group }) => ({
    ...group,
    concurrency: explicit.length > 0 ? Math.min(...explicit) : group.concurrency,
  }));
}

/**
 * Attempts running at once in a run: the configured `concurrency` when given; else, at the start, the slots of all
 * endpoints together × {@link INITIAL_ATTEMPTS_PER_SLOT} (at least 2), which then adapts to the time measured (see
 * attempts-in-flight.ts). Attempts spend much of their life outside model requests (workspace set-up, tools,
 * grading), so more attempts than slots keep the slots busy.
 */
export function attemptConcurrencyOf(
  configured: number | undefined,
  groups: readonly EndpointGroup[],
): number {
  if (configured !== undefined) return configured;
  const slots = groups.reduce((sum, group) => sum + group.concurrency, 0);
  return Math.max(2, slots * INITIAL_ATTEMPTS_PER_SLOT);
}

/**
 * The run matrix: every model × task × attempt index 0..attempts-1, ordered by attempt index, then task, then
 * model, so that early results already cover every task and model.
 */
export function buildRunMatrix(
  runId: string,
  models: readonly ModelConfig[],
  tasks: readonly Pick<Task, 'id'>[],
  attempts: number,
): AttemptPlan[] {
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new Error(`attempts per task must be a positive integer, got ${attempts}`);
  }
  const modelIds = models.map((model) => model.id);
  const taskIds = tasks.map((task) => task.id);
  for (const [what, ids] of [
    ['model', modelIds],
    ['task', taskIds],
  ] as const) {
    const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
    if (duplicate !== undefined) throw new Error(`${what} ${duplicate} appears twice in the run`);
  }
  const plans: AttemptPlan[] = [];
  for (let attemptIndex = 0; attemptIndex < attempts; attemptIndex++) {
    for (const taskId of taskIds) {
      for (const modelId of modelIds) {
        plans.push({ modelId, taskId, attemptIndex, id: attemptIdOf(runId, modelId, taskId, attemptIndex) });
      }
    }
  }
  return plans;
}
