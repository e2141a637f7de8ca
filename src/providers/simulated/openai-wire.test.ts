import { afterEach, describe, expect, it } from 'vitest';
import type { OpenAIFlavour, Script } from './script.ts';
import { type SimulatedServer, startSimulatedServer } from './simulated-server.ts';

const servers: SimulatedServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()?.close();
});

async function serve(script: Script, flavour: OpenAIFlavour = 'openai'): Promise<SimulatedServer> {
  const server = await startSimulatedServer({ script, flavour });
  servers.push(server);
  return server;
}

async function chat(server: SimulatedServer, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'simulated-model', messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
}

/** Every `data:` payload of an SSE body, JSON-parsed except `[DONE]`. */
async function events(response: Response): Promise<unknown[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length))
    .map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}

type Chunk = {
  object: string;
  choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>;
  usage?: Record<string, unknown>;
  timings?: Record<string, number>;
};

describe('simulated OpenAI wire: streaming', () => {
  it('streams role first, content pieces, finish chunk and [DONE]; usage only when asked', async () => {
    const server = await serve([{ content: 'abcdefghij', chunkSize: 4 }, { content: 'abc' }]);
    const plain = await chat(server, { stream: true });
    expect(plain.headers.get('content-type')).toBe('text/event-stream');
    expect(plain.headers.get('x-shakedown-simulated')).toBe('1');
    const list = await events(plain);
    expect(list.at(-1)).toBe('[DONE]');
    const chunks = list.slice(0, -1) as Chunk[];
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.map((chunk) => chunk.choices[0].delta.content ?? '').join('')).toBe('abcdefghij');
    expect(chunks.filter((chunk) => typeof chunk.choices[0].delta.content === 'string').length).toBe(4);
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('stop');
    expect(chunks.some((chunk) => chunk.usage !== undefined)).toBe(false);

    const withUsage = await events(
      await chat(server, { stream: true, stream_options: { include_usage: true } }),
    );
    const usageChunk = withUsage.at(-2) as Chunk;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
      total_tokens: expect.any(Number),
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it('streams native tool calls OpenAI-style and finishes with tool_calls', async () => {
    const server = await serve([
      { toolCalls: [{ id: 'call_x', name: 'read_file', arguments: { path: 'a.ts' } }] },
    ]);
    const chunks = (await events(await chat(server, { stream: true }))).slice(0, -1) as Chunk[];
    const calls = chunks.flatMap(
      (chunk) => (chunk.choices[0].delta.tool_calls as Array<Record<string, unknown>> | undefined) ?? [],
    );
    expect(calls[0]).toEqual({
      index: 0,
      id: 'call_x',
      type: 'function',
      function: { name: 'read_file', arguments: '' },
    });
    const argumentsText = calls.map((call) => (call.function as { arguments: string }).arguments).join('');
    expect(JSON.parse(argumentsText)).toEqual({ path: 'a.ts' });
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('tool_calls');
  });

  it('llamacpp: reasoning_content and timings on the finish chunk; leaked calls finish with stop', async () => {
    const server = await serve(
      [
        {
          reasoning: 'think',
          toolCalls: [{ name: 'read_file', arguments: { path: 'a.ts' } }],
          toolCallDelivery: 'leak-hermes',
          usage: { promptTokens: 100, completionTokens: 10, cachedTokens: 40 },
          serverTimings: { promptMs: 60, predictedMs: 200 },
        },
      ],
      'llamacpp',
    );
    const chunks = (await events(await chat(server, { stream: true }))).slice(0, -1) as Chunk[];
    expect(chunks.map((chunk) => chunk.choices[0].delta.reasoning_content ?? '').join('')).toBe('think');
    const content = chunks.map((chunk) => chunk.choices[0].delta.content ?? '').join('');
    expect(content).toBe('<tool_call>\n{"name":"read_file","arguments":{"path":"a.ts"}}\n</tool_call>');
    const last = chunks.at(-1)!;
    expect(last.choices[0].finish_reason).toBe('stop');
    expect(last.timings).toMatchObject({
      cache_n: 40,
      prompt_n: 60,
      prompt_ms: 60,
      predicted_n: 10,
      predicted_ms: 200,
    });
    expect(last.timings?.predicted_per_second).toBeCloseTo(50, 5);
  });

  it('vllm sends reasoning in `reasoning`; openai sends no reasoning text', async () => {
    const vllm = await serve([{ content: 'x', reasoning: 'why' }], 'vllm');
    const vllmChunks = (await events(await chat(vllm, { stream: true }))).slice(0, -1) as Chunk[];
    expect(vllmChunks.map((chunk) => chunk.choices[0].delta.reasoning ?? '').join('')).toBe('why');
    const openai = await serve([{ content: 'x', reasoning: 'why' }], 'openai');
    const text = await (await chat(openai, { stream: true })).text();
    expect(text).not.toContain('why');
  });

  it('sends an error object inside the stream', async () => {
    const server = await serve(
      [
        {
          content: 'abcdefgh',
          chunkSize: 2,
          fault: { kind: 'error-in-stream', afterChunks: 2, message: 'boom' },
        },
      ],
      'vllm',
    );
    const list = await events(await chat(server, { stream: true }));
    // vLLM's own framing: its ErrorResponse, then [DONE] (src/providers/openai-compatible/openai-compatible-recorded-wire.test.ts).
    expect(list).toHaveLength(4);
    expect(list[2]).toEqual({
      error: { message: 'boom', type: 'InternalServerError', param: null, code: 500 },
    });
    expect(list[3]).toBe('[DONE]');
  });
});

describe('simulated OpenAI wire: whole responses and errors', () => {
  it('answers stream:false with a chat.completion object', async () => {
    const server = await serve([
      { content: 'hello', toolCalls: [{ id: 'c1', name: 'f', arguments: { a: 1 } }] },
    ]);
    const response = await chat(server, {});
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.object).toBe('chat.completion');
    expect(body.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'hello',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
        },
        finish_reason: 'tool_calls',
      },
    ]);
    expect(body.usage).toMatchObject({ prompt_tokens: expect.any(Number) });
  });

  it('http-error: JSON error body and Retry-After', async () => {
    const server = await serve([{ fault: { kind: 'http-error', status: 429, retryAfterSeconds: 3 } }]);
    const response = await chat(server, { stream: true });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual({
      error: { message: 'simulated HTTP 429 error', type: 'rate_limit_exceeded', code: 429 },
    });
  });

  it('answers an over-long prompt with llama.cpp exceed_context_size_error', async () => {
    const server = await startSimulatedServer({
      script: [{ content: 'x' }],
      flavour: 'llamacpp',
      endpoint: { contextLength: 10 },
    });
    servers.push(server);
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'y'.repeat(100) }], stream: true }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: 400,
        message: 'the request exceeds the available context size, try increasing it',
        type: 'exceed_context_size_error',
        n_prompt_tokens: 25,
        n_ctx: 10,
      },
    });
  });
});

