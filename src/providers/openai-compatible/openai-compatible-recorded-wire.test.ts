import { describe, expect, it } from 'vitest';
import {
  READ_FILE_TOOL,
  rejectionOf,
  simulatedServersClosedAfterEach,
} from '../../../test-support/client-test-kit.ts';
import {
  loadRecordedResponse,
  replayServersClosedAfterEach,
} from '../../../test-support/recorded-response.ts';
import {
  jsonShape,
  missingShape,
  sseDataPayloads,
  sseFrameFields,
} from '../../../test-support/wire-shape.ts';
import { ContextLengthExceededError } from '../context-length-error.ts';
import { InfrastructureError } from '../infrastructure-error.ts';
import type { SimulatedTurn } from '../simulated/script.ts';
import type { Message, StepResult } from '../types.ts';
import { createOpenAICompatibleClient, type OpenAICompatibleFlavour } from './openai-compatible-client.ts';

/**
 * The OpenAI-compatible client on recorded real streams of OpenAI, xAI, OpenRouter and vLLM, and LM Studio's model
 * list (test-support/fixtures), with the simulated servers held to the same bytes where they imitate them.
 */

const replay = replayServersClosedAfterEach();
const startSimulated = simulatedServersClosedAfterEach();

const asks: Message[] = [{ role: 'user', content: 'Hello' }];
const clientFor = (url: string, model: string, flavour: OpenAICompatibleFlavour = 'openai') =>
  createOpenAICompatibleClient({ baseUrl: url, model, flavour, apiKey: 'sk-test' });

/** A streamed chat request as the client sends it, answered by a simulated server: status, type and body bytes. */
async function simulatedStream(url: string, messages: Message[] = asks) {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'simulated-model',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    }),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: await response.text(),
  };
}

/** What a step classifies: the error class and kind, or the answer's text, finish reason, calls and counts. */
async function outcomeOf(step: Promise<StepResult>) {
  try {
    const result = await step;
    const { text, finishReason, toolCalls, usage } = result;
    return { answer: { text, finishReason, toolCalls, usage } };
  } catch (error) {
    const kind = error instanceof InfrastructureError ? error.kind : null;
    return { error: (error as Error).constructor.name, kind };
  }
}

describe('OpenAI-compatible client on recorded streams', () => {
  it('OpenAI: text with the usage chunk of stream_options.include_usage', async () => {
    const server = await replay(loadRecordedResponse('openai', 'chat-stream-text'));
    const result = await clientFor(server.url, 'gpt-4.1-nano').step({ messages: asks });
    expect(result.text.startsWith('**Holiday')).toBe(true);
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({
      inputTokens: 16,
      cachedInputTokens: 0,
      outputTokens: 300,
      reasoningTokens: 0,
      source: 'server',
    });
  });

  it('xAI: reasoning counted apart from completion_tokens is added to the output; the reported cost is kept', async () => {
    const server = await replay(loadRecordedResponse('xai', 'chat-stream-text'));
    const result = await clientFor(server.url, 'grok-3-mini', 'generic').step({ messages: asks });
    expect(result.reasoning.startsWith('First, the')).toBe(true);
    expect(result.usage).toEqual({
      inputTokens: 12,
      cachedInputTokens: 11,
      outputTokens: 2 + 340,
      reasoningTokens: 340,
      reportedCostUsd: 1721250e-10,
      source: 'server',
    });
  });

  it('xAI: a whole tool call, output = completion + reasoning', async () => {
    const server = await replay(loadRecordedResponse('xai', 'chat-stream-tool-call'));
    const result = await clientFor(server.url, 'grok-3-mini', 'generic').step({
      messages: asks,
      tools: [READ_FILE_TOOL],
    });
    expect(result.toolCalls).toEqual([
      expect.objectContaining({
        id: 'call_79382389',
        name: 'weather',
        arguments: { location: 'San Francisco' },
      }),
    ]);
    expect(result.usage.outputTokens).toBe(26 + 227);
    expect(result.usage.cachedInputTokens).toBe(306);
  });

  it('OpenRouter: the reported cost is kept, reasoning stays inside completion_tokens', async () => {
    const server = await replay(loadRecordedResponse('openrouter', 'chat-stream-usage-cost'));
    const result = await clientFor(server.url, 'x-ai/grok-4.6', 'openrouter').step({ messages: asks });
    expect(result.usage).toEqual({
      inputTokens: 26930,
      cachedInputTokens: 128,
      outputTokens: 6451,
      reasoningTokens: 4886,
      reportedCostUsd: 0.092374,
      source: 'server',
    });
  });

  it('OpenRouter: usage after the finish chunk (whose choice repeats finish_reason null) keeps both', async () => {
    const server = await replay(loadRecordedResponse('openrouter', 'chat-stream-usage-after-finish'));
    const result = await clientFor(server.url, 'openai/gpt-4o', 'openrouter').step({ messages: asks });
    expect(result.finishReason).toBe('stop');
    expect(result.text).toBe('');
    expect(result.usage).toEqual({
      inputTokens: 1697,
      cachedInputTokens: 0,
      outputTokens: 52,
      reasoningTokens: 0,
      source: 'server',
    });
  });

  it('vLLM: an error inside the stream, then [DONE], is an infrastructure stream error', async () => {
    const server = await replay(loadRecordedResponse('vllm', 'chat-stream-error'));
    const error = await rejectionOf(clientFor(server.url, 'Qwen/Qwen3-8B', 'vllm').step({ messages: asks }));
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as Error).message).toMatch(/The decoder prompt cannot be empty/);
  });

  it('llama.cpp b5966: the SSE `error:` field then [DONE] is never an empty answer; a context refusal ends as context-exceeded', async () => {
    const server = await replay(loadRecordedResponse('llamacpp-b5966', 'chat-stream-error-field'));
    const error = await rejectionOf(clientFor(server.url, 'default', 'llamacpp').step({ messages: asks }));
    expect(error).toBeInstanceOf(ContextLengthExceededError);
    expect((error as Error).message).toMatch(/exceeds the available context size/);
  });

  it("LM Studio: describe() reads the model's context from /api/v0/models", async () => {
    const models = loadRecordedResponse('lmstudio', 'api-v0-models');
    const single = JSON.parse(models.body).data[1];
    const server = await replay(
      { ...models, body: JSON.stringify({ object: 'list', data: [{ id: 'meta-llama-3.1-8b-instruct' }] }) },
      { ...models, body: JSON.stringify(single) },
    );
    const info = await clientFor(server.url, 'meta-llama-3.1-8b-instruct', 'lmstudio').describe();
    expect(server.requests.map((request) => request.path)).toEqual([
      '/v1/models',
      '/api/v0/models/meta-llama-3.1-8b-instruct',
    ]);
    expect(info.maxContextLength).toBe(131072);
    expect(info.quantization).toBe('Q4_K_M');
    expect(info.notes.join(' ')).toMatch(/not loaded \(state not-loaded\)/);
  });
});

