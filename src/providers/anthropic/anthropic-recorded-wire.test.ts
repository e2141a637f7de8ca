import { describe, expect, it } from 'vitest';
import {
  READ_FILE_TOOL,
  rejectionOf,
  simulatedServersClosedAfterEach,
} from '../../../test-support/client-test-kit.ts';
import {
  loadRecordedResponse,
  type RecordedResponse,
  replayServersClosedAfterEach,
} from '../../../test-support/recorded-response.ts';
import { jsonShape, missingShape, sseDataPayloads } from '../../../test-support/wire-shape.ts';
import { ContextLengthExceededError } from '../context-length-error.ts';
import { InfrastructureError } from '../infrastructure-error.ts';
import type { SimulatedTurn } from '../simulated/script.ts';
import type { Message } from '../types.ts';
import { createAnthropicClient } from './anthropic-client.ts';

/**
 * The Anthropic client on recorded real Messages API streams (test-support/fixtures/anthropic), and the simulated
 * Anthropic server held to the same bytes: the same event kinds, usage fields and error framing.
 */

const replay = replayServersClosedAfterEach();
const startSimulated = simulatedServersClosedAfterEach();

const asks: Message[] = [{ role: 'user', content: 'Hello' }];
const recorded = (name: string) => loadRecordedResponse('anthropic', name);
const clientFor = (url: string, model = 'claude-sonnet-4-5') =>
  createAnthropicClient({ baseUrl: url, model, apiKey: 'sk-ant-test' });

type Payload = Record<string, unknown> & { type: string };
const payloads = (body: string): Payload[] =>
  sseDataPayloads(body).map((event) => JSON.parse(event.data) as Payload);
const usageOf = (events: Payload[], type: 'message_start' | 'message_delta') => {
  const event = events.find((candidate) => candidate.type === type) as Record<string, unknown>;
  return (
    type === 'message_start' ? (event.message as Record<string, unknown>).usage : event.usage
  ) as Record<string, unknown>;
};

async function simulatedStream(
  turn: SimulatedTurn,
  body: Record<string, unknown> = {},
): Promise<RecordedResponse> {
  const server = await startSimulated({ script: [turn], endpoint: { model: 'claude-sonnet-4-5' } });
  const response = await fetch(`${server.url}/v1/messages`, {
    method: 'POST',
    headers: {
      'x-api-key': 'sk-ant-test',
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      stream: true,
      messages: asks,
      ...body,
    }),
  });
  return {
    name: 'simulated',
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.text(),
    provenance: [],
  };
}

describe('Anthropic client on recorded Messages API streams', () => {
  it('reads a text answer with the server counts', async () => {
    const result = await clientFor((await replay(recorded('text'))).url).step({ messages: asks });
    expect(result.text).toBe(
      "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?",
    );
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({
      inputTokens: 12,
      cachedInputTokens: 0,
      outputTokens: 30,
      reasoningTokens: 0,
      source: 'server',
    });
    expect(result.timings.sources.prefill).toBe('unavailable');
    expect(result.simulated).toBe(false);
  });

  it('assembles a tool_use block from input_json_delta pieces', async () => {
    const result = await clientFor((await replay(recorded('json-tool'))).url).step({
      messages: asks,
      tools: [READ_FILE_TOOL],
    });
    expect(result.toolCalls).toEqual([
      expect.objectContaining({
        id: 'toolu_01KFbKqPYSuAKujiL6mTfzYA',
        name: 'json',
        arguments: { elements: [{ location: 'San Francisco', temperature: 58, condition: 'sunny' }] },
      }),
    ]);
    expect(result.finishReason).toBe('tool-calls');
    expect(result.usage).toEqual(expect.objectContaining({ inputTokens: 849, outputTokens: 47 }));
  });

  it('reads a signed thinking block before the text', async () => {
    const result = await clientFor((await replay(recorded('clear-thinking'))).url).step({ messages: asks });
    expect(result.reasoning).toMatch(/^The previous result was 925\. Now I need to divide that by 5\./);
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBe(53);
  });

  it('takes the cumulative input count of the final message_delta, not the lower one of message_start', async () => {
    const result = await clientFor((await replay(recorded('message-delta-input-tokens'))).url).step({
      messages: asks,
    });
    expect(result.text).toBe('pong');
    expect(result.usage).toEqual(expect.objectContaining({ inputTokens: 61, outputTokens: 2 }));
  });

  it('keeps cache writes apart from plain input and takes every final count from message_delta', async () => {
    const result = await clientFor((await replay(recorded('prompt-cache'))).url).step({ messages: asks });
    // message_start: 2 input, 3068 written, 0 read, 69 output; message_delta: 6, 3337, 6289, 198.
    expect(result.usage).toEqual({
      inputTokens: 6 + 3337 + 6289,
      cachedInputTokens: 6289,
      cacheWriteInputTokens: 3337,
      cacheWriteOneHourInputTokens: 0,
      outputTokens: 198,
      reasoningTokens: 0,
      source: 'server',
    });
  });

  it('reports the documented in-stream error event as a stream error (infrastructure)', async () => {
    const error = await rejectionOf(
      clientFor((await replay(recorded('stream-error-overloaded'))).url).step({ messages: asks }),
    );
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as InfrastructureError).kind).toBe('stream-error');
    expect((error as Error).message).toMatch(/overloaded_error: Overloaded/);
  });

  it('ends the attempt as context-exceeded on "prompt is too long"', async () => {
    const error = await rejectionOf(
      clientFor((await replay(recorded('prompt-too-long'))).url).step({ messages: asks }),
    );
    expect(error).toBeInstanceOf(ContextLengthExceededError);
    expect((error as ContextLengthExceededError).contextLength).toBe(200_000);
  });
});

