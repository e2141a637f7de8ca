import type { AttemptOutcome } from './run-attempt.ts';

/** The attempts of one run invocation, counted by outcome. */
export type OutcomeCounts = Record<AttemptOutcome, number>;

/** Counts of every outcome at zero, before any attempt ran. */
export function emptyOutcomeCounts(): OutcomeCounts {
  return {
    resolved: 0,
    unresolved: 0,
    invalid: 0,
    'infrastructure-error': 0,
    cancelled: 0,
  };
}
