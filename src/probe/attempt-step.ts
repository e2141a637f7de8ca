import { ContextLengthExceededError } from '../providers/context-length-error.ts';
import { isInfrastructureError } from '../providers/infrastructure-error.ts';
import type { ModelClient, StepRequest, StepResult } from '../providers/types.ts';

/** Why a probe request produced no answer to score: never counted against the model. */
export type StepFailureKind = 'infrastructure-error' | 'context-exceeded';

/** A step's answer, or the infrastructure / context failure that prevented one. */
export type StepAttempt =
  | { ok: true; result: StepResult }
  | { ok: false; kind: StepFailureKind; error: string };

/**
 * Runs one model step, turning infrastructure errors and context overflows into values so that they are counted
 * apart from model failures. Any other error (a bug) is rethrown.
 */
export async function attemptStep(client: ModelClient, request: StepRequest): Promise<StepAttempt> {
  try {
    return { ok: true, result: await client.step(request) };
  } catch (error) {
    if (isInfrastructureError(error))
      return { ok: false, kind: 'infrastructure-error', error: error.message };
    if (error instanceof ContextLengthExceededError) {
      return { ok: false, kind: 'context-exceeded', error: error.message };
    }
    throw error;
  }
}
