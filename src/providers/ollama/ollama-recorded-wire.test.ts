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
import { jsonShape, missingShape } from '../../../test-support/wire-shape.ts';
import { ContextLengthExceededError } from '../context-length-error.ts';
import type { Message } from '../types.ts';
import { createOllamaClient } from './ollama-client.ts';

/**
 * The Ollama client on recorded real `/api/chat` answers (test-support/fixtures/ollama), and the simulated Ollama
 * server held to the same bytes: the same line shapes, and the same normalized step from the same parser.
 */

const replay = replayServersClosedAfterEach();
const startSimulated = simulatedServersClosedAfterEach();

const asks: Message[] = [{ role: 'user', content: 'why is the sky blue?' }];
const lines = (body: string) =>
  body
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

async function simulatedAnswer(url: string, body: Record<string, unknown>): Promise<RecordedResponse> {
  const response = await fetch(`${url}/api/chat`, { method: 'POST', body: JSON.stringify(body) });
  return {
    name: 'simulated',
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.text(),
    provenance: [],
  };
}

describe('Ollama client on recorded /api/chat answers', () => {
  it('reads a real captured answer (one object): server counts, server-reported speeds, the cold load apart', async () => {
    const server = await replay(loadRecordedResponse('ollama', 'chat-whole-response'));
    const client = createOllamaClient({ baseUrl: server.url, model: 'qwen3:4b-instruct', numCtx: 8192 });
    const result = await client.step({ messages: asks });
    expect(result.text).toBe('The answer to 1 + 1 is **2**.');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({
      inputTokens: 19,
      cachedInputTokens: 0,
      outputTokens: 14,
      reasoningTokens: 0,
      source: 'server',
    });
    expect(result.timings.prefillMs).toBeCloseTo(18.088408, 6);
    expect(result.timings.decodeMs).toBeCloseTo(94.230297, 6);
    expect(result.timings.decodeTokensPerSecond).toBeCloseTo(14 / 0.094230297, 6);
    expect(result.timings.loadMs).toBeCloseTo(3106.878899, 6);
  });

  it('reads the documented text stream: server counts and server-reported speeds from nanosecond durations', async () => {
    const server = await replay(loadRecordedResponse('ollama', 'chat-stream-text'));
    const client = createOllamaClient({ baseUrl: server.url, model: 'llama3.2', numCtx: 8192 });
    const result = await client.step({ messages: asks });
    expect(result.text).toBe('The');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({
      inputTokens: 26,
      cachedInputTokens: 0,
      outputTokens: 282,
      reasoningTokens: 0,
      source: 'server',
    });
    expect(result.timings.prefillMs).toBeCloseTo(342.546, 6);
    expect(result.timings.decodeMs).toBeCloseTo(4535.599, 6);
    expect(result.timings.decodeTokensPerSecond).toBeCloseTo(282 / 4.535599, 6);
    expect(result.timings.loadMs).toBeCloseTo(1.334875, 6);
    expect(result.timings.sources).toEqual({
      timeToFirstToken: 'measured',
      prefill: 'server',
      decode: 'server',
    });
    expect(result.simulated).toBe(false);
  });

  it('reads the documented tool-call stream: a whole call with object arguments, done_reason stop', async () => {
    const server = await replay(loadRecordedResponse('ollama', 'chat-stream-tool-call'));
    const client = createOllamaClient({ baseUrl: server.url, model: 'llama3.2', numCtx: 8192 });
    const result = await client.step({ messages: asks, tools: [READ_FILE_TOOL] });
    expect(result.toolCalls).toEqual([
      expect.objectContaining({ name: 'get_weather', arguments: { city: 'Tokyo' }, origin: 'server-parsed' }),
    ]);
    expect(result.rawFinishReason).toBe('stop');
    expect(result.finishReason).toBe('tool-calls');
    expect(result.usage.inputTokens).toBe(169);
    expect(result.usage.outputTokens).toBe(15);
  });

  it("ends the attempt as context-exceeded on Ollama's own 400, not as an infrastructure error", async () => {
    const server = await replay(loadRecordedResponse('ollama', 'chat-context-exceeded'));
    const client = createOllamaClient({ baseUrl: server.url, model: 'llama3.2', numCtx: 4096 });
    const error = await rejectionOf(client.step({ messages: asks }));
    expect(error).toBeInstanceOf(ContextLengthExceededError);
    expect((error as Error).message).toMatch(/the prompt is longer than the context length/);
    expect((error as ContextLengthExceededError).contextLength).toBe(4096);
  });

  it('ends the attempt as context-exceeded on the llama.cpp refusal Ollama passes through, with its n_ctx', async () => {
    const server = await replay(loadRecordedResponse('ollama', 'chat-context-exceeded-llamacpp'));
    const client = createOllamaClient({ baseUrl: server.url, model: 'gemma4:26b' });
    const error = await rejectionOf(client.step({ messages: asks }));
    expect(error).toBeInstanceOf(ContextLengthExceededError);
    expect((error as Error).message).toMatch(/exceeds the available context size \(4096 tokens\)/);
    expect((error as ContextLengthExceededError).contextLength).toBe(4096);
  });
});

