import { type ConnectionOptions, type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { resolveExternalAgent } from '../../external/agent-choice.ts';
import { withoutUrlCredentials } from '../../providers/model-id.ts';
import {
  agentOfModel,
  agentsOf,
  baseModelIdOf,
  baseModelOf,
  clientFactoryOfCells,
  expandAgentCells,
} from '../agent-matrix.ts';
import {
  defaultClientFactory,
  type ExecuteRunOptions,
  type ExecuteRunResult,
  mergeLimits,
  type RunProgressEvent,
  TEST_TIMEOUT_MS,
} from '../execute-run.ts';
import { emptyOutcomeCounts } from '../outcome-counts.ts';
import type { AttemptOutcome } from '../run-attempt.ts';
import { secretRedactorOf } from '../run-secret-redactor.ts';
import { checkRunInput, setUpRun } from '../set-up-run.ts';
import { ATTEMPT_JOB_VERSION, type AttemptJobData, type AttemptResultMessage } from './attempt-job.ts';
import {
  attemptIdOfJob,
  attemptQueueNameOf,
  jobIdOf,
  QUEUE_PREFIX,
  resultQueueNameOf,
} from './queue-names.ts';
import { recordAttemptResult } from './record-attempt-result.ts';

/** Input of {@link executeDistributedRun}: a local run's input plus the Redis to queue attempts on. */
export interface ExecuteDistributedRunOptions extends Omit<ExecuteRunOptions, 'attemptFilter'> {
  connection: ConnectionOptions;
  /** Called for every result a worker sends, recorded or ignored. */
  onResult?: (result: DistributedResult) => void;
}

/** One result from a worker, as the coordinator took it. */
export interface DistributedResult {
  attemptId: string;
  worker: string;
  outcome: Exclude<AttemptOutcome, 'cancelled'>;
  /** `duplicate`: the attempt was already recorded (a stalled job run twice); the result was ignored. */
  status: 'recorded' | 'duplicate' | 'unknown';
}

/** How a distributed run ended. */
export interface ExecuteDistributedRunResult extends ExecuteRunResult {
  /** Late duplicate results ignored. */
  duplicates: number;
}

const FINISHED: readonly string[] = ['finished', 'infrastructure-error'];

/**
 * Once every attempt of a run is recorded, removes what the run left in Redis: its attempts' jobs (kept otherwise
 * for a day by BullMQ) and its result queue. The model queues stay: workers and other runs share them.
 */
async function removeRunFromRedis(
  runId: string,
  attempts: readonly { id: string; modelId: string }[],
  queues: ReadonlyMap<string, Queue<AttemptJobData>>,
  results: Worker<AttemptResultMessage>,
): Promise<void> {
  for (const attempt of attempts) {
    const job = await queues.get(attempt.modelId)?.getJob(jobIdOf(attempt.id));
    if (job && job.data.runId === runId) await job.remove().catch(() => undefined);
  }
  await results.close();
  const resultQueue = new Queue(results.name, { connection: results.opts.connection, prefix: QUEUE_PREFIX });
  try {
    await resultQueue.obliterate({ force: true });
  } finally {
    await resultQueue.close();
  }
}

/**
 * Runs (or resumes) a run on workers (`shakedown run --queue`): creates the run and its pending attempts in the
 * local store exactly like a local run, enqueues each pending attempt on its model's BullMQ queue (job id = attempt
 * id, so enqueueing twice queues once; the job carries the task, limits, protocol, agent and settings), and records the
 * results workers send back on the run's result queue — only this process writes the store, and each attempt is
 * recorded once (late duplicates of stalled jobs are ignored and reported). An attempt whose job fails for good
 * (its workers kept dying) is recorded as an infrastructure error. Aborting stops listening and marks the run
 * interrupted; queued attempts stay queued and a resume collects their results.
 */
export async function executeDistributedRun(
  options: ExecuteDistributedRunOptions,
): Promise<ExecuteDistributedRunResult> {
  const { config, store, dataDir, connection } = options;
  // Several agents: one cell model per model × agent (see agent-matrix.ts); jobs and queues carry the model itself.
  const models = expandAgentCells(options.models, agentsOf(config));
  // Jobs carry model ids to the workers and into Redis: an id with a password would travel and be stored in clear.
  const credentialed = models.find((model) => withoutUrlCredentials(model.id).basicAuth !== null);
  if (credentialed) {
    throw new Error(
      `model ${withoutUrlCredentials(credentialed.id).id}: credentials in a server URL are not supported with --queue (they would travel in every job); run it locally, or put the server behind a proxy that adds them`,
    );
  }
  checkRunInput(models, options.tasks);
  const env = options.env ?? process.env;
  const redact = secretRedactorOf(models, env);
  const clientFactory = clientFactoryOfCells(options.clientFactory ?? defaultClientFactory(config, env));
  // The display shows per-worker progress for a run whose start says it is distributed.
  const progress = (event: RunProgressEvent) =>
    options.onProgress?.(event.type === 'run-started' ? { ...event, distributed: true } : event);
  const warn = (message: string) => progress({ type: 'warning', message: redact(message) });

  // Workers run the agent resolved here, from the same paths (see `checkAttemptJobAgent`).
  const runAgent = agentsOf(config)[0];
  const agents = new Map(
    models.map((model) => [model.id, resolveExternalAgent(agentOfModel(model, runAgent))]),
  );
  if ([...agents.values()].some(Boolean) && (config.sandbox === 'docker' || config.sandbox === 'podman')) {
    throw new Error(
      `external agents run in the bubblewrap or none sandbox, not ${config.sandbox}: use --sandbox bubblewrap`,
    );
  }

  const { runId, resumed, protocols, tasksById, modelsById, pending } = await setUpRun({
    ...options,
    models,
    extraSettings: { distributed: true },
    clientFactory,
    warn,
    progress,
  });

  const outcomes = emptyOutcomeCounts();
  let duplicates = 0;
  const unfinished = () => store.attempts(runId, { status: ['pending', 'running'] }).length;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const checkDone = () => {
    if (unfinished() === 0) finish();
  };
  const signal = options.signal;
  signal?.addEventListener('abort', () => finish(), { once: true });

  const onMessage = async (job: Job<AttemptResultMessage>) => {
    const message = job.data;
    if (message.version !== ATTEMPT_JOB_VERSION || message.runId !== runId) {
      warn(`ignored a result message of version ${message.version} for run ${message.runId}`);
      return;
    }
    if (message.kind === 'started') {
      const attempt = store.attempt(message.attemptId);
      if (!attempt || attempt.runId !== runId || FINISHED.includes(attempt.status)) return;
      if (attempt.status === 'pending') store.claimAttempt(attempt.id, message.worker);
      progress({
        type: 'attempt-started',
        attemptId: attempt.id,
        modelId: attempt.modelId,
        taskId: attempt.taskId,
        attemptIndex: attempt.attemptIndex,
        tryIndex: message.tryIndex,
        worker: message.worker,
      });
      return;
    }
    const recorded = await recordAttemptResult(store, dataDir, message);
    options.onResult?.({
      attemptId: message.attemptId,
      worker: message.worker,
      outcome: message.outcome,
      status: recorded.status,
    });
    if (recorded.status === 'duplicate') {
      duplicates += 1;
      warn(
        `ignored a duplicate result for ${message.attemptId} from ${message.worker} (already recorded from ${recorded.attempt.worker ?? 'another worker'})`,
      );
    } else if (recorded.status === 'unknown') {
      warn(`ignored a result for ${message.attemptId}, which is not an attempt of run ${runId}`);
    } else {
      outcomes[message.outcome] += 1;
      progress({
        type: 'attempt-finished',
        attemptId: recorded.attempt.id,
        modelId: recorded.attempt.modelId,
        taskId: recorded.attempt.taskId,
        attemptIndex: recorded.attempt.attemptIndex,
        outcome: message.outcome,
        worker: message.worker,
      });
    }
    checkDone();
  };

  const onJobFailed = ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {
    const attempt = store.attempt(attemptIdOfJob(jobId));
    if (!attempt || attempt.runId !== runId || FINISHED.includes(attempt.status)) return;
    store.transaction(() => {
      if (attempt.status === 'pending') store.claimAttempt(attempt.id, 'unknown');
      store.finishAttempt(attempt.id, {
        status: 'infrastructure-error',
        error: redact(`the attempt's job failed on the workers: ${failedReason}`),
      });
    });
    outcomes['infrastructure-error'] += 1;
    progress({
      type: 'attempt-finished',
      attemptId: attempt.id,
      modelId: attempt.modelId,
      taskId: attempt.taskId,
      attemptIndex: attempt.attemptIndex,
      outcome: 'infrastructure-error',
      ...(attempt.worker ? { worker: attempt.worker } : {}),
    });
    checkDone();
  };

  // A worker that died mid-attempt leaves its job stalled; BullMQ puts it back in the queue for another worker.
  const onJobStalled = (jobId: string) => {
    const attempt = store.attempt(attemptIdOfJob(jobId));
    if (!attempt || attempt.runId !== runId || FINISHED.includes(attempt.status)) return;
    progress({
      type: 'attempt-requeued',
      attemptId: attempt.id,
      modelId: attempt.modelId,
      taskId: attempt.taskId,
      attemptIndex: attempt.attemptIndex,
      ...(attempt.worker ? { worker: attempt.worker } : {}),
    });
  };

  // One queue per model itself (workers take jobs by model id), shared by that model's cells in several agents.
  const baseModelIds = [...new Set(models.map(baseModelIdOf))];
  const queuesByModel = new Map(
    baseModelIds.map((modelId) => [
      modelId,
      new Queue<AttemptJobData>(attemptQueueNameOf(modelId), { connection, prefix: QUEUE_PREFIX }),
    ]),
  );
  const queues = new Map(
    models.flatMap((model) => {
      const queue = queuesByModel.get(baseModelIdOf(model));
      return queue ? [[model.id, queue] as const] : [];
    }),
  );
  const queueEvents = baseModelIds.map(
    (modelId) => new QueueEvents(attemptQueueNameOf(modelId), { connection, prefix: QUEUE_PREFIX }),
  );
  for (const events of queueEvents) {
    events.on('failed', (event) => onJobFailed(event));
    events.on('stalled', ({ jobId }) => onJobStalled(jobId));
  }
  // Results are written one at a time: the store has a single writer, this process.
  const results = new Worker<AttemptResultMessage>(resultQueueNameOf(runId), onMessage, {
    connection,
    prefix: QUEUE_PREFIX,
    concurrency: 1,
  });
  results.on('failed', (job, error) =>
    warn(`could not record result ${job?.data.attemptId ?? job?.id}: ${error.message}`),
  );
  results.on('error', (error) => warn(`result queue error: ${error.message}`));

  try {
    await Promise.all([results.waitUntilReady(), ...queueEvents.map((events) => events.waitUntilReady())]);
    for (const planned of pending) {
      const model = modelsById.get(planned.modelId);
      const task = tasksById.get(planned.taskId);
      const queue = queues.get(planned.modelId);
      if (!model || !task || !queue)
        throw new Error(`attempt ${planned.id} names a model or task not in this run`);
      const jobId = jobIdOf(planned.id);
      // A job that failed for good in an earlier invocation is queued again, like an attempt left pending.
      const existing = await queue.getJob(jobId);
      if (existing && (await existing.getState()) === 'failed') await existing.remove();
      const limits = mergeLimits(config, task);
      await queue.add(
        'attempt',
        {
          version: ATTEMPT_JOB_VERSION,
          runId,
          attemptId: planned.id,
          attemptIndex: planned.attemptIndex,
          resultQueue: resultQueueNameOf(runId),
          model: baseModelOf(model),
          task,
          protocol: protocols.get(model.id) ?? 'native',
          limits: limits.agent,
          commandTimeoutMs: limits.commandTimeoutMs,
          testTimeoutMs: TEST_TIMEOUT_MS,
          agent: agents.get(model.id) ?? null,
          settings: {
            sandbox: config.sandbox,
            infrastructureRetries: config.infrastructureRetries,
            attemptRetries: config.attemptRetries,
            keepWorkspaces: options.keepWorkspaces ?? config.keepWorkspaces,
            prices: config.prices,
          },
        },
        {
          jobId,
          attempts: 1,
          removeOnComplete: { age: 24 * 60 * 60 },
          removeOnFail: { age: 7 * 24 * 60 * 60 },
        },
      );
    }
    checkDone();
    await done;
    if (!signal?.aborted) await removeRunFromRedis(runId, pending, queues, results);
  } finally {
    await results.close();
    await Promise.all(queueEvents.map((events) => events.close()));
    await Promise.all([...queuesByModel.values()].map((queue) => queue.close()));
  }

  if (signal?.aborted) {
    // Attempts still queued or running on workers stay queued; a resume collects their results.
    store.resetRunningAttempts(runId);
    store.markRun(runId, 'interrupted');
    progress({ type: 'run-finished', runId, status: 'interrupted' });
    return { runId, status: 'interrupted', resumed, outcomes, duplicates };
  }
  store.markRun(runId, 'completed');
  progress({ type: 'run-finished', runId, status: 'completed' });
  return { runId, status: 'completed', resumed, outcomes, duplicates };
}
