import type { AgentLimits, AttemptStatus, LimitName } from '../transcript/events.ts';
import type { AttemptState } from './attempt-state.ts';

/** A limit the attempt has reached, with the status it ends the attempt with. */
export interface ExceededLimit {
  which: LimitName;
  status: AttemptStatus;
  limit: number;
  value: number;
}

/** The first limit reached before the next model step (steps, tokens, wall time, cost), or null. */
export function exceededLimit(
  state: AttemptState,
  limits: AgentLimits,
  elapsedMs: number,
): ExceededLimit | null {
  if (state.steps >= limits.maxSteps) {
    return { which: 'steps', status: 'step-limit', limit: limits.maxSteps, value: state.steps };
  }
  const totalTokens = state.totalTokens();
  if (limits.maxTotalTokens !== undefined && totalTokens >= limits.maxTotalTokens) {
    return { which: 'tokens', status: 'token-limit', limit: limits.maxTotalTokens, value: totalTokens };
  }
  if (limits.maxWallMs !== undefined && elapsedMs >= limits.maxWallMs) {
    return { which: 'wall-time', status: 'time-limit', limit: limits.maxWallMs, value: elapsedMs };
  }
  if (limits.maxCostUsd !== undefined && state.costUsd >= limits.maxCostUsd) {
    return { which: 'cost', status: 'cost-limit', limit: limits.maxCostUsd, value: state.costUsd };
  }
  return null;
}
