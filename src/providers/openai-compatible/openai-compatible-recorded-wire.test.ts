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
import { jsonShape, missingShape, sseDataPayloads } from '../../../test-support/wire-shape.ts';
import { ContextLengthExceededError } from '../context-length-error.ts';
import { InfrastructureError } from '../infrastructure-error.ts';
import type { Message } from '../types.ts';
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
});
