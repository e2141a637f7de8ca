import { describe, expect, it } from 'vitest';
import { isExternalAgentRow, timeToFirstTokenSource } from './time-to-first-token-source.ts';

describe('timeToFirstTokenSource', () => {
  it('names the server, the model client or the recording proxy', () => {
    expect(timeToFirstTokenSource({ serverReported: 4, measured: 0 }, false)).toBe('server-reported');
    expect(timeToFirstTokenSource({ serverReported: 0, measured: 4 }, false)).toBe('measured at the client');
    expect(timeToFirstTokenSource({ serverReported: 0, measured: 4 }, true)).toBe('measured at the proxy');
  });

  it('gives both with their step counts when steps differ, and nothing without a value', () => {
    expect(timeToFirstTokenSource({ serverReported: 3, measured: 1 }, true)).toBe(
      'server-reported (3 steps), measured at the proxy (1 step)',
    );
    expect(timeToFirstTokenSource({ serverReported: 0, measured: 0 }, false)).toBeNull();
  });

  it('takes a cell’s agent before the run’s', () => {
    expect(isExternalAgentRow({ agentCell: { modelId: 'm', agentName: 'opencode' } }, 'built-in')).toBe(true);
    expect(isExternalAgentRow({ agentCell: { modelId: 'm', agentName: 'built-in' } }, 'external')).toBe(
      false,
    );
    expect(isExternalAgentRow({}, 'external (preset qwen-code)')).toBe(true);
    expect(isExternalAgentRow({}, 'built-in')).toBe(false);
  });
});