describe('simulated Anthropic against the recorded bytes', () => {
  it('streams the recorded event kinds with the recorded usage fields in message_start and message_delta', async () => {
    const real = payloads(recorded('text').body);
    const answer = await simulatedStream({
      content: 'Hello there',
      usage: { promptTokens: 12, completionTokens: 30 },
    });
    expect(answer.contentType).toMatch(/^text\/event-stream/);
    const simulated = payloads(answer.body);
    expect(new Set(simulated.map((event) => event.type))).toEqual(new Set(real.map((event) => event.type)));
    const { inference_geo: _geo, ...realStartUsage } = usageOf(real, 'message_start');
    expect(missingShape(jsonShape(realStartUsage), jsonShape(usageOf(simulated, 'message_start')))).toEqual(
      [],
    );
    expect(
      missingShape(jsonShape(usageOf(real, 'message_delta')), jsonShape(usageOf(simulated, 'message_delta'))),
    ).toEqual([]);
    // Every SSE event names its type in the event: line, as the real stream does.
    for (const event of sseDataPayloads(answer.body)) expect(event.event).toBe(JSON.parse(event.data).type);

    const result = await clientFor((await replay(answer)).url).step({ messages: asks });
    expect(result.usage).toEqual({
      inputTokens: 12,
      cachedInputTokens: 0,
      outputTokens: 30,
      reasoningTokens: 0,
      source: 'server',
    });
  });

  it('writes the cache where the request set breakpoints, reported like the recorded prompt-cache stream', async () => {
    const real = payloads(recorded('prompt-cache').body);
    const answer = await simulatedStream(
      {
        content: 'ok',
        usage: { promptTokens: 4000, completionTokens: 5, cacheWriteTokens: 3000, cachedTokens: 900 },
      },
      { system: [{ type: 'text', text: 'You code.', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
    );
    const simulated = payloads(answer.body);
    const { inference_geo: _geo, ...realStartUsage } = usageOf(real, 'message_start');
    expect(missingShape(jsonShape(realStartUsage), jsonShape(usageOf(simulated, 'message_start')))).toEqual(
      [],
    );
    const {
      server_tool_use: _tools,
      output_tokens_details: _details,
      ...realDeltaUsage
    } = usageOf(real, 'message_delta');
    expect(missingShape(jsonShape(realDeltaUsage), jsonShape(usageOf(simulated, 'message_delta')))).toEqual(
      [],
    );

    const result = await clientFor((await replay(answer)).url).step({ messages: asks });
    expect(result.usage).toEqual(
      expect.objectContaining({
        inputTokens: 4000,
        cachedInputTokens: 900,
        cacheWriteInputTokens: 3000,
        cacheWriteOneHourInputTokens: 3000,
      }),
    );
  });

  it('frames an in-stream error like the captured and the documented error event and ends the stream after it', async () => {
    const overloaded = {
      content: 'Hello there, a longer answer',
      fault: { kind: 'error-in-stream', afterChunks: 1, message: 'Overloaded' },
    } as const;
    const answer = await simulatedStream(overloaded);
    const simulatedLast = sseDataPayloads(answer.body).at(-1);
    for (const name of ['stream-error-overloaded-captured', 'stream-error-overloaded']) {
      const realLast = sseDataPayloads(recorded(name).body).at(-1);
      expect(simulatedLast?.event).toBe(realLast?.event);
      const shapeOf = (data: string | undefined) => jsonShape(JSON.parse(data ?? 'null'));
      expect(missingShape(shapeOf(realLast?.data), shapeOf(simulatedLast?.data))).toEqual([]);
    }
    expect(JSON.parse(simulatedLast?.data ?? 'null').error).toEqual(
      JSON.parse(sseDataPayloads(recorded('stream-error-overloaded-captured').body)[0].data).error,
    );
    expect(answer.contentType).toBe(recorded('stream-error-overloaded-captured').contentType);

    const outcomeOn = async (url: string) => {
      const error = await rejectionOf(clientFor(url).step({ messages: asks }));
      const { kind, retryable } = error as InfrastructureError;
      return {
        error: (error as Error).constructor.name,
        kind,
        retryable,
        overloaded: /Overloaded/.test(String(error)),
      };
    };
    const fromCaptured = await outcomeOn((await replay(recorded('stream-error-overloaded-captured'))).url);
    expect(fromCaptured).toEqual(
      expect.objectContaining({ error: 'InfrastructureError', kind: 'stream-error' }),
    );
    expect(await outcomeOn((await replay(answer)).url)).toEqual(fromCaptured);
    const server = await startSimulated({ script: [overloaded], endpoint: { model: 'claude-sonnet-4-5' } });
    expect(await outcomeOn(server.url)).toEqual(fromCaptured);
  });

  it('refuses an over-long prompt with the recorded 400 body shape', async () => {
    const real = recorded('prompt-too-long');
    const answer = await simulatedStream({
      content: 'x',
      usage: { promptTokens: 210_000, completionTokens: 1 },
    });
    expect(answer.status).toBe(real.status);
    expect(missingShape(jsonShape(JSON.parse(real.body)), jsonShape(JSON.parse(answer.body)))).toEqual([]);
    const error = await rejectionOf(clientFor((await replay(answer)).url).step({ messages: asks }));
    expect(error).toBeInstanceOf(ContextLengthExceededError);
  });
});
