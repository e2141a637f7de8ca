import { describe, expect, it } from 'vitest';
import {
  READ_FILE_TOOL,
  rejectionOf,
  simulatedServersClosedAfterEach,
} from '../../../test-support/client-test-kit.ts';
import { ContextLengthExceededError } from '../context-length-error.ts';
import { InfrastructureError } from '../infrastructure-error.ts';
import type { Script, SimulatedEndpoint } from '../simulated/script.ts';
import type { SimulatedServer } from '../simulated/simulated-server.ts';
import type { Message } from '../types.ts';
import { createOllamaClient } from './ollama-client.ts';

const MODEL = 'qwen3.5:9b';
const startServer = simulatedServersClosedAfterEach();

function serve(script: Script, endpoint: Partial<SimulatedEndpoint> = {}): Promise<SimulatedServer> {
  return startServer({ script, endpoint: { model: MODEL, ...endpoint } });
}

const userAsks: Message[] = [
  { role: 'system', content: 'You are a coding agent.' },
  { role: 'user', content: 'Fix the bug.' },
];

describe('createOllamaClient', () => {
  it('streams text and reports server usage, nanosecond timings and the simulated label', async () => {
    const server = await serve([
      {
        content: 'Hello from Ollama',
        usage: { promptTokens: 120, completionTokens: 30 },
        serverTimings: { promptMs: 60, predictedMs: 600, loadMs: 250 },
      },
    ]);
    const client = createOllamaClient({ baseUrl: server.url, model: MODEL, numCtx: 32768 });
    const deltas: string[] = [];
    const result = await client.step({ messages: userAsks, onDelta: (delta) => deltas.push(delta.text) });
    expect(result.text).toBe('Hello from Ollama');
    expect(deltas.join('')).toBe('Hello from Ollama');
    expect(deltas.length).toBeGreaterThan(1);
    expect(result.finishReason).toBe('stop');
    expect(result.rawFinishReason).toBe('stop');
    expect(result.usage).toEqual({
      inputTokens: 120,
      cachedInputTokens: 0,
      outputTokens: 30,
      reasoningTokens: 0,
      source: 'server',
    });
    expect(result.timings.prefillMs).toBe(60);
    expect(result.timings.decodeMs).toBe(600);
    expect(result.timings.loadMs).toBe(250);
    expect(result.timings.prefillTokensPerSecond).toBe(2000);
    expect(result.timings.decodeTokensPerSecond).toBe(50);
    expect(result.timings.sources).toEqual({
      timeToFirstToken: 'measured',
      prefill: 'server',
      decode: 'server',
    });
    expect(result.timings.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(result.timings.wallMs).toBeGreaterThanOrEqual(result.timings.timeToFirstTokenMs ?? 0);
    expect(result.simulated).toBe(true);
    expect(client.simulated).toBe(true);
    expect(client.id).toBe(`ollama:${MODEL}`);
    expect(result.issues).toEqual([]);
  });

  it('maps the conversation, tools and options onto the Ollama request', async () => {
    const server = await serve([{ content: 'ok' }]);
    const client = createOllamaClient({
      baseUrl: `${server.url}/`,
      model: MODEL,
      numCtx: 16384,
      think: true,
      keepAlive: '30m',
    });
    await client.step({
      messages: [
        ...userAsks,
        {
          role: 'assistant',
          content: 'Reading.',
          reasoning: 'Look first.',
          toolCalls: [
            {
              id: 'call_1',
              name: 'read_file',
              arguments: { path: 'a.ts' },
              rawArguments: '{"path":"a.ts"}',
              origin: 'server-parsed',
              format: 'native',
            },
          ],
        },
        { role: 'tool', toolCallId: 'call_1', toolName: 'read_file', content: 'export const a = 1;' },
      ],
      tools: [READ_FILE_TOOL],
      temperature: 0.2,
      topP: 0.9,
      seed: 7,
      maxOutputTokens: 512,
      stop: ['</done>'],
    });
    expect(server.chatRequests).toHaveLength(1);
    expect(server.chatRequests[0].path).toBe('/api/chat');
    expect(server.chatRequests[0].body).toEqual({
      model: MODEL,
      stream: true,
      think: true,
      keep_alive: '30m',
      messages: [
        { role: 'system', content: 'You are a coding agent.' },
        { role: 'user', content: 'Fix the bug.' },
        {
          role: 'assistant',
          content: 'Reading.',
          thinking: 'Look first.',
          tool_calls: [
            { id: 'call_1', function: { index: 0, name: 'read_file', arguments: { path: 'a.ts' } } },
          ],
        },
        { role: 'tool', content: 'export const a = 1;', tool_name: 'read_file' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'read_file', description: 'Read a file', parameters: READ_FILE_TOOL.parameters },
        },
      ],
      options: { num_ctx: 16384, temperature: 0.2, top_p: 0.9, seed: 7, num_predict: 512, stop: ['</done>'] },
    });
  });

  it('sends no tools when toolChoice is none', async () => {
    const server = await serve([{ content: 'ok' }]);
    const client = createOllamaClient({ baseUrl: server.url, model: MODEL, numCtx: 8192 });
    await client.step({ messages: userAsks, tools: [READ_FILE_TOOL], toolChoice: 'none' });
    expect(server.chatRequests[0].body).not.toHaveProperty('tools');
  });

  it('takes whole parallel tool calls with object arguments and reports tool-calls despite done_reason stop', async () => {
    const server = await serve([
      {
        toolCalls: [
          { id: 'call_a', name: 'read_file', arguments: { path: 'a.ts' } },
          { name: 'read_file', arguments: { path: 'b.ts' } },
        ],
      },
    ]);
    const client = createOllamaClient({ baseUrl: server.url, model: MODEL, numCtx: 8192 });
    const result = await client.step({ messages: userAsks, tools: [READ_FILE_TOOL] });
    expect(result.rawFinishReason).toBe('stop');
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls).toHaveLength(2);
    expect(result.toolCalls[0]).toEqual({
      id: 'call_a',
      name: 'read_file',
      arguments: { path: 'a.ts' },
      rawArguments: '{"path":"a.ts"}',
      origin: 'server-parsed',
      format: 'native',
    });
    expect(result.toolCalls[1].arguments).toEqual({ path: 'b.ts' });
    expect(result.toolCalls[1].id).toMatch(/^call_/);
    expect(result.issues).toEqual([]);
  });

  it('parses string arguments and flags malformed ones as a model issue', async () => {
    const server = await serve([
      {
        toolCalls: [
          { name: 'read_file', arguments: '{"path":"a.ts"}' },
          { name: 'read_file', arguments: '{"path": "a.ts"' },
        ],
      },
    ]);
    const client = createOllamaClient({ baseUrl: server.url, model: MODEL, numCtx: 8192 });
    const result = await client.step({ messages: userAsks, tools: [READ_FILE_TOOL] });
    expect(result.toolCalls[0].arguments).toEqual({ path: 'a.ts' });
    expect(result.toolCalls[0].argumentsError).toBeUndefined();
    expect(result.toolCalls[1].arguments).toEqual({});
    expect(result.toolCalls[1].rawArguments).toBe('{"path": "a.ts"');
    expect(result.toolCalls[1].argumentsError).toMatch(/not valid JSON/);
    expect(result.issues.map((issue) => issue.kind)).toEqual(['malformed-arguments']);
  });

  it('reads thinking from message.thinking when think is on', async () => {
    const server = await serve([{ reasoning: 'Let me think about it.', content: 'Done.' }]);
    const client = createOllamaClient({ baseUrl: server.url, model: MODEL, numCtx: 8192, think: true });
    const kinds = new Set<string>();
    const result = await client.step({ messages: userAsks, onDelta: (delta) => kinds.add(delta.kind) });
    expect(result.reasoning).toBe('Let me think about it.');
    expect(result.text).toBe('Done.');
    expect([...kinds].sort()).toEqual(['reasoning', 'text']);
  });

  it('maps done_reason length to a length finish with a truncation issue', async () => {
    const server = await serve([{ content: 'partial answ', finishReason: 'length' }]);
    const client = createOllamaClient({ baseUrl: server.url, model: MODEL, numCtx: 8192 });
    const result = await client.step({ messages: userAsks, maxOutputTokens: 3 });
    expect(result.finishReason).toBe('length');
    expect(result.issues).toEqual([expect.objectContaining({ kind: 'truncated' })]);
  });

  it('flags silent prompt truncation at num_ctx as a configuration issue', async () => {
    const server = await serve([
      { content: 'I only saw part of it.', usage: { promptTokens: 50_000, completionTokens: 6 } },
    ]);
    const client = createOllamaClient({ baseUrl: server.url, model: MODEL, numCtx: 4096 });
    const result = await client.step({ messages: userAsks });
    expect(result.usage.inputTokens).toBe(4096);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0].kind).toBe('truncated');
    expect(result.issues[0].message).toMatch(/silently truncated/);
    expect(result.issues[0].message).toMatch(/numCtx/);
  });

  it('learns the server default context from /api/ps to detect truncation without numCtx', async () => {
    const server = await serve([{ content: 'Part.', usage: { promptTokens: 9000, completionTokens: 2 } }], {
      contextLength: 4096,
    });
    const client = createOllamaClient({ baseUrl: server.url, model: MODEL });
    const result = await client.step({ messages: userAsks });
    expect(result.usage.inputTokens).toBe(4096);
    expect(result.issues.map((issue) => issue.kind)).toEqual(['truncated']);
    expect(result.issues[0].message).toMatch(/unset/);
    expect(server.requests.map((request) => request.path)).toContain('/api/ps');
  });

  it('does not flag a prompt that fits', async () => {
    const server = await serve([{ content: 'Fine.', usage: { promptTokens: 1000, completionTokens: 2 } }]);
    const client = createOllamaClient({ baseUrl: server.url, model: MODEL, numCtx: 4096 });
    const result = await client.step({ messages: userAsks });
    expect(result.issues).toEqual([]);
  });

  it('turns an error line inside the 200 stream into a stream-error', async () => {
    const server = await serve([
      {
        content: 'abcdefghijklmnop',
        fault: { kind: 'error-in-stream', afterChunks: 1, message: 'error parsing tool call' },
      },
    ]);
    const client = createOllamaClient({ baseUrl: server.url, model: MODEL, numCtx: 8192 });
    const error = await rejectionOf(client.step({ messages: userAsks }));
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as InfrastructureError).kind).toBe('stream-error');
    expect((error as InfrastructureError).message).toMatch(/error parsing tool call/);
  });

  it.each([
    [500, 'server-error', true],
    [503, 'server-error', true],
    [429, 'rate-limit', true],
    [400, 'client-error', false],
  ] as const)('maps HTTP %i to %s', async (status, kind, retryable) => {
    const server = await serve([
      { fault: { kind: 'http-error', status, body: 'something broke', retryAfterSeconds: 3 } },
    ]);
    const client = createOllamaClient({ baseUrl: server.url, model: MODEL, numCtx: 8192 });
    const error = (await rejectionOf(client.step({ messages: userAsks }))) as InfrastructureError;
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toMatch(/something broke/);
    if (status === 429) expect(error.retryAfterSeconds).toBe(3);
  });

  it('tells the user to pull a model the server does not have', async () => {
    const server = await serve([{ content: 'never' }]);
    const client = createOllamaClient({ baseUrl: server.url, model: 'llama9:70b', numCtx: 8192 });
    const error = (await rejectionOf(client.step({ messages: userAsks }))) as InfrastructureError;
    expect(error.kind).toBe('client-error');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/ollama pull llama9:70b/);
  });

  it('raises ContextLengthExceededError when the server refuses an over-long input', async () => {
    const server = await serve([
      { fault: { kind: 'http-error', status: 400, body: 'the input length exceeds the context length' } },
    ]);
    const client = createOllamaClient({ baseUrl: server.url, model: MODEL, numCtx: 8192 });
    const error = await rejectionOf(client.step({ messages: userAsks }));
    expect(error).toBeInstanceOf(ContextLengthExceededError);
    expect((error as ContextLengthExceededError).contextLength).toBe(8192);
  });

  it('reports a connection dropped mid-response as a broken stream', async () => {
    const server = await serve([
      { content: 'abcdefghijklmnopqrstuvwx', fault: { kind: 'drop-connection', afterChunks: 2 } },
    ]);
    const client = createOllamaClient({ baseUrl: server.url, model: MODEL, numCtx: 8192 });
    const error = (await rejectionOf(client.step({ messages: userAsks }))) as InfrastructureError;
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error.kind).toBe('stream-error');
    expect(error.message).toMatch(/lost mid-response/);
  });

  it('times out a hanging server with the idle timeout', async () => {
    const server = await serve([{ fault: { kind: 'hang' } }]);
    const client = createOllamaClient({
      baseUrl: server.url,
      model: MODEL,
      numCtx: 8192,
      idleTimeoutMs: 150,
    });
    const started = performance.now();
    const error = (await rejectionOf(client.step({ messages: userAsks }))) as InfrastructureError;
    expect(error.kind).toBe('timeout');
    expect(error.message).toMatch(/idle timeout/);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('rethrows the caller abort instead of an infrastructure error', async () => {
    const server = await serve([{ fault: { kind: 'hang' } }]);
    const client = createOllamaClient({ baseUrl: server.url, model: MODEL, numCtx: 8192 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user stopped')), 50);
    const error = await rejectionOf(client.step({ messages: userAsks, signal: controller.signal }));
    expect(error).not.toBeInstanceOf(InfrastructureError);
    expect((error as Error).message).toBe('user stopped');
  });

  it('reports connection refused as a connection error', async () => {
    const server = await serve([]);
    const url = server.url;
    await server.close();
    const client = createOllamaClient({ baseUrl: url, model: MODEL, numCtx: 8192 });
    const error = (await rejectionOf(client.step({ messages: userAsks }))) as InfrastructureError;
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error.kind).toBe('connection');
    expect(error.message).toMatch(/could not connect/);
  });

  it('recovers a Hermes tool call leaked into the content', async () => {
    const server = await serve([
      { toolCalls: [{ name: 'read_file', arguments: { path: 'a.ts' } }], toolCallDelivery: 'leak-hermes' },
    ]);
    const client = createOllamaClient({ baseUrl: server.url, model: MODEL, numCtx: 8192 });
    const result = await client.step({ messages: userAsks, tools: [READ_FILE_TOOL] });
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]).toMatchObject({
      name: 'read_file',
      arguments: { path: 'a.ts' },
      origin: 'recovered',
      format: 'hermes-json',
    });
    expect(result.text).not.toContain('<tool_call>');
    expect(result.finishReason).toBe('tool-calls');
  });

  it('rejects bad options with a clear error', () => {
    expect(() => createOllamaClient({ model: '' })).toThrow(/model is required/);
    expect(() => createOllamaClient({ model: MODEL, numCtx: 0 })).toThrow(
      /numCtx must be a positive integer/,
    );
    expect(() => createOllamaClient({ model: MODEL, baseUrl: 'not a url' })).toThrow(/not a valid URL/);
  });
});

