import { hostname } from 'node:os';
import PQueue from 'p-queue';
import { type ExternalAgentSpec, resolveExternalAgent } from '../external/agent-choice.ts';
import { localCostOfTime } from '../metrics/local-cost.ts';
import { createModelClient } from '../providers/create-model-client.ts';
import { withoutUrlCredentials } from '../providers/model-id.ts';
import { costOfUsage, findPrice } from '../providers/price-table.ts';
import { requestThread } from '../providers/request-thread/index.ts';
import type { ModelClient } from '../providers/types.ts';
import { warmHostProcesses } from '../sandbox/index.ts';
import type { Store } from '../store/store.ts';
import type { AttemptPlan, AttemptRecord, RunRecord } from '../store/store-types.ts';
import type { Task } from '../task/task.ts';
import type { AgentLimits, AttemptTotals } from '../transcript/events.ts';
import { createWorkspacePools } from '../workspace/workspace-pool.ts';
import {
  agentOfModel,
  agentsOf,
  baseModelIdOf,
  clientFactoryOfCells,
  expandAgentCells,
} from './agent-matrix.ts';
import { adaptAttemptsInFlight } from './attempts-in-flight.ts';
import type { ModelConfig, ShakedownConfig } from './config.ts';
import { type EndpointSlots, endpointSlots, gateClient } from './endpoint-gated-client.ts';
import { emptyOutcomeCounts, type OutcomeCounts } from './outcome-counts.ts';
import { requestPriority } from './request-priority.ts';
import { type AttemptOutcome, runAttempt } from './run-attempt.ts';
import { attemptConcurrencyOf, groupByEndpoint } from './run-matrix.ts';
import { secretRedactorOf } from './run-secret-redactor.ts';
import { checkRunInput, setUpRun } from './set-up-run.ts';

/** What a client is made for: the endpoint check at the start of a run, or one try of one attempt. */
export interface ClientRequest {
  purpose: 'describe' | 'attempt';
  taskId: string | null;
  attemptIndex: number | null;
  /** 0 for the first try of an attempt, then one more per infrastructure retry. */
  tryIndex: number;
}

/** Makes the model client of a model (default: {@link createModelClient}); tests inject scripted clients. */
export type ClientFactory = (model: ModelConfig, request: ClientRequest) => ModelClient;

/** Live progress of a run. */
export type RunProgressEvent =
  | {
      type: 'run-started';
      runId: string;
      resumed: boolean;
      total: number;
      pending: number;
      models: ModelConfig[];
      /** Attempts this invocation runs, by model id. */
      pendingByModel?: Record<string, number>;
      /** Ids of the models that answer from a simulated server or scripted model (labelled SIMULATED). */
      simulatedModels?: string[];
      /** On resume: attempts that had ended as infrastructure errors and run again (absent when none). */
      retriedInfrastructureErrors?: number;
      /** A distributed run (`--queue`): attempts run on workers, and their events name the worker. */
      distributed?: boolean;
    }
  | {
      /** A distributed attempt whose worker was lost: its job went back to the queue for another worker. */
      type: 'attempt-requeued';
      attemptId: string;
      modelId: string;
      taskId: string;
      attemptIndex: number;
      /** The worker that had it. */
      worker?: string;
    }
  | {
      type: 'attempt-started';
      attemptId: string;
      modelId: string;
      taskId: string;
      attemptIndex: number;
      tryIndex: number;
      /** The worker that picked the attempt up (distributed runs). */
      worker?: string;
    }
  | {
      type: 'attempt-finished';
      attemptId: string;
      modelId: string;
      taskId: string;
      attemptIndex: number;
      outcome: AttemptOutcome;
      /** The worker that ran the attempt (distributed runs; absent when unknown). */
      worker?: string;
    }
  | { type: 'warning'; message: string }
  | { type: 'run-finished'; runId: string; status: 'completed' | 'interrupted' };

