import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import { InfrastructureError } from '../infrastructure-error.ts';
import type { StepRequest } from '../types.ts';
import { errorMessageFromBody, streamedError } from './openai-error-body.ts';
import {
  applyChunk,
  emptyAccumulator,
  type ResponseAccumulator,
  readChunk,
} from './openai-response-accumulator.ts';

/**
 * Reads a chat-completions event stream into the accumulator until `[DONE]`, the end of the body, or a failure:
 * an unparsable event is a bad response, and an SSE `error:` field (older llama.cpp builds send a failure that
 * way, then `data: [DONE]`) is an infrastructure error, never the model's empty answer.
 */
export async function readEventStream(
  chunks: AsyncIterable<string>,
  state: ResponseAccumulator,
  request: StepRequest,
  label: string,
): Promise<void> {
  let failure: unknown = null;
  const parser = createParser({
    onError(error: ParseError) {
      if (failure !== null || error.type !== 'unknown-field' || error.field !== 'error') return;
      const { message, contextLength } = errorMessageFromBody(error.value ?? '');
      failure = streamedError(`${label}: error inside the stream: ${message}`, contextLength);
    },
    onEvent(event: EventSourceMessage) {
      if (failure !== null || state.done) return;
      const data = event.data.trim();
      if (data === '[DONE]') {
        state.done = true;
        return;
      }
      if (data === '') return;
      try {
        let parsed: unknown;
        try {
          parsed = JSON.parse(data);
        } catch {
          throw new InfrastructureError(
            'bad-response',
            `${label}: unparseable stream event: ${data.slice(0, 200)}`,
          );
        }
        applyChunk(readChunk(parsed, label, 'stream event'), state, request, true, label);
      } catch (error) {
        failure = error;
      }
    },
  });
  for await (const text of chunks) {
    parser.feed(text);
    if (failure !== null) throw failure;
    if (state.done) return;
  }
  parser.reset({ consume: true });
  if (failure !== null) throw failure;
}

/**
 * A llama.cpp-style stream of one tool call (role, name, arguments in two parts, finish, usage with timings): the
 * shapes every answer of a local server goes through.
 */
const WARM_UP_STREAM = [
  { choices: [{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }] },
  {
    choices: [
      {
        index: 0,
        delta: {
          tool_calls: [
            { index: 0, id: 'warm', type: 'function', function: { name: 'warm_up', arguments: '{"a":' } },
          ],
        },
        finish_reason: null,
      },
    ],
  },
  { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '1}' } }] } }] },
  { choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: null }] },
  { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
  {
    choices: [],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    timings: { prompt_n: 1, prompt_ms: 1, predicted_n: 1, predicted_ms: 1, cache_n: 0 },
  },
]
  .map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`)
  .concat('data: [DONE]\n\n')
  .join('');

let warmedUp: Promise<void> | undefined;

/**
 * Reads one made-up stream through the whole path (SSE parser, wire schemas, accumulator) once per process, when the
 * first client is made: the first read of real answers otherwise pays for compiling that code and the schemas'
 * parsers (about 10 ms of the event loop on a 2-core machine, per answer of the first wave, each delaying the next
 * request of a freed slot).
 */
export function warmUpEventStreamReading(): Promise<void> {
  warmedUp ??= readWarmUpStream().then(
    () => undefined,
    () => undefined,
  );
  return warmedUp;
}

/** The made-up stream of {@link warmUpEventStreamReading}, read. */
export async function readWarmUpStream(): Promise<ResponseAccumulator> {
  async function* chunks() {
    yield WARM_UP_STREAM;
  }
  const state = emptyAccumulator();
  await readEventStream(chunks(), state, { messages: [] }, 'warm-up');
  return state;
}
