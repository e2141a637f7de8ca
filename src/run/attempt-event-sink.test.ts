import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../store/store.ts';
import type { TranscriptEvent } from '../transcript/events.ts';
import { createAttemptEventSink } from './attempt-event-sink.ts';

function recordingStore() {
  const batches: string[][] = [];
  const store = {
    recordAttemptEvents(_attemptId: string, events: TranscriptEvent[]) {
      batches.push(events.map((event) => event.type));
    },
  } as unknown as Store;
  return { store, batches };
}

const event = (type: string) => ({ type }) as unknown as TranscriptEvent;

describe('attempt event sink', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a step in the next turn of the event loop, after the code that pushed it has gone on', async () => {
    const { store, batches } = recordingStore();
    const sink = createAttemptEventSink(store, 'a1');
    sink.push(event('model-request'));
    sink.push(event('model-response'));
    // The agent sends its tool command in the same turn: nothing is written before it.
    expect(batches).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([['model-request', 'model-response']]);
    sink.push(event('tool-call'));
    sink.push(event('tool-result'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([
      ['model-request', 'model-response'],
      ['tool-call', 'tool-result'],
    ]);
  });

  it('writes other events 200 ms after the first of them, or at once on flush', () => {
    vi.useFakeTimers();
    const { store, batches } = recordingStore();
    const sink = createAttemptEventSink(store, 'a1');
    sink.push(event('model-request'));
    vi.advanceTimersByTime(199);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([['model-request']]);
    sink.push(event('format-error'));
    sink.flush();
    expect(batches).toEqual([['model-request'], ['format-error']]);
  });

  it('leaves nothing scheduled behind takePending and stop: the attempt finishes with those events itself', () => {
    vi.useFakeTimers();
    const { store, batches } = recordingStore();
    const sink = createAttemptEventSink(store, 'a1');
    sink.push(event('model-response'));
    expect(sink.takePending().map((taken) => taken.type)).toEqual(['model-response']);
    sink.push(event('tool-result'));
    sink.push(event('attempt-finished'));
    sink.stop();
    vi.runAllTimers();
    expect(batches).toEqual([]);
    expect(sink.takePending().map((taken) => taken.type)).toEqual(['tool-result', 'attempt-finished']);
  });
});
