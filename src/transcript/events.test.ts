import { describe, expect, expectTypeOf, it } from 'vitest';
import type { StepResult, ToolCall } from '../providers/types.ts';
import {
  parseEvent,
  type stepResultSchema,
  type TranscriptEvent,
  TranscriptEventError,
  type toolCallSchema,
} from './events.ts';

const time = '2025-01-02T03:04:05.678Z';

describe('parseEvent', () => {
  it('accepts a valid event of each kind it is given', () => {
    const events: unknown[] = [
      {
        type: 'attempt-started',
        sequence: 0,
        time,
        attemptId: 'a1',
        taskId: 't1',
        modelId: 'simulated:x',
        simulated: true,
        protocol: 'native',
        limits: { maxSteps: 10, maxConsecutiveFormatErrors: 3 },
        toolNames: ['read_file'],
        systemPrompt: 'be good',
      },
      { type: 'user-message', sequence: 1, time, turnIndex: 0, kind: 'instruction', content: 'fix it' },
      {
        type: 'tool-call',
        sequence: 2,
        time,
        step: 0,
        callId: 'c1',
        name: 'read_file',
        arguments: { path: 'a' },
        rawArguments: '{"path":"a"}',
        origin: 'text-protocol',
        format: 'qwen-xml',
        validity: 'schema',
        detail: 'missing path',
      },
      { type: 'limit-reached', sequence: 3, time, which: 'context', limit: null, value: null },
    ];
    for (const event of events) {
      expect(parseEvent(event)).toEqual(event);
    }
  });

  it('names the type and every bad field', () => {
    expect(() => parseEvent({ type: 'user-message', sequence: -1, time: 'yesterday', turnIndex: 0 })).toThrow(
      TranscriptEventError,
    );
    try {
      parseEvent({ type: 'user-message', sequence: -1, time: 'yesterday', turnIndex: 0 });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('"user-message"');
      expect(message).toContain('sequence');
      expect(message).toContain('time');
      expect(message).toContain('content');
    }
    expect(() => parseEvent({ type: 'nonsense', sequence: 0, time })).toThrow(/type "nonsense"/);
    expect(() => parseEvent(null)).toThrow(/type \(missing\)/);
  });

  it('schemas stay in step with the model types', () => {
    // Compile-time: the inferred schema types and the model types are assignable both ways.
    // `npm run typecheck` fails when they drift apart.
    expectTypeOf<ToolCall>().toExtend<ReturnType<typeof toolCallSchema.parse>>();
    expectTypeOf<ReturnType<typeof stepResultSchema.parse>>().toExtend<StepResult>();
    expectTypeOf<StepResult>().toExtend<ReturnType<typeof stepResultSchema.parse>>();
    const event: TranscriptEvent['type'] = 'attempt-finished';
    expect(event).toBe('attempt-finished');
  });
});
