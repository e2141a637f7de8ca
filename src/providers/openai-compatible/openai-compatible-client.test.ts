import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  READ_FILE_TOOL,
  rejectionOf,
  simulatedServersClosedAfterEach,
} from '../../../test-support/client-test-kit.ts';
import { ContextLengthExceededError } from '../context-length-error.ts';
import { InfrastructureError } from '../infrastructure-error.ts';
import type { OpenAIFlavour, Script, SimulatedEndpoint, ToolCallDelivery } from '../simulated/script.ts';
import type { SimulatedServer } from '../simulated/simulated-server.ts';
import type { Message, StepRequest, ToolDefinition } from '../types.ts';
import {
  createOpenAICompatibleClient,
  mapFinishReason,
  type OpenAICompatibleClientOptions,
  parseToolArguments,
  toOpenAIMessages,
} from './openai-compatible-client.ts';

const startServer = simulatedServersClosedAfterEach();

function serve(
  script: Script,
  flavour: OpenAIFlavour = 'openai',
  endpoint: Partial<SimulatedEndpoint> = {},
): Promise<SimulatedServer> {
  return startServer({ script, flavour, endpoint });
}

function client(server: SimulatedServer, options: Partial<OpenAICompatibleClientOptions> = {}) {
  return createOpenAICompatibleClient({
    baseUrl: server.url,
    model: 'simulated-model',
    flavour: 'generic',
    requestTimeoutMs: 5_000,
    idleTimeoutMs: 5_000,
    ...options,
  });
}

const runCommand: ToolDefinition = {
  name: 'run_command',
  description: 'Run a shell command',
  parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
};

function request(overrides: Partial<StepRequest> = {}): StepRequest {
  return {
    messages: [
      { role: 'system', content: 'You are a coding agent.' },
      { role: 'user', content: 'Fix the bug in src/add.ts' },
    ],
    tools: [READ_FILE_TOOL, runCommand],
    ...overrides,
  };
}

describe('OpenAI-compatible client: plain answers', () => {
  it('streams plain text, sends stream + include_usage and maps the request', async () => {
    const server = await serve([{ content: 'The bug is in the addition operator.', chunkSize: 5 }]);
    const deltas: string[] = [];
    const messages: Message[] = [
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          {
            id: 'call_a',
            name: 'read_file',
            arguments: { path: 'a.ts' },
            rawArguments: '{"path":"a.ts"}',
            origin: 'server-parsed',
            format: 'native',
          },
        ],
      },
      { role: 'tool', toolCallId: 'call_a', toolName: 'read_file', content: 'export const a = 1;' },
    ];
    const result = await client(server, { extraBody: { top_k: 20, stream: false } }).step(
      request({
        messages,
        maxOutputTokens: 256,
        temperature: 0.2,
        seed: 7,
        stop: ['</done>'],
        toolChoice: 'auto',
        onDelta: (delta) => deltas.push(delta.text),
      }),
    );
    expect(result.text).toBe('The bug is in the addition operator.');
    expect(deltas.join('')).toBe(result.text);
    expect(deltas.length).toBeGreaterThan(1);
    expect(result.toolCalls).toEqual([]);
    expect(result.finishReason).toBe('stop');
    expect(result.rawFinishReason).toBe('stop');
    expect(result.simulated).toBe(true);
    expect(result.provider).toBe('generic');

    const body = server.chatRequests[0].body as Record<string, unknown>;
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(body.max_tokens).toBe(256);
    expect(body.temperature).toBe(0.2);
    expect(body.seed).toBe(7);
    expect(body.stop).toEqual(['</done>']);
    expect(body.tool_choice).toBe('auto');
    expect(body.top_k).toBe(20);
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: { name: 'read_file', description: 'Read a file', parameters: READ_FILE_TOOL.parameters },
      },
      {
        type: 'function',
        function: {
          name: 'run_command',
          description: 'Run a shell command',
          parameters: runCommand.parameters,
        },
      },
    ]);
    expect(body.messages).toEqual([
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.ts"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: 'export const a = 1;' },
    ]);
  });

  it('accepts a base URL ending in /v1 and uses max_completion_tokens for the openai flavour', async () => {
    const server = await serve([{ content: 'ok' }]);
    const openai = client(server, { baseUrl: `${server.url}/v1/`, flavour: 'openai', provider: 'openai' });
    expect(openai.id).toBe('openai:simulated-model');
    await openai.step(request({ maxOutputTokens: 100 }));
    const body = server.chatRequests[0].body as Record<string, unknown>;
    expect(body.max_completion_tokens).toBe(100);
    expect(body.max_tokens).toBeUndefined();
    expect(server.chatRequests[0].path).toBe('/v1/chat/completions');
  });

  it('sends the API key and extra headers', async () => {
    const server = await serve([{ content: 'ok' }]);
    await client(server, { apiKey: 'sk-test', headers: { 'x-title': 'shakedown' } }).step(request());
    expect(server.chatRequests[0].headers.authorization).toBe('Bearer sk-test');
    expect(server.chatRequests[0].headers['x-title']).toBe('shakedown');
  });

  it('labels a result simulated only when the server says so', async () => {
    const server = await serve([{ content: 'ok' }]);
    const modelClient = client(server);
    expect(modelClient.simulated).toBe(false);
    const result = await modelClient.step(request());
    expect(result.simulated).toBe(true);
    expect(modelClient.simulated).toBe(true);
  });

  it('flags an empty turn and a truncated answer', async () => {
    const server = await serve([{ content: '' }, { content: 'partial answ', finishReason: 'length' }]);
    const modelClient = client(server);
    const empty = await modelClient.step(request());
    expect(empty.issues.map((issue) => issue.kind)).toContain('empty-turn');
    const truncated = await modelClient.step(request());
    expect(truncated.finishReason).toBe('length');
    expect(truncated.issues.map((issue) => issue.kind)).toContain('truncated');
  });
});