describe('createOllamaClient describe()', () => {
  it('reports context, quantization, sizes and tool support from /api/show and /api/ps', async () => {
    const server = await serve([], {
      contextLength: 32768,
      maxContextLength: 262144,
      quantization: 'Q4_K_M',
      parameterSize: '9.7B',
      sizeBytes: 8_000_000_000,
      sizeVramBytes: 8_000_000_000,
    });
    const info = await createOllamaClient({ baseUrl: server.url, model: MODEL }).describe();
    expect(info).toMatchObject({
      provider: 'ollama',
      model: MODEL,
      reachable: true,
      contextLength: 32768,
      maxContextLength: 262144,
      quantization: 'Q4_K_M',
      parameterCount: '9.7B',
      sizeBytes: 8_000_000_000,
      sizeVramBytes: 8_000_000_000,
      cpuOffload: false,
      supportsTools: true,
      simulated: true,
    });
    expect(info.notes).toEqual([]);
  });

  it('detects CPU offload when size_vram is below size', async () => {
    const server = await serve([], { sizeBytes: 10_000_000_000, sizeVramBytes: 7_500_000_000 });
    const info = await createOllamaClient({ baseUrl: server.url, model: MODEL }).describe();
    expect(info.cpuOffload).toBe(true);
    expect(info.notes.join('\n')).toMatch(/25% of the loaded model is offloaded to the CPU/);
  });

  it('warns about the 4096-token default context', async () => {
    const server = await serve([], { contextLength: 4096 });
    const info = await createOllamaClient({ baseUrl: server.url, model: MODEL }).describe();
    expect(info.contextLength).toBe(4096);
    expect(info.notes).toContain(
      "context is 4096 tokens: Ollama's default; agent prompts will be silently truncated — set numCtx",
    );
  });

  it("assumes Ollama's default when neither /api/ps nor the parameters give a context", async () => {
    const server = await serve([]);
    const patchedFetch: typeof fetch = async (input, init) => {
      const url = String(input);
      const response = await fetch(input, init);
      if (url.endsWith('/api/ps')) {
        return new Response(JSON.stringify({ models: [] }), { status: 200, headers: response.headers });
      }
      if (url.endsWith('/api/show')) {
        const show = (await response.json()) as Record<string, unknown>;
        show.parameters = 'temperature 0.6';
        return new Response(JSON.stringify(show), { status: 200, headers: response.headers });
      }
      return response;
    };
    const info = await createOllamaClient({
      baseUrl: server.url,
      model: MODEL,
      fetch: patchedFetch,
    }).describe();
    expect(info.contextLength).toBe(4096);
    expect(info.sizeBytes).toBeNull();
    expect(info.cpuOffload).toBeNull();
    expect(info.notes.join('\n')).toMatch(/assuming Ollama's default of 4096/);
    expect(info.notes.join('\n')).toMatch(/not loaded right now/);
  });

  it('reports the configured numCtx as the context that requests use', async () => {
    const server = await serve([], { contextLength: 4096 });
    const info = await createOllamaClient({ baseUrl: server.url, model: MODEL, numCtx: 65536 }).describe();
    expect(info.contextLength).toBe(65536);
    expect(info.notes.join('\n')).toMatch(/reload/);
  });

  it('reports a missing model with the pull command', async () => {
    const server = await serve([]);
    const info = await createOllamaClient({ baseUrl: server.url, model: 'nope:1b' }).describe();
    expect(info.reachable).toBe(true);
    expect(info.notes.join('\n')).toMatch(/ollama pull nope:1b/);
  });

  it('never throws for an unreachable server', async () => {
    const server = await serve([]);
    const url = server.url;
    await server.close();
    const info = await createOllamaClient({ baseUrl: url, model: MODEL }).describe();
    expect(info.reachable).toBe(false);
    expect(info.notes[0]).toMatch(/could not connect/);
  });
});
