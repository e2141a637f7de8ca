import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import { InfrastructureError } from '../infrastructure-error.ts';
import type { StepRequest } from '../types.ts';
import { errorMessageFromBody, streamedError } from './openai-error-body.ts';
import { applyChunk, type ResponseAccumulator, readChunk } from './openai-response-accumulator.ts';

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
