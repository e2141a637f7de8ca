import { Listr } from 'listr2';
import type { RunProgressEvent } from './execute-run.ts';

/** Shows a run's progress: listr2 lines per model on a terminal, plain lines otherwise (CI, pipes). */
export interface RunProgressDisplay {
  /** Feed every progress event here. */
  onProgress(event: RunProgressEvent): void;
  /** Ends the display (after the run ended or failed). */
  stop(): Promise<void>;
}

interface ModelCounts {
  resolved: number;
  unresolved: number;
  invalid: number;
  infrastructure: number;
  running: Set<string>;
}

function countsLine(counts: ModelCounts): string {
  return `resolved ${counts.resolved} · unresolved ${counts.unresolved} · invalid ${counts.invalid} · infra ${counts.infrastructure}`;
}

/**
 * Creates the display. `interactive` (default: stdout is a TTY and `CI` is unset) picks listr2; otherwise one line
 * per finished attempt is written to `write`.
 */
export function createRunProgressDisplay(
  options: { interactive?: boolean; write?: (line: string) => void } = {},
): RunProgressDisplay {
  const interactive = options.interactive ?? (process.stdout.isTTY === true && !process.env.CI);
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const counts = new Map<string, ModelCounts>();
  let done = 0;
  let total = 0;
  let finishRun: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finishRun = resolve;
  });
  let listr: Promise<unknown> | null = null;
  const titles = new Map<string, (title: string) => void>();

  const refresh = (modelId: string) => {
    const entry = counts.get(modelId);
    if (!entry) return;
    const running = [...entry.running].map((attempt) => attempt.split('/').slice(-2).join('#'));
    titles.get(modelId)?.(
      `${modelId}: ${countsLine(entry)}${running.length > 0 ? ` · running ${running.join(', ')}` : ''}`,
    );
  };

  return {
    onProgress(event) {
      switch (event.type) {
        case 'run-started': {
          total = event.pending;
          for (const model of event.models) {
            counts.set(model.id, {
              resolved: 0,
              unresolved: 0,
              invalid: 0,
              infrastructure: 0,
              running: new Set(),
            });
          }
          write(
            `${event.resumed ? 'resuming' : 'starting'} run ${event.runId}: ${event.pending} of ${event.total} attempts to run` +
              (event.retriedInfrastructureErrors
                ? ` (${event.retriedInfrastructureErrors} infrastructure ${event.retriedInfrastructureErrors === 1 ? 'error' : 'errors'} to run again)`
                : ''),
          );
          if (interactive) {
            listr = new Listr(
              event.models.map((model) => ({
                title: model.id,
                task: async (_context: unknown, task: { title: string }) => {
                  titles.set(model.id, (title) => {
                    task.title = title;
                  });
                  refresh(model.id);
                  await finished;
                },
              })),
              { concurrent: true, exitOnError: false, rendererOptions: { collapseSubtasks: false } },
            ).run();
          }
          break;
        }
        case 'attempt-started':
          counts.get(event.modelId)?.running.add(event.attemptId);
          refresh(event.modelId);
          break;
        case 'attempt-finished': {
          const entry = counts.get(event.modelId);
          if (!entry) break;
          entry.running.delete(event.attemptId);
          if (event.outcome === 'resolved') entry.resolved += 1;
          else if (event.outcome === 'unresolved') entry.unresolved += 1;
          else if (event.outcome === 'invalid') entry.invalid += 1;
          else if (event.outcome === 'infrastructure-error') entry.infrastructure += 1;
          if (event.outcome !== 'cancelled') done += 1;
          refresh(event.modelId);
          if (!interactive && event.outcome !== 'cancelled') {
            write(
              `[${done}/${total}] ${event.modelId} ${event.taskId} #${event.attemptIndex}: ${event.outcome}`,
            );
          }
          break;
        }
        case 'warning':
          write(`warning: ${event.message}`);
          break;
        case 'run-finished':
          finishRun();
          break;
      }
    },
    async stop() {
      finishRun();
      await listr?.catch(() => undefined);
    },
  };
}
