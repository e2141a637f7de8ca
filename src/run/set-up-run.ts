import { chooseToolProtocol } from '../agent/tool-protocol.ts';
import { AGENT_CONTEXT_WARN_BELOW } from '../doctor/doctor.ts';
import { parseModelId } from '../providers/model-id.ts';
import { BUILT_IN_PRICE_TABLE, mergePriceTables, type PriceTable } from '../providers/price-table.ts';
import type { EndpointInfo } from '../providers/types.ts';
import type { Store } from '../store/store.ts';
import type { AttemptRecord, RunRecord } from '../store/store-types.ts';
import type { Task } from '../task/task.ts';
import type { ToolProtocolName } from '../transcript/events.ts';
import { baseModelIdOf } from './agent-matrix.ts';
import type { ModelConfig, ShakedownConfig } from './config.ts';
import type { ClientFactory, ExecuteRunOptions, RunProgressEvent } from './execute-run.ts';
import {
  describeFingerprintChange,
  fingerprintHash,
  type RunFingerprint,
  runFingerprintOf,
  taskHashOf,
} from './run-fingerprint.ts';
import { buildRunMatrix } from './run-matrix.ts';
import { archiveTranscript, transcriptPathOf } from './transcript-files.ts';

/** A resume was refused because the run's configuration changed. */
export class RunConfigChangedError extends Error {
  constructor(
    readonly runId: string,
    readonly changes: string[],
  ) {
    super(
      `config changed since run ${runId}: ${changes.join('; ') || 'configuration hash differs'}; start a new run`,
    );
    this.name = 'RunConfigChangedError';
  }
}

/** A new run was refused because no model endpoint answered at its start (see `requireReachableEndpoint`). */
export class EndpointsUnreachableError extends Error {
  constructor(readonly unreachable: { modelId: string; note: string | null }[]) {
    const names = unreachable.map(({ modelId, note }) => (note ? `${modelId} (${note})` : modelId));
    const doctor = unreachable.map(({ modelId }) => `shakedown doctor --model ${modelId}`).join(', ');
    super(
      `no model endpoint is reachable: ${names.join('; ')}; no attempts were created. ` +
        `Check the endpoint with: ${doctor} (or pass --allow-unreachable to run anyway)`,
    );
    this.name = 'EndpointsUnreachableError';
  }
}

/** Refuses a run without models or tasks. */
export function checkRunInput(models: readonly ModelConfig[], tasks: readonly Task[]): void {
  if (models.length === 0) throw new Error('no models to run: give --model or list models in shakedown.yaml');
  if (tasks.length === 0)
    throw new Error('no tasks to run: give --suite or --tasks, or list them in shakedown.yaml');
}

/** Input of {@link setUpRun}: what a run was asked for, and how it makes clients and reports. */
export interface SetUpRunOptions
  extends Pick<
    ExecuteRunOptions,
    'config' | 'models' | 'tasks' | 'store' | 'dataDir' | 'resume' | 'runId' | 'attemptFilter'
  > {
  /**
   * Refuse a new run (with {@link EndpointsUnreachableError}, before creating it) when every model's endpoint is
   * unreachable at the start; when only some are, they are warnings. Default false (a distributed coordinator's
   * workers may reach endpoints it cannot).
   */
  requireReachableEndpoint?: boolean;
  /** On resume, also run again the attempts that ended as infrastructure errors (default false). */
  retryInfrastructureErrors?: boolean;
  /** Settings stored with a new run's config besides {@link settingsOf}'s. */
  extraSettings?: Record<string, unknown>;
  clientFactory: ClientFactory;
  warn: (message: string) => void;
  progress: (event: RunProgressEvent) => void;
}

/** A run ready to have its pending attempts run. */
export interface RunSetUp {
  runId: string;
  resumed: boolean;
  priceTable: PriceTable;
  /** The tool protocol of each model, by model id. */
  protocols: Map<string, ToolProtocolName>;
  tasksById: Map<string, Task>;
  modelsById: Map<string, ModelConfig>;
  /** The attempts still to run. */
  pending: AttemptRecord[];
  /** On resume: how many attempts that had ended as infrastructure errors were put back to pending. */
  retriedInfrastructureErrors: number;
  /** Parallel slots each model's server reported when the run was created (null: not reported), by model id. */
  reportedSlots: Map<string, number | null>;
}

