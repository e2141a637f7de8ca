import { describe, expect, it } from 'vitest';
import { transcript } from '../../test-support/transcript-fixture.ts';
import { deriveRows } from './derive-rows.ts';

describe('deriveRows', () => {
  it('derives one step per model response with its timings, usage and retries', () => {
    const { steps } = deriveRows(transcript());
    expect(steps).toHaveLength(2);
    expect(steps[0]).toEqual({
      sequence: 3,
      stepIndex: 0,
      ttftMs: 310,
      ttftSource: 'measured',
      prefillTps: 2400,
      decodeTps: 41.5,
      prefillMs: 500,
      decodeMs: 1540,
      loadMs: null,
      prefillSource: 'server',
      decodeSource: 'server',
      wallMs: 2100,
      inputTokens: 1200,
      cachedInputTokens: 800,
      outputTokens: 64,
      reasoningTokens: 8,
      usageSource: 'server',
      finishReason: 'tool-calls',
      toolCallCount: 2,
      infrastructureRetries: 2,
      simulated: true,
    });
    expect(steps[1]).toMatchObject({
      stepIndex: 1,
      toolCallCount: 1,
      infrastructureRetries: 0,
      wallMs: 2101,
    });
  });

  it('joins tool calls with the result of the same step and call id', () => {
    const { toolCalls } = deriveRows(transcript());
    expect(
      toolCalls.map((row) => [
        row.sequence,
        row.stepIndex,
        row.callId,
        row.validity,
        row.durationMs,
        row.isError,
      ]),
    ).toEqual([
      [4, 0, 'call_1', 'valid', 3, false],
      [5, 0, 'call_2', 'execution-error', 1834.5, true],
      // Same call id as step 0's call, but a later step: must not take step 0's result.
      [10, 1, 'call_1', 'unknown-tool', null, null],
    ]);
    expect(toolCalls[1]).toMatchObject({ origin: 'recovered', format: 'hermes-json', detail: 'exit code 1' });
  });

  it('does not depend on the order events are given in', () => {
    const events = transcript();
    expect(deriveRows([...events].reverse())).toEqual(deriveRows(events));
  });

  it('returns no rows for a transcript without model responses', () => {
    expect(deriveRows(transcript().slice(0, 3))).toEqual({ steps: [], toolCalls: [] });
  });
});
