import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../../store/store.ts';
import type { AttemptRecord } from '../../store/store-types.ts';
import { transcriptPathOf } from '../transcript-files.ts';
import type { AttemptResultMessage } from './attempt-job.ts';

/** What became of a result: recorded, ignored as a late duplicate, or ignored as not an attempt of this run. */
export type RecordedResult =
  | { status: 'recorded'; attempt: AttemptRecord }
  | { status: 'duplicate'; attempt: AttemptRecord }
  | { status: 'unknown' };

const FINISHED: readonly string[] = ['finished', 'infrastructure-error'];

/**
 * Records a worker's finished attempt in the coordinator's store exactly once: the attempt (with the worker's
 * name, timings and grade) and its whole transcript replace the pending or running row in one transaction, and
 * the transcript is written as JSONL under the coordinator's data folder. A result for an attempt already
 * finished — a worker that stalled, was given up on and finished anyway — changes nothing and is reported as a
 * duplicate.
 */
export async function recordAttemptResult(
  store: Store,
  dataDir: string,
  message: Extract<AttemptResultMessage, { kind: 'finished' }>,
): Promise<RecordedResult> {
  const held = store.attempt(message.attemptId);
  if (!held || held.runId !== message.runId) return { status: 'unknown' };
  const transcriptPath = transcriptPathOf(dataDir, held.runId, held);
  const recorded = store.transaction((): RecordedResult => {
    const current = store.attempt(held.id);
    if (!current) return { status: 'unknown' };
    if (FINISHED.includes(current.status)) return { status: 'duplicate', attempt: current };
    store.importFinishedAttempt(
      {
        ...message.attempt,
        id: current.id,
        runId: current.runId,
        modelId: current.modelId,
        taskId: current.taskId,
        attemptIndex: current.attemptIndex,
        worker: message.worker,
        transcriptPath,
      },
      message.events,
    );
    return { status: 'recorded', attempt: store.attempt(current.id) ?? current };
  });
  if (recorded.status === 'recorded') {
    await mkdir(path.dirname(transcriptPath), { recursive: true });
    await writeFile(transcriptPath, message.events.map((event) => `${JSON.stringify(event)}\n`).join(''));
  }
  return recorded;
}