/** Input of {@link executeRun}. */
export interface ExecuteRunOptions {
  config: ShakedownConfig;
  models: ModelConfig[];
  tasks: Task[];
  store: Store;
  dataDir: string;
  /**
   * Resume this run instead of creating one: only its pending, crashed running and infrastructure-error attempts
   * run (the latter two from scratch); finished attempts are never rerun.
   */
  resume?: string;
  clientFactory?: ClientFactory;
  onProgress?: (event: RunProgressEvent) => void;
  /** Aborting stops taking attempts, cancels the ones in flight (they run again on resume) and interrupts the run. */
  signal?: AbortSignal;
  /** Keep the workspaces of attempts that were not resolved (default false). */
  keepWorkspaces?: boolean;
  /** Environment API keys are read from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Run id for a new run (default: a fresh `run-…` id). */
  runId?: string;
  /** Keeps only the matrix cells this returns true for (`--shard i/n`); default: every cell. */
  attemptFilter?: (plan: AttemptPlan, position: number, matrix: readonly AttemptPlan[]) => boolean;
  /**
   * Start a new run even when every model endpoint is unreachable at its start (default false: such a run fails
   * with `EndpointsUnreachableError` before any attempt is created).
   */
  allowUnreachable?: boolean;
}

/** How a run ended. */
export interface ExecuteRunResult {
  runId: string;
  status: 'completed' | 'interrupted';
  resumed: boolean;
  /** Attempts run in this invocation, by outcome. */
  outcomes: OutcomeCounts;
}

/** Wall-clock limit of the hidden tests of one attempt. */
export const TEST_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Runs (or resumes) a run: inserts the matrix models × tasks × attempts as pending attempts, then runs them
 * `config.concurrency` at a time (default: 4 per endpoint slot at the start, see {@link attemptConcurrencyOf}, then
 * adapted to the time measured, see {@link adaptAttemptsInFlight}). Model
 * requests, not whole attempts, hold an endpoint's slots: every `step` goes through one queue per endpoint (its
 * concurrency from the model config, default 1 local / 4 API; see {@link gateClient}), so one attempt's set-up and
 * grading overlap other attempts' model requests, in the order {@link requestPriority} gives. Each attempt is recorded as it ends, so a crash loses at most the attempts in
 * flight, which a resume runs again from scratch; finished attempts are never rerun. No API key reaches the
 * store, transcripts or progress messages.
 */