describe('simulated OpenAI-compatible servers against the recorded bytes', () => {
  it('vLLM: an error in the stream is framed like vLLM, followed by [DONE]', async () => {
    const real = sseDataPayloads(loadRecordedResponse('vllm', 'chat-stream-error').body);
    const server = await startSimulated({
      script: [
        { content: 'a longer answer', fault: { kind: 'error-in-stream', afterChunks: 1, message: 'boom' } },
      ],
      flavour: 'vllm',
    });
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'simulated-model', messages: asks, stream: true }),
    });
    const body = await response.text();
    const simulated = sseDataPayloads(body);
    expect(simulated.at(-1)?.data).toBe('[DONE]');
    expect(real.at(-1)?.data).toBe('[DONE]');
    const [realError, simulatedError] = [real.at(-2)?.data ?? '', simulated.at(-2)?.data ?? ''];
    expect(simulatedError.replace('"boom"', '"The decoder prompt cannot be empty"')).toBe(realError);

    const viaReplay = await replay({ ...loadRecordedResponse('vllm', 'chat-stream-error'), body });
    const error = await rejectionOf(
      clientFor(viaReplay.url, 'simulated-model', 'vllm').step({ messages: asks }),
    );
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as Error).message).toMatch(/boom/);
  });

  it('LM Studio: /api/v0/models carries the documented fields, and the loaded context', async () => {
    const real = JSON.parse(loadRecordedResponse('lmstudio', 'api-v0-models').body).data[1];
    const server = await startSimulated({
      script: [],
      flavour: 'lmstudio',
      endpoint: { contextLength: 16384, maxContextLength: 131072 },
    });
    const listed = (await (await fetch(`${server.url}/api/v0/models`)).json()) as { data: unknown[] };
    expect(missingShape(jsonShape(real), jsonShape(listed.data[0]))).toEqual([]);
    const info = await clientFor(server.url, 'simulated-model', 'lmstudio').describe();
    expect(info.contextLength).toBe(16384);
    expect(info.maxContextLength).toBe(131072);
    expect(info.simulated).toBe(true);
  });

  it('llama.cpp b5966: a streamed prompt over the context is refused with the recorded bytes, classified alike', async () => {
    const recorded = loadRecordedResponse('llamacpp-b5966', 'chat-stream-error-field');
    const longAsk: Message[] = [{ role: 'user', content: 'x'.repeat(400) }];
    const server = await startSimulated({
      script: [{ content: 'never sent' }, { content: 'never sent' }],
      flavour: 'llamacpp',
      endpoint: { contextLength: 16, streamErrorsAsSseErrorField: true },
    });
    const answer = await simulatedStream(server.url, longAsk);
    expect(answer.status).toBe(recorded.status);
    expect(answer.contentType).toBe(recorded.contentType);
    expect(sseFrameFields(recorded.body)).toEqual([['error'], ['data']]);
    expect(answer.body).toBe(recorded.body);

    const viaRecorded = await replay(recorded);
    const fromRecorded = await outcomeOf(
      clientFor(viaRecorded.url, 'default', 'llamacpp').step({ messages: longAsk }),
    );
    const fromSimulated = await outcomeOf(
      clientFor(server.url, 'default', 'llamacpp').step({ messages: longAsk }),
    );
    expect(fromRecorded).toEqual({ error: 'ContextLengthExceededError', kind: null });
    expect(fromSimulated).toEqual(fromRecorded);
  });

  it('llama.cpp b5966: a failure while generating is the `error:` field then [DONE], an infrastructure error', async () => {
    const recorded = loadRecordedResponse('llamacpp-b5966', 'chat-stream-error-field');
    const failingTurn: SimulatedTurn = {
      content: 'a longer answer',
      fault: { kind: 'error-in-stream', afterChunks: 1, message: 'boom' },
    };
    const server = await startSimulated({
      script: [failingTurn, failingTurn],
      flavour: 'llamacpp',
      endpoint: { streamErrorsAsSseErrorField: true },
    });
    const answer = await simulatedStream(server.url);
    const frames = sseFrameFields(answer.body);
    expect(frames.slice(0, -2).every((fields) => fields.join() === 'data')).toBe(true);
    expect(frames.slice(-2)).toEqual(sseFrameFields(recorded.body));
    const errorPayload = (body: string) =>
      JSON.parse(
        body
          .split('\n')
          .find((line) => line.startsWith('error: '))
          ?.slice(7) ?? 'null',
      );
    expect(
      missingShape(jsonShape(errorPayload(recorded.body)), jsonShape(errorPayload(answer.body))),
    ).toEqual([]);
    expect(sseDataPayloads(answer.body).at(-1)?.data).toBe('[DONE]');

    const viaReplay = await replay({ ...recorded, body: answer.body });
    const fromReplay = await outcomeOf(
      clientFor(viaReplay.url, 'default', 'llamacpp').step({ messages: asks }),
    );
    const fromSimulated = await outcomeOf(
      clientFor(server.url, 'default', 'llamacpp').step({ messages: asks }),
    );
    expect(fromReplay).toEqual({ error: 'InfrastructureError', kind: 'stream-error' });
    expect(fromSimulated).toEqual(fromReplay);
  });

  it('llama.cpp (current builds): an error inside the stream is a data frame that ends the stream, no [DONE]', async () => {
    const server = await startSimulated({
      script: [
        { content: 'a longer answer', fault: { kind: 'error-in-stream', afterChunks: 1, message: 'boom' } },
      ],
      flavour: 'llamacpp',
    });
    const answer = await simulatedStream(server.url);
    const payloads = sseDataPayloads(answer.body);
    expect(sseFrameFields(answer.body).every((fields) => fields.join() === 'data')).toBe(true);
    // tools/server/server-context.cpp (llama.cpp de3ff815): "terminate on error", no [DONE] after it.
    expect(payloads.some((payload) => payload.data === '[DONE]')).toBe(false);
    expect(JSON.parse(payloads.at(-1)?.data ?? 'null')).toEqual({
      error: { code: 500, message: 'boom', type: 'server_error' },
    });
    const viaReplay = await replay({
      ...loadRecordedResponse('vllm', 'chat-stream-error'),
      body: answer.body,
    });
    expect(await outcomeOf(clientFor(viaReplay.url, 'default', 'llamacpp').step({ messages: asks }))).toEqual(
      {
        error: 'InfrastructureError',
        kind: 'stream-error',
      },
    );
  });

  it('OpenRouter: the finish chunk, then usage in a chunk that says finish_reason null again, classified alike', async () => {
    const recorded = loadRecordedResponse('openrouter', 'chat-stream-usage-after-finish');
    const real = sseDataPayloads(recorded.body);
    const turn = { content: '', usage: { promptTokens: 1697, completionTokens: 52 } };
    const server = await startSimulated({ script: [turn, turn], flavour: 'openrouter' });
    const answer = await simulatedStream(server.url);
    expect(answer.contentType).toBe(recorded.contentType);
    const simulated = sseDataPayloads(answer.body);
    expect(simulated.at(-1)?.data).toBe('[DONE]');
    expect(real.at(-1)?.data).toBe('[DONE]');
    const payload = (events: typeof real, back: number) => JSON.parse(events.at(-back)?.data ?? 'null');
    for (const back of [2, 3]) {
      expect(missingShape(jsonShape(payload(real, back)), jsonShape(payload(simulated, back)))).toEqual([]);
    }
    const finishReasons = (events: typeof real) =>
      [3, 2].map((back) => [
        payload(events, back).choices[0].finish_reason,
        payload(events, back).choices[0].native_finish_reason,
        'usage' in payload(events, back),
      ]);
    expect(finishReasons(simulated)).toEqual(finishReasons(real));

    const viaRecorded = await replay(recorded);
    const fromRecorded = await outcomeOf(
      clientFor(viaRecorded.url, 'openai/gpt-4o', 'openrouter').step({ messages: asks }),
    );
    const fromSimulated = await outcomeOf(
      clientFor(server.url, 'openai/gpt-4o', 'openrouter').step({ messages: asks }),
    );
    expect(fromRecorded.answer?.finishReason).toBe('stop');
    expect(fromSimulated).toEqual(fromRecorded);
  });
});