describe('OpenAI-compatible client: native tool calls', () => {
  it('accumulates one streamed tool call', async () => {
    const server = await serve([
      {
        content: 'Let me look.',
        toolCalls: [{ id: 'call_1', name: 'read_file', arguments: { path: 'src/add.ts' } }],
      },
    ]);
    const result = await client(server).step(request());
    expect(result.text).toBe('Let me look.');
    expect(result.finishReason).toBe('tool-calls');
    expect(result.rawFinishReason).toBe('tool_calls');
    expect(result.toolCalls).toEqual([
      {
        id: 'call_1',
        name: 'read_file',
        arguments: { path: 'src/add.ts' },
        rawArguments: '{"path":"src/add.ts"}',
        origin: 'server-parsed',
        format: 'native',
      },
    ]);
    expect(result.issues).toEqual([]);
  });

  it('accumulates two parallel tool calls by index', async () => {
    const server = await serve([
      {
        toolCalls: [
          { name: 'read_file', arguments: { path: 'src/add.ts' } },
          { name: 'run_command', arguments: { command: 'npm test -- --reporter=dot' } },
        ],
        chunkSize: 3,
      },
    ]);
    const result = await client(server).step(request());
    expect(result.toolCalls.map((call) => [call.name, call.arguments])).toEqual([
      ['read_file', { path: 'src/add.ts' }],
      ['run_command', { command: 'npm test -- --reporter=dot' }],
    ]);
    expect(new Set(result.toolCalls.map((call) => call.id)).size).toBe(2);
    expect(result.toolCalls.every((call) => call.origin === 'server-parsed')).toBe(true);
  });

  it('records malformed arguments as a model issue, not an error', async () => {
    const server = await serve([{ toolCalls: [{ name: 'read_file', arguments: '{"path": "src/add.ts"' }] }]);
    const result = await client(server).step(request());
    expect(result.toolCalls).toHaveLength(1);
    const [call] = result.toolCalls;
    expect(call.arguments).toEqual({});
    expect(call.rawArguments).toBe('{"path": "src/add.ts"');
    expect(call.argumentsError).toMatch(/not valid JSON/);
    expect(result.issues.filter((issue) => issue.kind === 'malformed-arguments')).toHaveLength(1);
  });
});