describe('simulated OpenAI wire: info routes', () => {
  it('serves /v1/models, /health, /props (llama.cpp only) and 404s', async () => {
    const llama = await serve([], 'llamacpp');
    const models = (await (await fetch(`${llama.url}/v1/models`)).json()) as {
      object: string;
      data: unknown[];
    };
    expect(models.object).toBe('list');
    expect(models.data[0]).toMatchObject({ id: 'simulated-model', object: 'model', owned_by: 'llamacpp' });
    expect(await (await fetch(`${llama.url}/health`)).json()).toEqual({ status: 'ok' });
    const props = (await (await fetch(`${llama.url}/props`)).json()) as Record<string, unknown>;
    expect(props).toMatchObject({ default_generation_settings: { n_ctx: 32768 }, total_slots: 4 });
    expect(typeof props.chat_template).toBe('string');
    expect((await fetch(`${llama.url}/nope`)).status).toBe(404);

    const vllm = await serve([], 'vllm');
    const vllmModels = (await (await fetch(`${vllm.url}/v1/models`)).json()) as { data: unknown[] };
    expect(vllmModels.data[0]).toMatchObject({ owned_by: 'vllm', max_model_len: 32768 });
    expect((await fetch(`${vllm.url}/props`)).status).toBe(404);
  });
});
