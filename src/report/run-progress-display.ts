import { Listr } from 'listr2';
import type { RunProgressEvent } from '../run/execute-run.ts';
import { formatPace, runPace } from '../run/run-pace.ts';

/**
 * Shows a run's progress: listr2 lines per model on a terminal, plain lines otherwise (CI, pipes). A distributed
 * run (`run-started` with `distributed`) also shows which worker runs and ran which attempt: a listr2 line with
 * each worker's running and finished counts, and plain lines when a worker picks an attempt up and, on each
 * finished line, the worker that ran it.
 */
export interface RunProgressDisplay {
  /** Feed every progress event here. */
  onProgress(event: RunProgressEvent): void;
  /** Ends the display (after the run ended or failed). */
  stop(): Promise<void>;
}

interface ModelCounts {
  /** Attempts of this model this invocation runs (null when the run did not say). */
  total: number | null;
  resolved: number;
  unresolved: number;
  invalid: number;
  infrastructure: number;
  /** Attempts in flight, with the worker running each (null in a local run). */
  running: Map<string, string | null>;
}

interface WorkerCounts {
  running: Set<string>;
  finished: number;
}

const WORKERS_ROW = '\0workers';
const OVERALL_ROW = '\0overall';

function shortAttempt(attemptId: string): string {
  return attemptId.split('/').slice(-2).join('#');
}

function countsLine(counts: ModelCounts): string {
  const graded = counts.resolved + counts.unresolved + counts.invalid;
  const finished = graded + counts.infrastructure;
  const rate = graded > 0 ? ` (${Math.round((100 * counts.resolved) / graded)}% of graded)` : '';
  const progress = counts.total === null ? '' : `${finished}/${counts.total} · `;
  return `${progress}resolved ${counts.resolved}${rate} · unresolved ${counts.unresolved} · invalid ${counts.invalid} · infra ${counts.infrastructure}`;
}

/**
 * Creates the display. `interactive` (default: stdout is a TTY and `CI` is unset) picks listr2; otherwise one line
 * per finished attempt is written to `write`.
 */