describe('OpenAI-compatible client: flavours, usage and timings', () => {
  it('openai: usage from the usage chunk, measured timings, no reasoning text', async () => {
    const server = await serve([
      {
        content: 'Done.',
        reasoning: 'hidden reasoning',
        usage: { promptTokens: 120, completionTokens: 40, cachedTokens: 64, reasoningTokens: 30 },
        firstTokenDelayMs: 30,
        chunkDelayMs: 5,
        chunkSize: 1,
      },
    ]);
    const result = await client(server, { flavour: 'openai' }).step(request());
    expect(result.reasoning).toBe('');
    expect(result.usage).toEqual({
      inputTokens: 120,
      cachedInputTokens: 64,
      outputTokens: 40,
      reasoningTokens: 30,
      source: 'server',
    });
    expect(result.timings.sources).toEqual({
      timeToFirstToken: 'measured',
      prefill: 'measured',
      decode: 'measured',
    });
    expect(result.timings.timeToFirstTokenMs).toBeGreaterThanOrEqual(25);
    expect(result.timings.decodeMs).toBeGreaterThan(0);
    // Server-counted tokens over client-measured time: the first token ends the prefill, cached ones are not
    // prefilled.
    expect(result.timings.decodeTokensPerSecond).toBeCloseTo(39 / (result.timings.decodeMs! / 1000), 5);
    expect(result.timings.prefillTokensPerSecond).toBeCloseTo(
      (120 - 64) / (result.timings.timeToFirstTokenMs! / 1000),
      5,
    );
    expect(result.timings.wallMs).toBeGreaterThanOrEqual(result.timings.timeToFirstTokenMs!);
    expect(result.timings.loadMs).toBeNull();
  });

  it('llamacpp: reasoning_content, server timings from the last chunk, usage from the usage chunk', async () => {
    const server = await serve(
      [
        {
          content: 'Answer.',
          reasoning: 'Think about the tests first.',
          usage: { promptTokens: 1000, completionTokens: 50, cachedTokens: 600 },
          serverTimings: { promptMs: 200, predictedMs: 1000 },
        },
      ],
      'llamacpp',
    );
    const reasoningDeltas: string[] = [];
    const result = await client(server, { flavour: 'llamacpp' }).step(
      request({ onDelta: (delta) => delta.kind === 'reasoning' && reasoningDeltas.push(delta.text) }),
    );
    expect(result.reasoning).toBe('Think about the tests first.');
    expect(reasoningDeltas.join('')).toBe(result.reasoning);
    expect(result.text).toBe('Answer.');
    expect(result.usage).toEqual({
      inputTokens: 1000,
      cachedInputTokens: 600,
      outputTokens: 50,
      reasoningTokens: 0,
      source: 'server',
    });
    expect(result.timings.sources).toEqual({
      timeToFirstToken: 'measured',
      prefill: 'server',
      decode: 'server',
    });
    expect(result.timings.prefillMs).toBe(200);
    expect(result.timings.prefillTokensPerSecond).toBeCloseTo(2000, 5); // 400 uncached tokens in 200 ms
    expect(result.timings.decodeMs).toBe(1000);
    expect(result.timings.decodeTokensPerSecond).toBeCloseTo(50, 5);
  });

  it('llamacpp: falls back to timings counts when no usage chunk arrives', async () => {
    // A server that ignores stream_options: the script's own server always honours it, so strip it here.
    const server = await serve(
      [{ content: 'Answer.', usage: { promptTokens: 300, completionTokens: 20, cachedTokens: 100 } }],
      'llamacpp',
    );
    const modelClient = client(server, {
      flavour: 'llamacpp',
      fetch: (input, init) => {
        const body = JSON.parse(String(init?.body));
        delete body.stream_options;
        return fetch(input, { ...init, body: JSON.stringify(body) });
      },
    });
    const result = await modelClient.step(request());
    expect(result.usage).toEqual({
      inputTokens: 300,
      cachedInputTokens: 100,
      outputTokens: 20,
      reasoningTokens: 0,
      source: 'server',
    });
    expect(result.timings.sources.decode).toBe('server');
  });

  it('vllm: reasoning in the `reasoning` field', async () => {
    const server = await serve(
      [
        {
          content: 'Fixed.',
          reasoning: 'The operator is wrong.',
          usage: { promptTokens: 10, completionTokens: 9 },
        },
      ],
      'vllm',
    );
    const result = await client(server, { flavour: 'vllm' }).step(request());
    expect(result.reasoning).toBe('The operator is wrong.');
    expect(result.text).toBe('Fixed.');
    expect(result.usage.source).toBe('server');
    expect(result.timings.sources.prefill).toBe('measured');
  });

  it('lmstudio: reasoning in `reasoning_content`', async () => {
    const server = await serve([{ content: 'Yes.', reasoning: 'Check first.' }], 'lmstudio');
    const result = await client(server, { flavour: 'lmstudio' }).step(request());
    expect(result.reasoning).toBe('Check first.');
    expect(result.text).toBe('Yes.');
  });

  it('estimates usage (source measured) when the server reports none', async () => {
    const server = await serve([{ content: 'x'.repeat(40) }]);
    const result = await client(server, {
      fetch: (input, init) => {
        const body = JSON.parse(String(init?.body));
        delete body.stream_options;
        return fetch(input, { ...init, body: JSON.stringify(body) });
      },
    }).step(request({ tools: undefined }));
    expect(result.usage.source).toBe('measured');
    expect(result.usage.outputTokens).toBe(10);
    expect(result.usage.inputTokens).toBe(
      Math.ceil(('You are a coding agent.'.length + 'Fix the bug in src/add.ts'.length) / 4),
    );
    // Times are measured; token rates from a chars/4 estimate would be invented, so there are none.
    expect(result.timings.prefillTokensPerSecond).toBeNull();
    expect(result.timings.decodeTokensPerSecond).toBeNull();
  });
});