export async function executeRun(input: ExecuteRunOptions): Promise<ExecuteRunResult> {
  const env = input.env ?? process.env;
  const redact = secretRedactorOf(input.models, env);
  // Credentials in a server URL stay with the client: ids, labels, file names, the store and reports see none.
  const { models: cleaned, clientFactory: credentialed } = credentialsApart(
    input.models,
    input.clientFactory ?? defaultClientFactory(input.config, env),
  );
  // Several agents: one cell model per model × agent (see agent-matrix.ts); clients see the model itself.
  const models = expandAgentCells(cleaned, agentsOf(input.config));
  const clientFactory = clientFactoryOfCells(credentialed);
  const options: ExecuteRunOptions = { ...input, models, clientFactory };
  const { config, tasks, store, dataDir } = options;
  checkRunInput(models, tasks);
  warmHostProcesses({ bubblewrap: config.sandbox === 'bubblewrap' || config.sandbox === 'auto' });
  requestThread().warm();
  const progress = (event: RunProgressEvent) => options.onProgress?.(event);
  const warned = new Set<string>();
  const warn = (message: string) => {
    const clean = redact(message);
    if (warned.has(clean)) return;
    warned.add(clean);
    progress({ type: 'warning', message: clean });
  };

  const externalAgents = resolveCellAgents(models, config);
  const { runId, resumed, priceTable, protocols, tasksById, modelsById, pending, reportedSlots } =
    await setUpRun({
      ...options,
      requireReachableEndpoint: !options.allowUnreachable,
      retryInfrastructureErrors: true,
      clientFactory,
      warn,
      progress,
    });

  const outcomes = emptyOutcomeCounts();
  const groups = groupByEndpoint(models, reportedSlots);
  const attemptQueue = new PQueue({ concurrency: attemptConcurrencyOf(config.concurrency, groups) });
  // One queue per endpoint, shared by all attempts against it: it gates each model request (see gateClient).
  const endpointQueues = new Map<string, EndpointSlots>();
  for (const group of groups) {
    const slots = endpointSlots(group.concurrency);
    for (const modelId of group.modelIds) endpointQueues.set(modelId, slots);
  }
  // Without a configured concurrency, the attempts in flight adapt to the time measured (see the function).
  const inFlight =
    config.concurrency === undefined
      ? adaptAttemptsInFlight(attemptQueue, {
          slots: groups.reduce((sum, group) => sum + group.concurrency, 0),
        })
      : null;
  // Requests of attempts under way go first while attempts wait to start; then the attempts with most work left.
  const priorityOf = (requestsDone: number) => requestPriority(requestsDone, attemptQueue.size > 0);
  const signal = options.signal;
  const worker = `${hostname()}:${process.pid}`;
  // Spare workspaces are copied while attempts run, so each attempt's set-up is a rename, not a copy.
  const workspacePools = createWorkspacePools({ size: Math.min(2, attemptQueue.concurrency) });
  let failure: unknown = null;

  const runOne = async (planned: AttemptRecord) => {
    // After an abort or a failure, attempts still queued start and return at once (a cleared p-queue would leave
    // their promises pending); attempts in flight finish their model requests or cancel them through the signal.
    if (signal?.aborted || failure !== null) return;
    const claimed = store.claimAttempt(planned.id, worker);
    if (!claimed) return;
    const model = modelsById.get(claimed.modelId);
    const task = tasksById.get(claimed.taskId);
    const endpointQueue = endpointQueues.get(claimed.modelId);
    if (!model || !task || !endpointQueue)
      throw new Error(`attempt ${claimed.id} names a model or task not in this run`);
    const limits = mergeLimits(config, task);
    const price = findPrice(priceTable, baseModelIdOf(model));
    const clock = inFlight?.startAttempt();
    const outcome = await runAttempt({
      store,
      runId,
      attempt: claimed,
      task,
      dataDir,
      createClient: (tryIndex) =>
        gateClient(
          clientFactory(model, {
            purpose: 'attempt',
            taskId: task.id,
            attemptIndex: claimed.attemptIndex,
            tryIndex,
          }),
          endpointQueue,
          { priorityOf, timing: clock },
        ),
      protocol: protocols.get(model.id) ?? 'native',
      temperature: model.temperature,
      limits: limits.agent,
      commandTimeoutMs: limits.commandTimeoutMs,
      testTimeoutMs: TEST_TIMEOUT_MS,
      costOfUsage: price ? (usage) => costOfUsage(price, usage) : undefined,
      costOfAttempt: (totals) => attemptCost(totals, price !== null, model),
      redact,
      sandboxBackend: config.sandbox,
      infrastructureRetries: config.attemptRetries,
      keepWorkspaces: options.keepWorkspaces ?? config.keepWorkspaces,
      workspacePools,
      agent: externalAgents.get(model.id) ?? null,
      signal,
      onTry: (tryIndex) =>
        progress({
          type: 'attempt-started',
          attemptId: claimed.id,
          modelId: claimed.modelId,
          taskId: claimed.taskId,
          attemptIndex: claimed.attemptIndex,
          tryIndex,
        }),
      onWarning: warn,
    }).finally(() => clock?.finished());
    outcomes[outcome] += 1;
    progress({
      type: 'attempt-finished',
      attemptId: claimed.id,
      modelId: claimed.modelId,
      taskId: claimed.taskId,
      attemptIndex: claimed.attemptIndex,
      outcome,
    });
  };

  for (const planned of pending) {
    if (!endpointQueues.has(planned.modelId))
      throw new Error(`attempt ${planned.id} names model ${planned.modelId}, which is not in this run`);
  }
  try {
    await Promise.all(
      pending.map((planned) =>
        attemptQueue
          .add(() => runOne(planned))
          .catch((error: unknown) => {
            failure ??= error;
          }),
      ),
    );
  } finally {
    inFlight?.stop();
    await workspacePools.close();
  }

  if (failure !== null || signal?.aborted) {
    // Attempts cut short run again from scratch on resume; their partial transcripts are archived then.
    store.resetRunningAttempts(runId);
    const status = failure !== null ? 'failed' : 'interrupted';
    store.markRun(runId, status, failure !== null ? redact(`failed: ${String(failure)}`) : undefined);
    if (failure !== null) throw failure;
    progress({ type: 'run-finished', runId, status: 'interrupted' });
    return { runId, status: 'interrupted', resumed, outcomes };
  }
  const left = store.attempts(runId, { status: ['pending', 'running'] }).length;
  const status = left === 0 ? 'completed' : 'interrupted';
  store.markRun(runId, status);
  progress({ type: 'run-finished', runId, status });
  return { runId, status, resumed, outcomes };
}

/**
 * The external agent of each model of the run (null: the built-in agent), by model id (a cell model's id in a run
 * with several agents). Throws the one-line fix when a preset is not installed or the sandbox cannot run it.
 */