describe('simulated Ollama against the recorded bytes', () => {
  it('streams lines of the recorded shapes that the client reads the same way', async () => {
    const recorded = lines(loadRecordedResponse('ollama', 'chat-stream-text').body);
    const server = await startSimulated({
      script: [{ content: 'The', usage: { promptTokens: 26, completionTokens: 282 } }],
      endpoint: { model: 'llama3.2' },
    });
    const answer = await simulatedAnswer(server.url, { model: 'llama3.2', messages: asks, stream: true });
    expect(answer.contentType).toBe(loadRecordedResponse('ollama', 'chat-stream-text').contentType);
    const simulated = lines(answer.body);
    const { images: _images, ...recordedMessage } = recorded[0].message as Record<string, unknown>;
    expect(
      missingShape(jsonShape({ ...recorded[0], message: recordedMessage }), jsonShape(simulated[0])),
    ).toEqual([]);
    expect(missingShape(jsonShape(recorded.at(-1)), jsonShape(simulated.at(-1)))).toEqual([]);

    const viaReplay = await replay(answer);
    const result = await createOllamaClient({ baseUrl: viaReplay.url, model: 'llama3.2', numCtx: 8192 }).step(
      {
        messages: asks,
      },
    );
    expect(result.usage).toEqual(
      expect.objectContaining({ inputTokens: 26, outputTokens: 282, source: 'server' }),
    );
    expect(result.timings.sources).toEqual({
      timeToFirstToken: 'measured',
      prefill: 'server',
      decode: 'server',
    });
  });

  it('answers `stream: false` with one object of the recorded shape, which the client reads the same way', async () => {
    const recorded = loadRecordedResponse('ollama', 'chat-whole-response');
    const server = await startSimulated({
      script: [
        {
          content: 'The answer to 1 + 1 is **2**.',
          usage: { promptTokens: 19, completionTokens: 14 },
          serverTimings: { promptMs: 18.088408, predictedMs: 94.230297, loadMs: 3106.878899 },
        },
      ],
      endpoint: { model: 'qwen3:4b-instruct' },
    });
    const answer = await simulatedAnswer(server.url, {
      model: 'qwen3:4b-instruct',
      messages: asks,
      stream: false,
    });
    expect(answer.status).toBe(recorded.status);
    expect(answer.contentType).toBe(recorded.contentType);
    expect(lines(answer.body)).toHaveLength(1);
    expect(missingShape(jsonShape(JSON.parse(recorded.body)), jsonShape(JSON.parse(answer.body)))).toEqual(
      [],
    );

    const stepOn = async (response: RecordedResponse) => {
      const viaReplay = await replay(response);
      const client = createOllamaClient({ baseUrl: viaReplay.url, model: 'qwen3:4b-instruct', numCtx: 8192 });
      const { text, finishReason, toolCalls, usage, timings } = await client.step({ messages: asks });
      const { prefillMs, decodeMs, decodeTokensPerSecond, loadMs } = timings;
      return { text, finishReason, toolCalls, usage, prefillMs, decodeMs, decodeTokensPerSecond, loadMs };
    };
    const fromRecorded = await stepOn(recorded);
    expect(fromRecorded.usage.source).toBe('server');
    expect(await stepOn(answer)).toEqual(fromRecorded);
  });

  it('sends a whole tool call of the recorded shape', async () => {
    const recorded = lines(loadRecordedResponse('ollama', 'chat-stream-tool-call').body);
    const server = await startSimulated({
      script: [{ toolCalls: [{ name: 'get_weather', arguments: { city: 'Tokyo' } }] }],
      endpoint: { model: 'llama3.2' },
    });
    const simulated = lines(
      (await simulatedAnswer(server.url, { model: 'llama3.2', messages: asks, tools: [], stream: true }))
        .body,
    );
    const call = simulated.find((line) => JSON.stringify(line).includes('tool_calls'));
    expect(missingShape(jsonShape(recorded[0]), jsonShape(call))).toEqual([]);
    expect(missingShape(jsonShape(recorded.at(-1)), jsonShape(simulated.at(-1)))).toEqual([]);
  });

  it.each([
    ['shift', 'chat-context-exceeded'],
    ['truncate', 'chat-context-exceeded-llamacpp'],
  ])('refuses an over-long prompt with %s: false exactly as the recorded 400', async (option, fixture) => {
    const recorded = loadRecordedResponse('ollama', fixture);
    const server = await startSimulated({
      script: [{ content: 'never sent', usage: { promptTokens: 8889, completionTokens: 1 } }],
      endpoint: { model: 'llama3.2', contextLength: 4096 },
    });
    const answer = await simulatedAnswer(server.url, {
      model: 'llama3.2',
      messages: asks,
      [option]: false,
      options: { num_ctx: 4096 },
    });
    expect(answer.status).toBe(recorded.status);
    expect(answer.body).toBe(recorded.body);

    const viaReplay = await replay(answer);
    const error = await rejectionOf(
      createOllamaClient({ baseUrl: viaReplay.url, model: 'llama3.2', numCtx: 4096 }).step({
        messages: asks,
      }),
    );
    expect(error).toBeInstanceOf(ContextLengthExceededError);
    expect((error as ContextLengthExceededError).contextLength).toBe(4096);
  });

  it('still truncates silently by default, as Ollama does', async () => {
    const server = await startSimulated({
      script: [{ content: 'Part.', usage: { promptTokens: 8889, completionTokens: 2 } }],
      endpoint: { model: 'llama3.2', contextLength: 4096 },
    });
    const answer = await simulatedAnswer(server.url, {
      model: 'llama3.2',
      messages: asks,
      options: { num_ctx: 4096 },
    });
    expect(answer.status).toBe(200);
    expect(lines(answer.body).at(-1)?.prompt_eval_count).toBe(4096);
  });
});