describe('OpenAI-compatible client: leaked tool calls go through normalizeAssistantOutput', () => {
  // These assert recovery, which is implemented in tool-call-recovery.ts by another work stream.
  const deliveries: Array<{ delivery: ToolCallDelivery; flavour: OpenAIFlavour }> = [
    { delivery: 'leak-hermes', flavour: 'llamacpp' },
    { delivery: 'leak-qwen-xml', flavour: 'vllm' },
    { delivery: 'leak-qwen-xml-no-open-tag', flavour: 'vllm' },
    { delivery: 'leak-hermes-in-reasoning', flavour: 'llamacpp' },
    { delivery: 'leak-qwen-xml-in-think', flavour: 'lmstudio' },
    { delivery: 'leak-after-close-think', flavour: 'openai' },
  ];
  for (const { delivery, flavour } of deliveries) {
    it(`recovers a ${delivery} call (${flavour})`, async () => {
      const server = await serve(
        [
          {
            reasoning: 'I should read the file.',
            toolCalls: [{ name: 'read_file', arguments: { path: 'src/add.ts' } }],
            toolCallDelivery: delivery,
          },
        ],
        flavour,
      );
      const result = await client(server, { flavour }).step(request());
      expect(result.rawFinishReason).toBe('stop');
      expect(result.toolCalls).toHaveLength(1);
      expect(result.toolCalls[0]).toMatchObject({
        name: 'read_file',
        arguments: { path: 'src/add.ts' },
        origin: 'recovered',
      });
      expect(result.text).not.toContain('tool_call');
      expect(result.finishReason).toBe('tool-calls');
    });
  }
});

