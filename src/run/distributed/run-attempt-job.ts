import {
  BUILT_IN_PRICE_TABLE,
  costOfUsage,
  findPrice,
  mergePriceTables,
} from '../../providers/price-table.ts';
import { openStore } from '../../store/store.ts';
import type { AttemptRecord } from '../../store/store-types.ts';
import type { TranscriptEvent } from '../../transcript/events.ts';
import { attemptCost, type ClientFactory, defaultClientFactory } from '../execute-run.ts';
import { type AttemptOutcome, runAttempt } from '../run-attempt.ts';
import { secretRedactorOf } from '../run-secret-redactor.ts';
import type { AttemptJobData } from './attempt-job.ts';

/** Input of {@link runAttemptJob}. */
export interface RunAttemptJobOptions {
  /** The worker's name, stamped on the attempt. */
  worker: string;
  /** The worker's data folder: workspaces, repository cache and its own copy of each transcript. */
  dataDir: string;
  /** Default: real model clients with API keys from `env`. */
  clientFactory?: ClientFactory;
  /** Where API keys come from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onTry?: (tryIndex: number) => void;
  onWarning?: (message: string) => void;
}

/** What one attempt job produced. */
export interface AttemptJobOutcome {
  outcome: AttemptOutcome;
  /** The attempt as recorded (null when cancelled). */
  attempt: AttemptRecord | null;
  events: TranscriptEvent[];
}

/**
 * Runs one attempt job with the same per-attempt code as a local run (`runAttempt`: workspace, sandbox, agent —
 * built-in or the job's external agent, see attempt-agent.ts — grading, infrastructure retries). The attempt is recorded in a throwaway in-memory store, which is read back as
 * the result: only the coordinator writes the run's SQLite store.
 */
export async function runAttemptJob(
  data: AttemptJobData,
  options: RunAttemptJobOptions,
): Promise<AttemptJobOutcome> {
  const env = options.env ?? process.env;
  const { model, task } = data;
  const redact = secretRedactorOf([model], env);
  const clientFactory = options.clientFactory ?? defaultClientFactory(data.settings, env);
  const price = findPrice(mergePriceTables(BUILT_IN_PRICE_TABLE, data.settings.prices), model.id);

  const store = openStore(':memory:');
  try {
    store.createRun({
      id: data.runId,
      config: null,
      configHash: 'worker',
      simulated: false,
      models: [{ modelId: model.id, provider: 'worker', simulated: false }],
      tasks: [{ taskId: task.id, taskHash: 'worker' }],
    });
    store.ensureAttempts(data.runId, [
      { id: data.attemptId, modelId: model.id, taskId: task.id, attemptIndex: data.attemptIndex },
    ]);
    const claimed = store.claimAttempt(data.attemptId, options.worker);
    if (!claimed) throw new Error(`attempt ${data.attemptId} could not be claimed in the worker's store`);
    const outcome = await runAttempt({
      store,
      runId: data.runId,
      attempt: claimed,
      task,
      dataDir: options.dataDir,
      createClient: (tryIndex) =>
        clientFactory(model, {
          purpose: 'attempt',
          taskId: task.id,
          attemptIndex: data.attemptIndex,
          tryIndex,
        }),
      protocol: data.protocol,
      temperature: model.temperature,
      limits: data.limits,
      commandTimeoutMs: data.commandTimeoutMs,
      testTimeoutMs: data.testTimeoutMs,
      costOfUsage: price ? (usage) => costOfUsage(price, usage) : undefined,
      costOfAttempt: (totals) => attemptCost(totals, price !== null, model),
      redact,
      sandboxBackend: data.settings.sandbox,
      infrastructureRetries: data.settings.attemptRetries,
      keepWorkspaces: data.settings.keepWorkspaces,
      agent: data.agent,
      signal: options.signal,
      onTry: (tryIndex) => options.onTry?.(tryIndex),
      onWarning: (message) => options.onWarning?.(redact(message)),
    });
    if (outcome === 'cancelled') return { outcome, attempt: null, events: [] };
    return { outcome, attempt: store.attempt(data.attemptId), events: store.events(data.attemptId) };
  } finally {
    store.close();
  }
}