/**
 * Creates a run (its models described by their endpoints) or reopens the one to resume, ensures its matrix of
 * attempts, picks each model's tool protocol and reports `run-started`: what a local and a distributed run share
 * before they run attempts.
 */
export async function setUpRun(options: SetUpRunOptions): Promise<RunSetUp> {
  const { config, models, tasks, store, dataDir, clientFactory, warn } = options;
  const fingerprint = runFingerprintOf(config, models, tasks);
  const configHash = fingerprintHash(fingerprint);
  const priceTable = mergePriceTables(BUILT_IN_PRICE_TABLE, config.prices);

  let run: RunRecord;
  let retriedInfrastructureErrors = 0;
  const resumed = options.resume !== undefined;
  if (options.resume !== undefined) {
    ({ run, retriedInfrastructureErrors } = await prepareResume(
      store,
      options.resume,
      fingerprint,
      configHash,
      dataDir,
      options.retryInfrastructureErrors ?? false,
    ));
  } else {
    const endpointInfo = new Map<string, EndpointInfo | null>();
    for (const model of models) endpointInfo.set(model.id, await describeModel(model, clientFactory, warn));
    const unreachable = models.filter((model) => endpointInfo.get(model.id)?.reachable === false);
    if (options.requireReachableEndpoint && unreachable.length === models.length) {
      throw new EndpointsUnreachableError(
        unreachable.map((model) => ({
          modelId: model.id,
          note: endpointInfo.get(model.id)?.notes[0] ?? null,
        })),
      );
    }
    run = store.createRun({
      ...(options.runId ? { id: options.runId } : {}),
      config: { fingerprint, settings: { ...settingsOf(config), ...options.extraSettings } },
      configHash,
      priceTableVersion: priceTable.version,
      simulated: models.some((model) => isSimulated(model, endpointInfo.get(model.id) ?? null)),
      models: models.map((model) => {
        const info = endpointInfo.get(model.id) ?? null;
        return {
          modelId: model.id,
          label: model.label,
          provider: providerOf(model, info),
          simulated: isSimulated(model, info),
          endpointInfo: info ?? undefined,
        };
      }),
      tasks: tasks.map((task) => ({
        taskId: task.id,
        taskHash: taskHashOf(task),
        multiTurn: task.turns.length > 0,
      })),
    });
  }
  const runId = run.id;
  const matrix = buildRunMatrix(runId, models, tasks, config.attempts);
  store.ensureAttempts(runId, options.attemptFilter ? matrix.filter(options.attemptFilter) : matrix);

  const storedModels = new Map(store.runModels(runId).map((model) => [model.modelId, model]));
  const protocols = new Map<string, ToolProtocolName>(
    models.map((model) => [
      model.id,
      chooseToolProtocol(
        (storedModels.get(model.id)?.endpointInfo as EndpointInfo | null) ?? null,
        model.protocol,
      ),
    ]),
  );
  // Parallel slots the servers reported (llama.cpp total_slots): the default concurrency of their endpoint queues.
  const reportedSlots = new Map(
    models.map((model) => [
      model.id,
      (storedModels.get(model.id)?.endpointInfo as EndpointInfo | null)?.parallelSlots ?? null,
    ]),
  );
  const tasksById = new Map(tasks.map((task) => [task.id, task]));
  const modelsById = new Map(models.map((model) => [model.id, model]));
  const pending = store.attempts(runId, { status: 'pending' });
  const total = store.attempts(runId).length;
  options.progress({
    type: 'run-started',
    runId,
    resumed,
    total,
    pending: pending.length,
    pendingByModel: Object.fromEntries(
      models.map((model) => [model.id, pending.filter((attempt) => attempt.modelId === model.id).length]),
    ),
    models,
    simulatedModels: [...storedModels.values()]
      .filter((model) => model.simulated)
      .map((model) => model.modelId),
    ...(retriedInfrastructureErrors > 0 ? { retriedInfrastructureErrors } : {}),
  });
  return {
    runId,
    resumed,
    priceTable,
    protocols,
    tasksById,
    modelsById,
    pending,
    retriedInfrastructureErrors,
    reportedSlots,
  };
}

/**
 * Checks that a run may be resumed with this fingerprint, archives crashed transcripts and reopens the run. With
 * `retryInfrastructureErrors`, attempts that ended as infrastructure errors (not model results) go back to pending
 * too, their transcripts archived and their rows discarded; a completed run that has such attempts may then be
 * resumed. Finished attempts are never touched.
 */