describe('OpenAI-compatible client: infrastructure faults', () => {
  it('500 is a retryable server error', async () => {
    const server = await serve([{ fault: { kind: 'http-error', status: 500 } }]);
    const error = await rejectionOf(client(server).step(request()));
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error).toMatchObject({ kind: 'server-error', status: 500, retryable: true });
    expect((error as Error).message).toContain('simulated HTTP 500 error');
  });

  it('529 is a server error', async () => {
    const server = await serve([{ fault: { kind: 'http-error', status: 529, body: 'overloaded' } }]);
    const error = await rejectionOf(client(server).step(request()));
    expect(error).toMatchObject({ kind: 'server-error', status: 529 });
    expect((error as Error).message).toContain('overloaded');
  });

  it('429 is a rate limit with Retry-After', async () => {
    const server = await serve([{ fault: { kind: 'http-error', status: 429, retryAfterSeconds: 7 } }]);
    const error = await rejectionOf(client(server).step(request()));
    expect(error).toMatchObject({ kind: 'rate-limit', status: 429, retryAfterSeconds: 7, retryable: true });
  });

  it('other 4xx are non-retryable client errors', async () => {
    const server = await serve([{ fault: { kind: 'http-error', status: 401 } }]);
    const error = await rejectionOf(client(server).step(request()));
    expect(error).toMatchObject({ kind: 'client-error', status: 401, retryable: false });
  });

  it('an error object inside the 200 stream is a stream error', async () => {
    const server = await serve(
      [
        {
          content: 'Some text here',
          fault: { kind: 'error-in-stream', afterChunks: 2, message: 'Failed to parse input' },
        },
      ],
      'llamacpp',
    );
    const error = await rejectionOf(client(server).step(request()));
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error).toMatchObject({ kind: 'stream-error', retryable: true });
    expect((error as Error).message).toContain('Failed to parse input');
  });

  it("llama-server refusing the model's own output inside the stream is a model failure, not infrastructure", async () => {
    // The real bytes: content deltas, then
    // {"error":{"code":500,"message":"The model produced output that does not match the expected peg-native format","type":"server_error"}}
    const message = 'The model produced output that does not match the expected peg-native format';
    const server = await serve(
      [{ content: 'Some text here', fault: { kind: 'error-in-stream', afterChunks: 2, message } }],
      'llamacpp',
    );
    const result = await client(server).step(request());
    expect(result.finishReason).toBe('error');
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.issues).toContainEqual({
      kind: 'other',
      message: `the server could not parse the model's output: ${message}`,
    });
    expect(result.usage.source).toBe('measured');
  });

  it('a dropped connection is a stream error', async () => {
    const server = await serve([
      { content: 'This answer will break off', fault: { kind: 'drop-connection', afterChunks: 2 } },
    ]);
    const error = await rejectionOf(client(server).step(request()));
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error).toMatchObject({ kind: 'stream-error' });
  });

  it('a stream that ends without finish reason or [DONE] is a stream error', async () => {
    const server = await serve([{ content: 'abc' }]);
    const truncatingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const text = await response.text();
      const cut = text.slice(0, text.indexOf('"finish_reason":"stop"'));
      const head = cut.slice(0, cut.lastIndexOf('data:'));
      return new Response(head, { status: 200, headers: response.headers });
    };
    const error = await rejectionOf(client(server, { fetch: truncatingFetch }).step(request()));
    expect(error).toMatchObject({ kind: 'stream-error' });
    expect((error as Error).message).toMatch(/ended without/);
  });

  it('a server that never answers times out (request timeout)', async () => {
    const server = await serve([{ fault: { kind: 'hang' } }]);
    const error = await rejectionOf(client(server, { requestTimeoutMs: 150 }).step(request()));
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('a stream that stalls times out (idle timeout)', async () => {
    const server = await serve([{ content: 'slow slow slow', chunkSize: 4, chunkDelayMs: 2_000 }]);
    const error = await rejectionOf(client(server, { idleTimeoutMs: 150 }).step(request()));
    expect(error).toMatchObject({ kind: 'timeout' });
    expect((error as Error).message).toMatch(/sent nothing for 150 ms \(idle timeout\)/);
  });

  it('connection refused is a connection error', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const modelClient = createOpenAICompatibleClient({ baseUrl: `http://127.0.0.1:${port}`, model: 'm' });
    const error = await rejectionOf(modelClient.step(request()));
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
    expect((error as Error).message).toContain('ECONNREFUSED');
    const info = await modelClient.describe();
    expect(info.reachable).toBe(false);
    expect(info.notes.join(' ')).toContain('ECONNREFUSED');
  });

  it('honours the caller abort signal', async () => {
    const server = await serve([{ fault: { kind: 'hang' } }]);
    const controller = new AbortController();
    const pending = client(server).step(request({ signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('user cancelled')), 50);
    const error = await rejectionOf(pending);
    expect(error).not.toBeInstanceOf(InfrastructureError);
    expect((error as Error).message).toBe('user cancelled');
  });
});

