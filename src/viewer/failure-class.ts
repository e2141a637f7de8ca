import type { FailureClass } from './api-types.ts';

/** The attempt fields that decide its outcome. */
export interface OutcomeInput {
  status: string;
  agentStatus: string | null;
  gradeStatus: string | null;
  /** Whether grading detected tampering (the grade's `tampering.detected`). */
  tamperingDetected?: boolean;
}

/**
 * The outcome of an attempt, named as `computeRunMetrics` names them: `resolved`, `infrastructure-error`,
 * `incomplete`, `tampering-detected`, `invalid-grade`, `wrong-fix` (submitted but unresolved), `ungraded`, or the agent status that ended
 * it (`step-limit`, `format-errors`, ...).
 */
export function outcomeOf(attempt: OutcomeInput): string {
  if (attempt.status === 'infrastructure-error' || attempt.agentStatus === 'infrastructure-error')
    return 'infrastructure-error';
  if (attempt.status !== 'finished') return 'incomplete';
  if (attempt.gradeStatus === 'resolved') return 'resolved';
  if (attempt.tamperingDetected) return 'tampering-detected';
  if (attempt.gradeStatus === 'invalid') return 'invalid-grade';
  if (attempt.agentStatus === null || attempt.agentStatus === 'submitted')
    return attempt.gradeStatus === null ? 'ungraded' : 'wrong-fix';
  return attempt.agentStatus;
}

/**
 * Which layer an attempt failed in: `infrastructure` (endpoint or harness), `agent` (the agent stopped without
 * submitting: a limit, format errors, no submission), `grade` (submitted, but the hidden tests did not pass or could
 * not be run), `incomplete` (not finished yet), or `none` (resolved).
 */
export function failureClassOf(outcome: string): FailureClass {
  switch (outcome) {
    case 'resolved':
      return 'none';
    case 'infrastructure-error':
      return 'infrastructure';
    case 'incomplete':
      return 'incomplete';
    case 'invalid-grade':
    case 'tampering-detected':
    case 'wrong-fix':
    case 'ungraded':
      return 'grade';
    default:
      return 'agent';
  }
}

/** All failure classes, in display order. */
export const FAILURE_CLASSES: readonly FailureClass[] = [
  'none',
  'agent',
  'grade',
  'infrastructure',
  'incomplete',
];