export function createRunProgressDisplay(
  options: { interactive?: boolean; write?: (line: string) => void; now?: () => number } = {},
): RunProgressDisplay {
  const now = options.now ?? Date.now;
  let startedAt = now();
  let ticker: ReturnType<typeof setInterval> | undefined;
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
  let distributed = false;
  const workers = new Map<string, WorkerCounts>();
  const workerOf = new Map<string, string>();
  const simulated = new Set<string>();
  const modelLabel = (modelId: string) => (simulated.has(modelId) ? `${modelId} [SIMULATED]` : modelId);

  const refresh = (modelId: string) => {
    const entry = counts.get(modelId);
    if (!entry) return;
    const running = [...entry.running].map(
      ([attempt, worker]) => `${shortAttempt(attempt)}${worker ? ` on ${worker}` : ''}`,
    );
    titles.get(modelId)?.(
      `${modelLabel(modelId)}: ${countsLine(entry)}${running.length > 0 ? ` · running ${running.join(', ')}` : ''}`,
    );
  };
  const pace = () => formatPace(runPace(startedAt, now(), done, total));
  const refreshOverall = () => titles.get(OVERALL_ROW)?.(`${done}/${total} attempts · ${pace()}`);
  const refreshWorkers = () => {
    const line = [...workers]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, entry]) => `${name} running ${entry.running.size} · finished ${entry.finished}`)
      .join(' | ');
    titles.get(WORKERS_ROW)?.(`workers: ${line || 'waiting for a worker to pick up an attempt'}`);
  };
  const workerEntry = (name: string) => {
    let entry = workers.get(name);
    if (!entry) {
      entry = { running: new Set(), finished: 0 };
      workers.set(name, entry);
    }
    return entry;
  };
  const label = (event: { modelId: string; taskId: string; attemptIndex: number }) =>
    `${modelLabel(event.modelId)} ${event.taskId} #${event.attemptIndex}`;

  return {
    onProgress(event) {
      switch (event.type) {
        case 'run-started': {
          total = event.pending;
          startedAt = now();
          distributed = event.distributed === true;
          for (const modelId of event.simulatedModels ?? []) simulated.add(modelId);
          for (const model of event.models) {
            counts.set(model.id, {
              total: event.pendingByModel?.[model.id] ?? null,
              resolved: 0,
              unresolved: 0,
              invalid: 0,
              infrastructure: 0,
              running: new Map(),
            });
          }
          write(
            `${event.resumed ? 'resuming' : 'starting'} run ${event.runId}: ${event.pending} of ${event.total} attempts to run` +
              (event.retriedInfrastructureErrors
                ? ` (${event.retriedInfrastructureErrors} infrastructure ${event.retriedInfrastructureErrors === 1 ? 'error' : 'errors'} to run again)`
                : ''),
          );
          if (simulated.size > 0) {
            write(
              `SIMULATED: ${[...simulated].join(', ')} ${simulated.size === 1 ? 'answers' : 'answer'} from a simulated model; these numbers say nothing about a real model.`,
            );
          }
          if (interactive) {
            const rows = [
              { key: OVERALL_ROW, refresh: refreshOverall },
              ...event.models.map((model) => ({ key: model.id, refresh: () => refresh(model.id) })),
            ];
            if (distributed) rows.push({ key: WORKERS_ROW, refresh: refreshWorkers });
            listr = new Listr(
              rows.map((row) => ({
                title:
                  row.key === WORKERS_ROW ? 'workers' : row.key === OVERALL_ROW ? 'run' : modelLabel(row.key),
                task: async (_context: unknown, task: { title: string }) => {
                  titles.set(row.key, (title) => {
                    task.title = title;
                  });
                  row.refresh();
                  await finished;
                },
              })),
              { concurrent: true, exitOnError: false, rendererOptions: { collapseSubtasks: false } },
            ).run();
            // The elapsed time and ETA move between attempt events too.
            ticker = setInterval(refreshOverall, 1000);
            ticker.unref();
          }
          break;
        }
        case 'attempt-started': {
          counts.get(event.modelId)?.running.set(event.attemptId, event.worker ?? null);
          refresh(event.modelId);
          if (event.worker === undefined) break;
          // A stalled job picked up again by another worker moves there.
          const previous = workerOf.get(event.attemptId);
          if (previous !== undefined) workers.get(previous)?.running.delete(event.attemptId);
          workerOf.set(event.attemptId, event.worker);
          workerEntry(event.worker).running.add(event.attemptId);
          refreshWorkers();
          if (!interactive) {
            write(
              `[${done}/${total}] ${label(event)}: started on ${event.worker}${event.tryIndex > 0 ? ` (try ${event.tryIndex + 1})` : ''}`,
            );
          }
          break;
        }
        case 'attempt-requeued': {
          counts.get(event.modelId)?.running.delete(event.attemptId);
          const previous = workerOf.get(event.attemptId);
          if (previous !== undefined) workers.get(previous)?.running.delete(event.attemptId);
          workerOf.delete(event.attemptId);
          refresh(event.modelId);
          if (distributed) refreshWorkers();
          if (!interactive) {
            write(
              `[${done}/${total}] ${label(event)}: requeued${event.worker ? ` (worker ${event.worker} lost)` : ''}`,
            );
          }
          break;
        }
        case 'attempt-finished': {
          const entry = counts.get(event.modelId);
          if (!entry) break;
          entry.running.delete(event.attemptId);
          const previous = workerOf.get(event.attemptId);
          if (previous !== undefined) workers.get(previous)?.running.delete(event.attemptId);
          workerOf.delete(event.attemptId);
          if (event.worker !== undefined && event.outcome !== 'cancelled')
            workerEntry(event.worker).finished += 1;
          if (distributed) refreshWorkers();
          if (event.outcome === 'resolved') entry.resolved += 1;
          else if (event.outcome === 'unresolved') entry.unresolved += 1;
          else if (event.outcome === 'invalid') entry.invalid += 1;
          else if (event.outcome === 'infrastructure-error') entry.infrastructure += 1;
          if (event.outcome !== 'cancelled') done += 1;
          refresh(event.modelId);
          refreshOverall();
          if (!interactive && event.outcome !== 'cancelled') {
            write(
              `[${done}/${total}] ${label(event)}: ${event.outcome}${event.worker !== undefined ? ` on ${event.worker}` : ''} · ${pace()}`,
            );
          }
          break;
        }
        case 'warning':
          write(`warning: ${event.message}`);
          break;
        case 'run-finished':
          clearInterval(ticker);
          if (!interactive && done > 0) {
            for (const [modelId, entry] of counts) write(`${modelLabel(modelId)}: ${countsLine(entry)}`);
          }
          finishRun();
          break;
      }
    },
    async stop() {
      clearInterval(ticker);
      finishRun();
      await listr?.catch(() => undefined);
    },
  };
}