describe('OpenAI-compatible client: context overflow', () => {
  it('a llama.cpp exceed_context_size_error is a ContextLengthExceededError', async () => {
    const server = await serve([{ content: 'never sent' }], 'llamacpp', { contextLength: 50 });
    const error = await rejectionOf(
      client(server).step(request({ messages: [{ role: 'user', content: 'x'.repeat(400) }] })),
    );
    expect(error).toBeInstanceOf(ContextLengthExceededError);
    expect((error as ContextLengthExceededError).contextLength).toBe(50);
  });

  it('a vLLM-style 400 message is a ContextLengthExceededError', async () => {
    const body = JSON.stringify({
      object: 'error',
      message: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.",
      type: 'BadRequestError',
      code: 400,
    });
    const server = await serve([{ fault: { kind: 'http-error', status: 400, body } }], 'vllm');
    const error = await rejectionOf(client(server).step(request()));
    expect(error).toBeInstanceOf(ContextLengthExceededError);
    expect((error as ContextLengthExceededError).contextLength).toBe(4096);
  });
});

describe('OpenAI-compatible client: describe()', () => {
  it('llamacpp: context length and slots from /props', async () => {
    const server = await serve([], 'llamacpp', {
      contextLength: 16384,
      totalSlots: 2,
      maxContextLength: 262144,
    });
    const info = await client(server, { flavour: 'llamacpp' }).describe();
    expect(info).toMatchObject({
      reachable: true,
      contextLength: 16384,
      maxContextLength: 262144,
      parallelSlots: 2,
      supportsTools: true,
      simulated: true,
    });
    expect(server.requests.map((recorded) => recorded.path)).toEqual(['/v1/models', '/props']);
  });

  it('vllm: context length from max_model_len', async () => {
    const server = await serve([], 'vllm', { contextLength: 8192 });
    const info = await client(server, { flavour: 'vllm' }).describe();
    expect(info).toMatchObject({
      reachable: true,
      contextLength: 8192,
      parallelSlots: null,
      simulated: true,
    });
  });

  it('notes a model the server does not list', async () => {
    const server = await serve([], 'openai');
    const info = await client(server, { flavour: 'openai', model: 'gpt-missing' }).describe();
    expect(info.reachable).toBe(true);
    expect(info.notes.join(' ')).toContain('gpt-missing is not listed');
    expect(info.contextLength).toBeNull();
  });
});

/** A fetch that answers GET routes from a table of JSON bodies (404 otherwise). */
function routesFetch(routes: Record<string, unknown>): typeof fetch {
  return async (input) => {
    const path = new URL(String(input)).pathname;
    return path in routes
      ? Response.json(routes[path])
      : Response.json({ error: { message: 'not found' } }, { status: 404 });
  };
}

