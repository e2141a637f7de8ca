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
import type { Message, ToolCall } from '../types.ts';
import {
  type AnthropicClientOptions,
  createAnthropicClient,
  toAnthropicMessages,
} from './anthropic-client.ts';

const MODEL = 'claude-sonnet-4-5';
const API_KEY = 'sk-ant-test-secret-key-123456';
const startServer = simulatedServersClosedAfterEach();

function serve(script: Script, endpoint: Partial<SimulatedEndpoint> = {}): Promise<SimulatedServer> {
  return startServer({ script, endpoint: { model: MODEL, contextLength: 200_000, ...endpoint } });
}

const userAsks: Message[] = [
  { role: 'system', content: 'You are a coding agent.' },
  { role: 'user', content: 'Fix the bug.' },
];

function call(id: string, path: string): ToolCall {
  return {
    id,
    name: 'read_file',
    arguments: { path },
    rawArguments: JSON.stringify({ path }),
    origin: 'server-parsed',
    format: 'native',
  };
}

function client(server: SimulatedServer, extra: Partial<AnthropicClientOptions> = {}) {
  return createAnthropicClient({ baseUrl: server.url, model: MODEL, apiKey: API_KEY, ...extra });
}

describe('createAnthropicClient', () => {
  it('streams text with usage (cache reads included) and the simulated label', async () => {
    const server = await serve([
      {
        content: 'Hello from Claude',
        usage: { promptTokens: 1200, completionTokens: 9, cachedTokens: 1000 },
      },
    ]);
    const anthropic = client(server);
    const deltas: string[] = [];
    const result = await anthropic.step({ messages: userAsks, onDelta: (delta) => deltas.push(delta.text) });
    expect(result.text).toBe('Hello from Claude');
    expect(deltas.join('')).toBe('Hello from Claude');
    expect(result.finishReason).toBe('stop');
    expect(result.rawFinishReason).toBe('end_turn');
    expect(result.usage).toEqual({
      inputTokens: 1200,
      cachedInputTokens: 1000,
      outputTokens: 9,
      reasoningTokens: 0,
      source: 'server',
    });
    expect(result.timings.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(result.timings.sources.prefill).toBe('unavailable');
    expect(result.timings.sources.timeToFirstToken).toBe('measured');
    expect(result.provider).toBe('anthropic');
    expect(result.simulated).toBe(true);
    expect(anthropic.simulated).toBe(true);
    expect(anthropic.id).toBe(`anthropic:${MODEL}`);
    expect(result.issues).toEqual([]);
  });

  it('sends headers, system prompt, content blocks, merged tool results and tools', async () => {
    const server = await serve([{ content: 'ok' }]);
    await client(server, { maxTokens: 2048, promptCaching: 'off' }).step({
      messages: [
        ...userAsks,
        {
          role: 'assistant',
          content: 'Reading both.',
          toolCalls: [call('toolu_1', 'a.ts'), call('toolu_2', 'b.ts')],
        },
        { role: 'tool', toolCallId: 'toolu_1', toolName: 'read_file', content: 'A' },
        {
          role: 'tool',
          toolCallId: 'toolu_2',
          toolName: 'read_file',
          content: 'no such file',
          isError: true,
        },
        { role: 'user', content: 'Go on.' },
      ],
      tools: [READ_FILE_TOOL],
      toolChoice: 'required',
      temperature: 0.3,
      stop: ['STOP'],
    });
    const recorded = server.chatRequests[0];
    expect(recorded.path).toBe('/v1/messages');
    expect(recorded.headers['x-api-key']).toBe(API_KEY);
    expect(recorded.headers['anthropic-version']).toBe('2023-06-01');
    expect(recorded.body).toEqual({
      model: MODEL,
      max_tokens: 2048,
      stream: true,
      system: 'You are a coding agent.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Fix the bug.' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Reading both.' },
            { type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'a.ts' } },
            { type: 'tool_use', id: 'toolu_2', name: 'read_file', input: { path: 'b.ts' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'A' },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: 'no such file', is_error: true },
            { type: 'text', text: 'Go on.' },
          ],
        },
      ],
      tools: [{ name: 'read_file', description: 'Read a file', input_schema: READ_FILE_TOOL.parameters }],
      tool_choice: { type: 'any' },
      temperature: 0.3,
      stop_sequences: ['STOP'],
    });
  });

  it('asks for prompt caching by default: breakpoints on the system prompt and the newest message', async () => {
    const server = await serve([{ content: 'ok' }, { content: 'ok' }]);
    const conversation: Message[] = [
      ...userAsks,
      { role: 'assistant', content: '', toolCalls: [call('toolu_1', 'a.ts')] },
      { role: 'tool', toolCallId: 'toolu_1', toolName: 'read_file', content: 'A' },
    ];
    await client(server).step({ messages: conversation, tools: [READ_FILE_TOOL] });
    await client(server, { promptCaching: '1h' }).step({ messages: conversation });
    type WireBody = {
      system: Array<Record<string, unknown>>;
      messages: Array<{ content: Array<Record<string, unknown>> }>;
    };
    const [fiveMinutes, oneHour] = server.chatRequests.map((request) => request.body as WireBody);
    expect(fiveMinutes.system).toEqual([
      { type: 'text', text: 'You are a coding agent.', cache_control: { type: 'ephemeral' } },
    ]);
    expect(fiveMinutes.messages.at(-1)?.content).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_1', content: 'A', cache_control: { type: 'ephemeral' } },
    ]);
    expect(fiveMinutes.messages[0].content[0].cache_control).toBeUndefined();
    expect(oneHour.system[0].cache_control).toEqual({ type: 'ephemeral', ttl: '1h' });
    expect(oneHour.messages.at(-1)?.content[0].cache_control).toEqual({ type: 'ephemeral', ttl: '1h' });
    expect((await client(server).describe()).notes).toContain(
      'prompt caching: 5m (cache_control on the system prompt and the newest message)',
    );
    expect(() => client(server, { promptCaching: 'always' as never })).toThrow(
      /promptCaching must be off, 5m or 1h/,
    );
  });

  it('assembles parallel tool_use blocks from input_json_delta pieces', async () => {
    const server = await serve([
      {
        content: 'Let me look.',
        toolCalls: [
          { id: 'toolu_a', name: 'read_file', arguments: { path: 'src/a-long-file-name.ts' } },
          { id: 'toolu_b', name: 'read_file', arguments: { path: 'b.ts' } },
        ],
        chunkSize: 5,
      },
    ]);
    const result = await client(server).step({ messages: userAsks, tools: [READ_FILE_TOOL] });
    expect(result.finishReason).toBe('tool-calls');
    expect(result.rawFinishReason).toBe('tool_use');
    expect(result.text).toBe('Let me look.');
    expect(result.toolCalls).toEqual([
      {
        id: 'toolu_a',
        name: 'read_file',
        arguments: { path: 'src/a-long-file-name.ts' },
        rawArguments: '{"path":"src/a-long-file-name.ts"}',
        origin: 'server-parsed',
        format: 'native',
      },
      {
        id: 'toolu_b',
        name: 'read_file',
        arguments: { path: 'b.ts' },
        rawArguments: '{"path":"b.ts"}',
        origin: 'server-parsed',
        format: 'native',
      },
    ]);
  });

  it('flags malformed tool input as a model issue', async () => {
    const server = await serve([
      { toolCalls: [{ id: 'toolu_x', name: 'read_file', arguments: '{"path": ' }] },
    ]);
    const result = await client(server).step({ messages: userAsks, tools: [READ_FILE_TOOL] });
    expect(result.toolCalls[0].arguments).toEqual({});
    expect(result.toolCalls[0].argumentsError).toMatch(/not valid JSON/);
    expect(result.issues.map((issue) => issue.kind)).toEqual(['malformed-arguments']);
  });

  it('streams thinking, requests it with a budget and replays the signed block with its tool call', async () => {
    const server = await serve([
      {
        reasoning: 'I should read a.ts first.',
        toolCalls: [{ id: 'toolu_t', name: 'read_file', arguments: { path: 'a.ts' } }],
      },
      { content: 'Done.' },
    ]);
    const anthropic = client(server, { thinkingBudget: 2048, maxTokens: 8192 });
    const first = await anthropic.step({ messages: userAsks, tools: [READ_FILE_TOOL], temperature: 0.5 });
    expect(first.reasoning).toBe('I should read a.ts first.');
    expect(first.toolCalls.map((toolCall) => toolCall.id)).toEqual(['toolu_t']);
    const firstBody = server.chatRequests[0].body as Record<string, unknown>;
    expect(firstBody.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(firstBody).not.toHaveProperty('temperature');
    await anthropic.step({
      messages: [
        ...userAsks,
        { role: 'assistant', content: '', reasoning: first.reasoning, toolCalls: first.toolCalls },
        { role: 'tool', toolCallId: 'toolu_t', toolName: 'read_file', content: 'A' },
      ],
      tools: [READ_FILE_TOOL],
    });
    const secondBody = server.chatRequests[1].body as {
      messages: Array<{ role: string; content: unknown[] }>;
    };
    expect(secondBody.messages[1].content[0]).toEqual({
      type: 'thinking',
      thinking: 'I should read a.ts first.',
      signature: expect.stringMatching(/^simulated-signature-/),
    });
  });

  it('rejects thinking budgets the API would refuse', () => {
    expect(() => createAnthropicClient({ model: MODEL, apiKey: API_KEY, thinkingBudget: 500 })).toThrow(
      /at least 1024/,
    );
    expect(() => createAnthropicClient({ model: MODEL, apiKey: API_KEY, thinkingBudget: 4096 })).toThrow(
      /below maxTokens/,
    );
    expect(() => createAnthropicClient({ model: MODEL, apiKey: '' })).toThrow(/apiKey is required/);
  });

  it('maps max_tokens to a length finish', async () => {
    const server = await serve([{ content: 'cut sho', finishReason: 'max_tokens' }]);
    const result = await client(server).step({ messages: userAsks });
    expect(result.finishReason).toBe('length');
    expect(result.issues.map((issue) => issue.kind)).toEqual(['truncated']);
  });

  it('turns an error event inside the stream into a stream-error', async () => {
    const server = await serve([
      {
        content: 'abcdefghijklmnop',
        fault: { kind: 'error-in-stream', afterChunks: 1, message: 'Overloaded' },
      },
    ]);
    const error = (await rejectionOf(client(server).step({ messages: userAsks }))) as InfrastructureError;
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error.kind).toBe('stream-error');
    expect(error.message).toMatch(/overloaded_error: Overloaded/);
  });

  it.each([
    [529, 'server-error', true],
    [500, 'server-error', true],
    [429, 'rate-limit', true],
    [401, 'client-error', false],
    [403, 'client-error', false],
  ] as const)('maps HTTP %i to %s without leaking the key', async (status, kind, retryable) => {
    const server = await serve([
      { fault: { kind: 'http-error', status, body: `failure for key ${API_KEY}`, retryAfterSeconds: 12 } },
    ]);
    const error = (await rejectionOf(client(server).step({ messages: userAsks }))) as InfrastructureError;
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toMatch(/failure for key \[REDACTED\]/);
    expect(error.message).not.toContain(API_KEY);
    if (status === 429) expect(error.retryAfterSeconds).toBe(12);
  });

  it('raises ContextLengthExceededError for "prompt is too long"', async () => {
    const server = await serve([{ content: 'never', usage: { promptTokens: 210_000, completionTokens: 1 } }]);
    const error = await rejectionOf(client(server).step({ messages: userAsks }));
    expect(error).toBeInstanceOf(ContextLengthExceededError);
    expect((error as ContextLengthExceededError).contextLength).toBe(200_000);
  });

  it('reports a dropped connection and a stream without message_stop as infrastructure errors', async () => {
    const server = await serve([
      { content: 'abcdefghijklmnopqrstuvwx', fault: { kind: 'drop-connection', afterChunks: 2 } },
      { content: 'abcd', fault: { kind: 'drop-connection', afterChunks: 99 } },
    ]);
    const anthropic = client(server);
    const dropped = (await rejectionOf(anthropic.step({ messages: userAsks }))) as InfrastructureError;
    expect(dropped).toBeInstanceOf(InfrastructureError);
    expect(dropped.kind).toBe('stream-error');
    expect(dropped.message).toMatch(/lost mid-response/);
    const unfinished = (await rejectionOf(anthropic.step({ messages: userAsks }))) as InfrastructureError;
    expect(unfinished).toBeInstanceOf(InfrastructureError);
    expect(['connection', 'stream-error']).toContain(unfinished.kind);
  });

  it('times out a hanging server with the idle timeout', async () => {
    const server = await serve([{ fault: { kind: 'hang' } }]);
    const error = (await rejectionOf(
      client(server, { idleTimeoutMs: 150 }).step({ messages: userAsks }),
    )) as InfrastructureError;
    expect(error.kind).toBe('timeout');
    expect(error.message).toMatch(/idle timeout/);
  });

  it('reports connection refused as a connection error', async () => {
    const server = await serve([]);
    await server.close();
    const error = (await rejectionOf(client(server).step({ messages: userAsks }))) as InfrastructureError;
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error.kind).toBe('connection');
    expect(error.message).not.toContain(API_KEY);
  });

  it('recovers a Hermes tool call leaked into the text', async () => {
    const server = await serve([
      { toolCalls: [{ name: 'read_file', arguments: { path: 'a.ts' } }], toolCallDelivery: 'leak-hermes' },
    ]);
    const result = await client(server).step({ messages: userAsks, tools: [READ_FILE_TOOL] });
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]).toMatchObject({
      name: 'read_file',
      arguments: { path: 'a.ts' },
      origin: 'recovered',
    });
    expect(result.finishReason).toBe('tool-calls');
  });

  it('describe() reports reachability, the documented context and the simulated label', async () => {
    const server = await serve([], { model: MODEL });
    const info = await client(server).describe();
    expect(info).toMatchObject({
      provider: 'anthropic',
      model: MODEL,
      reachable: true,
      contextLength: 200_000,
      supportsTools: true,
      simulated: true,
    });
    const listing = server.requests.find((request) => request.path === '/v1/models');
    expect(listing?.headers['x-api-key']).toBe(API_KEY);
    await server.close();
    const offline = await client(server).describe();
    expect(offline.reachable).toBe(false);
  });
});

describe('toAnthropicMessages', () => {
  it('joins system messages and merges consecutive same-role messages', () => {
    const mapped = toAnthropicMessages([
      { role: 'system', content: 'one' },
      { role: 'system', content: 'two' },
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ]);
    expect(mapped.system).toBe('one\n\ntwo');
    expect(mapped.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
    ]);
  });
});
