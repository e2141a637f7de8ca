import { describe, expect, it } from 'vitest';
import { readWarmUpStream, warmUpEventStreamReading } from './openai-event-stream.ts';

describe('warm-up of the event stream reading', () => {
  it('reads a whole tool-call answer, so every part of the path has run once', async () => {
    const state = await readWarmUpStream();
    expect(state.done).toBe(true);
    expect(state.toolCalls).toEqual([{ id: 'warm', name: 'warm_up', arguments: '{"a":1}' }]);
    expect(state.text).toBe('ok');
    expect(state.finishReason).toBe('tool_calls');
    expect(state.usage).toMatchObject({ prompt_tokens: 1, completion_tokens: 1 });
    expect(state.serverTimings).toMatchObject({ predicted_n: 1, cache_n: 0 });
  });

  it('runs once per process', () => {
    expect(warmUpEventStreamReading()).toBe(warmUpEventStreamReading());
  });
});