describe('OpenAI-compatible client: llama.cpp /v1/models', () => {
  // As older llama-server builds list a model started without --alias: by its path, with its metadata.
  const listedByPath = {
    object: 'list',
    data: [
      {
        id: '/models/Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf',
        object: 'model',
        owned_by: 'llamacpp',
        meta: { n_ctx_train: 32768, size: 4_683_073_536, n_params: 7_615_616_512, vocab_type: 2 },
      },
    ],
  };
  const props = { default_generation_settings: { n_ctx: 8192 }, total_slots: 2 };

  it('llamacpp:URL takes the one listed model, its trained context and size, without a note', async () => {
    const info = await createOpenAICompatibleClient({
      baseUrl: 'http://127.0.0.1:9',
      model: 'default',
      flavour: 'llamacpp',
      fetch: routesFetch({ '/v1/models': listedByPath, '/props': props }),
    }).describe();
    expect(info).toMatchObject({
      model: '/models/Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf',
      contextLength: 8192,
      maxContextLength: 32768,
      sizeBytes: 4_683_073_536,
      parallelSlots: 2,
    });
    expect(info.notes).toEqual([]);
  });

  it('matches a model named by its file name or by an alias', async () => {
    const byFile = await createOpenAICompatibleClient({
      baseUrl: 'http://127.0.0.1:9',
      model: 'Qwen2.5-Coder-7B-Instruct-Q4_K_M',
      flavour: 'generic',
      fetch: routesFetch({ '/v1/models': listedByPath, '/props': props }),
    }).describe();
    expect(byFile.maxContextLength).toBe(32768);
    expect(byFile.notes).toEqual([]);
    const aliased = {
      object: 'list',
      data: [{ ...listedByPath.data[0], id: 'coder', aliases: ['coder', 'qwen-coder'] }],
    };
    const byAlias = await createOpenAICompatibleClient({
      baseUrl: 'http://127.0.0.1:9',
      model: 'qwen-coder',
      flavour: 'generic',
      fetch: routesFetch({ '/v1/models': aliased, '/props': props }),
    }).describe();
    expect(byAlias).toMatchObject({ model: 'coder', sizeBytes: 4_683_073_536 });
    expect(byAlias.notes).toEqual([]);
  });
});

describe('OpenAI-compatible client: errors streamed the llama.cpp way', () => {
  const streamed =
    (text: string): typeof fetch =>
    async () =>
      new Response(text, { headers: { 'content-type': 'text/event-stream' } });

  it('an SSE `error:` field followed by [DONE] (older llama.cpp builds) is an infrastructure error', async () => {
    const body =
      'error: {"code":500,"message":"Failed to parse tool call arguments as JSON","type":"server_error"}\n\n' +
      'data: [DONE]\n\n';
    const error = await rejectionOf(
      createOpenAICompatibleClient({ baseUrl: 'http://127.0.0.1:9', model: 'm', fetch: streamed(body) }).step(
        request(),
      ),
    );
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error).toMatchObject({ kind: 'stream-error' });
    expect((error as Error).message).toContain('Failed to parse tool call arguments');
  });

  it('a bare [DONE] with no output and no finish reason is an infrastructure error, not an empty answer', async () => {
    const error = await rejectionOf(
      createOpenAICompatibleClient({
        baseUrl: 'http://127.0.0.1:9',
        model: 'm',
        fetch: streamed('data: [DONE]\n\n'),
      }).step(request()),
    );
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as Error).message).toMatch(/no output and no finish reason/);
  });
});

describe('OpenAI-compatible client: helpers', () => {
  it('maps finish reasons', () => {
    expect(mapFinishReason('stop')).toBe('stop');
    expect(mapFinishReason('tool_calls')).toBe('tool-calls');
    expect(mapFinishReason('length')).toBe('length');
    expect(mapFinishReason('content_filter')).toBe('content-filter');
    expect(mapFinishReason('weird')).toBe('other');
    expect(mapFinishReason(null)).toBe('other');
  });

  it('parses tool arguments', () => {
    expect(parseToolArguments('{"a":1}')).toEqual({ arguments: { a: 1 } });
    expect(parseToolArguments('')).toEqual({ arguments: {} });
    expect(parseToolArguments('[1]').error).toMatch(/not a JSON object/);
    expect(parseToolArguments('{').error).toMatch(/not valid JSON/);
  });

  it('keeps plain assistant messages as text', () => {
    expect(toOpenAIMessages([{ role: 'assistant', content: 'hello' }])).toEqual([
      { role: 'assistant', content: 'hello' },
    ]);
  });

  it('rejects bad options', () => {
    expect(() => createOpenAICompatibleClient({ baseUrl: 'not a url', model: 'm' })).toThrow(
      /invalid baseUrl/,
    );
    expect(() => createOpenAICompatibleClient({ baseUrl: 'http://127.0.0.1:1', model: '' })).toThrow(/model/);
    expect(() =>
      createOpenAICompatibleClient({ baseUrl: 'http://127.0.0.1:1', model: 'm', idleTimeoutMs: 0 }),
    ).toThrow(/idleTimeoutMs/);
  });
});
