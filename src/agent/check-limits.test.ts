import { describe, expect, it } from 'vitest';
import { AttemptState } from './attempt-state.ts';
import { exceededLimit } from './check-limits.ts';

function stateWith(changes: Partial<Pick<AttemptState, 'steps' | 'costUsd'>>, tokens = 0): AttemptState {
  const state = new AttemptState();
  Object.assign(state, changes);
  state.addUsage({
    inputTokens: tokens,
    cachedInputTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    source: 'server',
  });
  return state;
}

describe('exceededLimit', () => {
  it('is null while every limit has room', () => {
    const limits = { maxSteps: 5, maxTotalTokens: 100, maxWallMs: 1000, maxCostUsd: 1 };
    expect(exceededLimit(stateWith({ steps: 4, costUsd: 0.5 }, 99), limits, 999)).toBeNull();
  });

  it('names the first limit reached, steps before tokens before wall time before cost', () => {
    const limits = { maxSteps: 5, maxTotalTokens: 100, maxWallMs: 1000, maxCostUsd: 1 };
    const all = stateWith({ steps: 5, costUsd: 1 }, 100);
    expect(exceededLimit(all, limits, 1000)).toEqual({
      which: 'steps',
      status: 'step-limit',
      limit: 5,
      value: 5,
    });
    const tokens = stateWith({ steps: 1, costUsd: 1 }, 150);
    expect(exceededLimit(tokens, limits, 1000)).toEqual({
      which: 'tokens',
      status: 'token-limit',
      limit: 100,
      value: 150,
    });
    expect(exceededLimit(stateWith({ costUsd: 1 }), limits, 1000)?.status).toBe('time-limit');
    expect(exceededLimit(stateWith({ costUsd: 1 }), limits, 10)?.status).toBe('cost-limit');
  });

  it('ignores limits that are not set', () => {
    expect(exceededLimit(stateWith({ costUsd: 99 }, 1e9), { maxSteps: 5 }, 1e9)).toBeNull();
  });
});