async function prepareResume(
  store: Store,
  runId: string,
  fingerprint: RunFingerprint,
  configHash: string,
  dataDir: string,
  retryInfrastructureErrors: boolean,
): Promise<{ run: RunRecord; retriedInfrastructureErrors: number }> {
  const run = store.getRun(runId);
  if (!run) throw new Error(`no run ${runId} in ${store.path}; \`shakedown runs\` lists the stored runs`);
  const infrastructureErrors = retryInfrastructureErrors
    ? store.attempts(runId, { status: 'infrastructure-error' })
    : [];
  if (run.status === 'completed' && infrastructureErrors.length === 0) {
    throw new Error(`run ${runId} is already complete; nothing to resume`);
  }
  if (run.configHash !== configHash) {
    const stored = (run.config as { fingerprint?: unknown } | null)?.fingerprint;
    throw new RunConfigChangedError(runId, describeFingerprintChange(stored, fingerprint));
  }
  for (const attempt of store.attempts(runId, { status: 'running' })) {
    await archiveTranscript(transcriptPathOf(dataDir, runId, attempt), 'interrupted');
  }
  for (const attempt of infrastructureErrors) {
    await archiveTranscript(transcriptPathOf(dataDir, runId, attempt), 'infrastructure-error');
  }
  const resumedRun = store.resumeRun(runId, configHash).run;
  for (const attempt of infrastructureErrors) store.resetAttempt(attempt.id);
  return { run: resumedRun, retriedInfrastructureErrors: infrastructureErrors.length };
}

/** The run settings stored with a run's config. */
function settingsOf(config: ShakedownConfig) {
  return {
    concurrency: config.concurrency,
    sandbox: config.sandbox,
    infrastructureRetries: config.infrastructureRetries,
    attemptRetries: config.attemptRetries,
    prices: config.prices,
  };
}

/** The provider of a model: what its endpoint said, else its id's provider. */
function providerOf(model: ModelConfig, info: EndpointInfo | null): string {
  if (info) return info.provider;
  try {
    return parseModelId(baseModelIdOf(model)).provider;
  } catch {
    return baseModelIdOf(model).split(':', 1)[0] ?? 'unknown';
  }
}

/** Whether a model's results are simulated (scripted or `simulated:` models). */
function isSimulated(model: ModelConfig, info: EndpointInfo | null): boolean {
  return info?.simulated === true || baseModelIdOf(model).startsWith('simulated:');
}

/** Asks a model's endpoint to describe itself; failures are warnings (null), a client that cannot be made throws. */
async function describeModel(
  model: ModelConfig,
  clientFactory: ClientFactory,
  warn: (message: string) => void,
): Promise<EndpointInfo | null> {
  // A client that cannot be made (a missing API key, a bad id) fails the run before it starts.
  const client = clientFactory(model, { purpose: 'describe', taskId: null, attemptIndex: null, tryIndex: 0 });
  try {
    const info = await client.describe();
    if (!info.reachable) warn(`${model.id}: endpoint not reachable at the start of the run`);
    else warnAboutEndpoint(model.id, info, warn);
    return { ...info, simulated: info.simulated || client.simulated };
  } catch (error) {
    warn(
      `${model.id}: could not describe the endpoint: ${error instanceof Error ? error.message : String(error)}`,
    );
    return null;
  } finally {
    await client.close?.().catch(() => undefined);
  }
}

/**
 * Warns, before a run starts, about endpoint settings that quietly hurt agent work: a small real context (Ollama's
 * 4k default truncates silently) and CPU offload (slow decode).
 */
function warnAboutEndpoint(modelId: string, info: EndpointInfo, warn: (message: string) => void): void {
  if (info.contextLength !== null && info.contextLength < AGENT_CONTEXT_WARN_BELOW) {
    warn(
      `${modelId}: the endpoint's context is ${info.contextLength} tokens; agent work needs at least ${AGENT_CONTEXT_WARN_BELOW} (set the model's contextLength in shakedown.yaml, or the server's context size)`,
    );
  }
  if (info.cpuOffload === true) {
    warn(
      `${modelId}: part of the model is offloaded to the CPU (not all of it fits in VRAM): decode will be slow`,
    );
  }
}