export function resolveCellAgents(
  models: readonly ModelConfig[],
  config: Pick<ShakedownConfig, 'agent' | 'agents' | 'sandbox'>,
): Map<string, ExternalAgentSpec | null> {
  const agents = new Map<string, ExternalAgentSpec | null>();
  const runAgent = agentsOf(config)[0];
  for (const model of models) {
    const agent = resolveExternalAgent(agentOfModel(model, runAgent));
    if (agent?.notInstalled) throw new Error(agent.notInstalled);
    if (agent && (config.sandbox === 'docker' || config.sandbox === 'podman')) {
      throw new Error(
        `external agents run in the bubblewrap or none sandbox, not ${config.sandbox}: use --sandbox bubblewrap`,
      );
    }
    agents.set(model.id, agent);
  }
  return agents;
}

/**
 * The run `--resume` without an id picks: the newest run that did not complete (interrupted, failed, or left
 * `running` by a crash) or, with `retryInfrastructureErrors` (a local run: see {@link executeRun}), that has
 * attempts that ended as infrastructure errors. Null when there is none.
 */
export function findResumableRun(
  store: Store,
  options: { retryInfrastructureErrors?: boolean } = {},
): RunRecord | null {
  return (
    store
      .listRuns()
      .find(
        (run) =>
          run.status !== 'completed' ||
          (options.retryInfrastructureErrors === true &&
            store.attempts(run.id, { status: 'infrastructure-error' }).length > 0),
      ) ?? null
  );
}

/** Task limits over run limits, as the agent and tools take them. */
export function mergeLimits(
  config: Pick<ShakedownConfig, 'limits'>,
  task: Pick<Task, 'limits'>,
): { agent: AgentLimits; commandTimeoutMs: number } {
  const run = config.limits;
  const overrides = task.limits;
  const maxTotalTokens = overrides.maxTotalTokens ?? run.maxTotalTokens;
  const maxCostUsd = overrides.maxCostUsd ?? run.maxCostUsd;
  return {
    agent: {
      maxSteps: overrides.maxSteps ?? run.maxSteps,
      maxWallMs: (overrides.maxWallSeconds ?? run.maxWallSeconds) * 1000,
      ...(maxTotalTokens !== undefined ? { maxTotalTokens } : {}),
      ...(maxCostUsd !== undefined ? { maxCostUsd } : {}),
      maxConsecutiveFormatErrors: run.maxConsecutiveFormatErrors,
    },
    commandTimeoutMs: (overrides.commandTimeoutSeconds ?? run.commandTimeoutSeconds) * 1000,
  };
}

/** Cost of an attempt: its priced API cost, else the local cost of its model time, else null. */
export function attemptCost(
  totals: AttemptTotals | null,
  priced: boolean,
  model: ModelConfig,
): number | null {
  if (!totals) return null;
  if (priced) return totals.costUsd;
  if (model.localCost) return localCostOfTime(model.localCost, totals.modelMs);
  return null;
}

/**
 * The models with the credentials removed from their server URLs, and a client factory that gives the clients the
 * ids as written (so they send the credentials as Basic auth).
 */
export function credentialsApart(
  models: readonly ModelConfig[],
  clientFactory: ClientFactory,
): { models: ModelConfig[]; clientFactory: ClientFactory } {
  const written = new Map<string, string>();
  const cleaned = models.map((model) => {
    const { id } = withoutUrlCredentials(model.id);
    if (id === model.id) return model;
    written.set(id, model.id);
    return { ...model, id, ...(model.label ? { label: withoutUrlCredentials(model.label).id } : {}) };
  });
  if (written.size === 0) return { models: cleaned, clientFactory };
  return {
    models: cleaned,
    clientFactory: (model, request) =>
      clientFactory({ ...model, id: written.get(model.id) ?? model.id }, request),
  };
}

/** The client factory of a run without an injected one: real model clients, API keys read from `env`. */
export function defaultClientFactory(
  config: Pick<ShakedownConfig, 'infrastructureRetries'>,
  env: NodeJS.ProcessEnv,
): ClientFactory {
  return (model) =>
    createModelClient(model.id, {
      env,
      apiKey: model.apiKeyEnv ? env[model.apiKeyEnv] : undefined,
      numCtx: model.contextLength,
      threads: model.threads,
      promptCaching: model.promptCaching,
      retry: { maxRetries: config.infrastructureRetries },
    });
}
