import { describe, expect, it } from 'vitest';
import { failureClassOf, outcomeOf } from './failure-class.ts';

describe('outcomeOf / failureClassOf', () => {
  it.each([
    [{ status: 'finished', agentStatus: 'submitted', gradeStatus: 'resolved' }, 'resolved', 'none'],
    [{ status: 'finished', agentStatus: 'submitted', gradeStatus: 'unresolved' }, 'wrong-fix', 'grade'],
    [{ status: 'finished', agentStatus: 'step-limit', gradeStatus: 'unresolved' }, 'step-limit', 'agent'],
    [{ status: 'finished', agentStatus: 'step-limit', gradeStatus: 'invalid' }, 'invalid-grade', 'grade'],
    [{ status: 'finished', agentStatus: null, gradeStatus: null }, 'ungraded', 'grade'],
    [
      { status: 'finished', agentStatus: 'submitted', gradeStatus: 'invalid', tamperingDetected: true },
      'tampering-detected',
      'grade',
    ],
    [
      { status: 'finished', agentStatus: 'submitted', gradeStatus: 'resolved', tamperingDetected: true },
      'resolved',
      'none',
    ],
    [
      { status: 'infrastructure-error', agentStatus: null, gradeStatus: null },
      'infrastructure-error',
      'infrastructure',
    ],
    [{ status: 'running', agentStatus: null, gradeStatus: null }, 'incomplete', 'incomplete'],
  ])('%o is %s (%s)', (attempt, outcome, failureClass) => {
    expect(outcomeOf(attempt)).toBe(outcome);
    expect(failureClassOf(outcomeOf(attempt))).toBe(failureClass);
  });
});
