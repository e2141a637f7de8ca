import { hostname } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { redisConnectionOf } from '../run/distributed/redis-connection.ts';
import { startAttemptWorker } from '../run/distributed/start-attempt-worker.ts';
import { positiveInteger } from '../shared/positive-integer.ts';

/** Options of `shakedown worker`, as commander parses them. */
export interface WorkerCommandOptions {
  queue: string;
  serves: string[];
  concurrency?: number;
  name?: string;
  dataDir?: string;
}

/**
 * `shakedown worker --queue redis://HOST:PORT --serves MODEL...`: runs the attempts a `shakedown run --queue`
 * coordinator queued for the models this host serves, with the local per-attempt code, and sends each result and
 * transcript back. Task repositories must be at the same path on every host, and so must an external agent
 * (`run --agent`): workers run the command the coordinator resolved, from the same paths. The first SIGINT/SIGTERM stops taking
 * attempts and finishes those in flight; a second quits at once (their jobs go to another worker).
 */
export function createWorkerCommand(): Command {
  return new Command('worker')
    .description(
      'Run queued attempts of a distributed run (shakedown run --queue) for the models served here',
    )
    .addHelpText(
      'after',
      `
Task repositories (snapshot folders or git checkouts) must be at the same path on every host. A run with an
external agent (shakedown run --agent qwen-code|opencode|codex|aider|command:…) sends the agent's command as the
coordinator resolved it: install the agent on every worker at the same path (same executable, same read-only
installation folders; a worker missing them fails the attempt as an infrastructure error), and use the
bubblewrap or none sandbox. API keys are read from each worker's own environment.`,
    )
    .requiredOption('--queue <url>', 'Redis URL of the coordinator’s queue, e.g. redis://10.0.0.5:6379')
    .requiredOption('--serves <model...>', 'model ids this host serves (exactly as the run names them)')
    .option('--concurrency <n>', 'attempts run at once per served model (default 1)', positiveInteger)
    .option('--name <name>', 'worker name recorded with each attempt (default host:pid)')
    .option(
      '--data-dir <dir>',
      'workspaces, repository cache and transcripts here (default .shakedown-worker)',
    )
    .action(async (options: WorkerCommandOptions) => {
      process.exitCode = await workerCommand(options);
    });
}

/** Does the work of `shakedown worker`; resolves with the exit code once the worker has shut down. */
export async function workerCommand(options: WorkerCommandOptions): Promise<number> {
  const line = (message: string) => process.stderr.write(`${message}\n`);
  const name = options.name ?? `${hostname()}:${process.pid}`;
  let worker: Awaited<ReturnType<typeof startAttemptWorker>>;
  try {
    worker = await startAttemptWorker({
      connection: redisConnectionOf(options.queue),
      serves: options.serves,
      name,
      concurrency: options.concurrency,
      dataDir: path.resolve(options.dataDir ?? '.shakedown-worker'),
      onEvent: (event) => {
        if (event.type === 'attempt-started')
          line(`${event.attemptId}: started${event.tryIndex > 0 ? ` (try ${event.tryIndex + 1})` : ''}`);
        else if (event.type === 'attempt-finished') line(`${event.attemptId}: ${event.outcome}`);
        else line(`warning: ${event.message}`);
      },
    });
  } catch (error) {
    line(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  line(`worker ${name} serving ${options.serves.join(', ')} from ${options.queue}`);
  return await new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) process.exit(130);
      line(
        `\n${signal}: finishing the attempts in flight; again to quit now (their jobs go to another worker)`,
      );
      void worker.close().then(
        () => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve(0);
        },
        (error: unknown) => {
          line(`error while shutting down: ${String(error)}`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
