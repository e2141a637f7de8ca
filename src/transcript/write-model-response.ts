import type { StepResult } from '../providers/types.ts';
import type { TranscriptEventOf } from './events.ts';
import type { TranscriptWriter } from './transcript-writer.ts';

/**
 * Writes one model answer to the transcript: first an `infrastructure-error` event (not final) for each failure
 * that was retried before it, then the `model-response` itself.
 */
export function writeModelResponse(
  transcript: TranscriptWriter,
  step: number,
  result: StepResult,
  proxy?: TranscriptEventOf<'model-response'>['proxy'],
): void {
  for (const retry of result.retries) {
    transcript.write({
      type: 'infrastructure-error',
      step,
      kind: retry.kind,
      message: retry.error,
      retries: retry.attempt,
      final: false,
    });
  }
  transcript.write({ type: 'model-response', step, result, ...(proxy ? { proxy } : {}) });
}
