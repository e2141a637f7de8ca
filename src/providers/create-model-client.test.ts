import { afterEach, describe, expect, it } from 'vitest';
import { createModelClient } from './create-model-client.ts';
import { InfrastructureError } from './infrastructure-error.ts';
import { parseModelId } from './model-id.ts';
import { type SimulatedServer, startSimulatedServer } from './simulated/simulated-server.ts';

let server: SimulatedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const question = { messages: [{ role: 'user' as const, content: 'Say hi' }] };

describe('createModelClient', () => {
  it('asks for the API key of a remote API when the environment has none', () => {
    expect(() => createModelClient('openai:o3-mini', { env: {} })).toThrow(/set OPENAI_API_KEY/);
    expect(() => createModelClient('anthropic:claude-sonnet-4-5', { env: {} })).toThrow(
      /set ANTHROPIC_API_KEY/,
    );
    expect(() => createModelClient('openrouter:qwen/qwen3-coder', { env: {} })).toThrow(
      /set OPENROUTER_API_KEY/,
    );
  });

  it('builds remote clients when the key is in the environment or the options', () => {
    const openai = createModelClient('openai:o3-mini', { env: { OPENAI_API_KEY: 'sk-test-123456789' } });
    expect([openai.provider, openai.model]).toEqual(['openai', 'o3-mini']);
    const router = createModelClient('openrouter:qwen/qwen3-coder', {
      env: {},
      apiKey: 'sk-or-v1-abcdef123',
    });
    expect(router.model).toBe('qwen/qwen3-coder');
    const claude = createModelClient('anthropic:claude-sonnet-4-5', {
      env: { ANTHROPIC_API_KEY: 'sk-ant-xyz12345' },
    });
    expect(claude.model).toBe('claude-sonnet-4-5');
  });

  it('sends credentials written in the server URL as Basic auth, to every kind of server', async () => {
    const basic = `Basic ${Buffer.from('proxy-user:proxy-pass').toString('base64')}`;
    for (const [provider, flavour] of [
      ['vllm', 'vllm'],
      ['ollama', 'openai'],
      ['anthropic', 'openai'],
    ] as const) {
      server = await startSimulatedServer({ flavour, script: [{ content: 'hi' }], endpoint: { model: 'm' } });
      const url = server.url.replace('http://', 'http://proxy-user:proxy-pass@');
      const client = createModelClient(`${provider}:m@${url}`, {
        env: {},
        apiKey: provider === 'anthropic' ? 'sk-ant-test-123' : undefined,
        retry: false,
      });
      expect(client.id).not.toContain('proxy');
      await client.step(question);
      expect(server.chatRequests[0]?.headers.authorization).toBe(basic);
      await server.close();
      server = null;
    }
  });

  it('passes the prompt caching choice to the Anthropic client', async () => {
    server = await startSimulatedServer({
      script: [{ content: 'hi' }, { content: 'hi' }],
      endpoint: { model: 'm' },
    });
    for (const promptCaching of ['off', '1h'] as const) {
      await createModelClient(`anthropic:m@${server.url}`, { apiKey: 'sk-ant-test-123', promptCaching }).step(
        {
          messages: [{ role: 'system', content: 'Be brief.' }, ...question.messages],
        },
      );
    }
    const [off, oneHour] = server.chatRequests.map((request) => (request.body as { system: unknown }).system);
    expect(off).toBe('Be brief.');
    expect(oneHour).toEqual([
      { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ]);
  });

  it('rejects a bad numCtx and a bad model id', () => {
    expect(() => createModelClient('ollama:qwen3:8b', { numCtx: 0 })).toThrow(/numCtx/);
    expect(() => createModelClient('nonsense:model')).toThrow(/Valid providers/);
  });

  it('talks to a llama.cpp server (simulated) through the OpenAI-compatible client', async () => {
    server = await startSimulatedServer({ flavour: 'llamacpp', script: [{ content: 'hi there' }] });
    const client = createModelClient(`llamacpp:${server.url}`, { retry: false });
    expect(client.provider).toBe('llamacpp');
    const result = await client.step(question);
    expect(result.text).toBe('hi there');
    expect(result.simulated).toBe(true);
  });

  it('talks to an Ollama server (simulated) from a parsed spec', async () => {
    server = await startSimulatedServer({
      script: [{ content: 'hello' }],
      endpoint: { model: 'qwen3.5:9b' },
    });
    const client = createModelClient(parseModelId(`ollama:qwen3.5:9b@${server.url}`), { numCtx: 16384 });
    expect(client.model).toBe('qwen3.5:9b');
    const result = await client.step(question);
    expect(result.text).toBe('hello');
  });

  it('retries infrastructure errors by default and not when retry is false', async () => {
    server = await startSimulatedServer({
      flavour: 'llamacpp',
      script: [{ fault: { kind: 'http-error', status: 503, body: 'loading model' } }, { content: 'ready' }],
    });
    const retrying = createModelClient(`llamacpp:${server.url}`, {
      retry: { baseDelayMs: 1, jitter: false },
    });
    const result = await retrying.step(question);
    expect(result.text).toBe('ready');
    expect(result.retries).toHaveLength(1);
    expect(result.retries[0].kind).toBe('server-error');

    await server.close();
    server = await startSimulatedServer({
      flavour: 'llamacpp',
      script: [{ fault: { kind: 'http-error', status: 503 } }, { content: 'unused' }],
    });
    const single = createModelClient(`llamacpp:${server.url}`, { retry: false });
    await expect(single.step(question)).rejects.toBeInstanceOf(InfrastructureError);
    expect(server.chatRequests).toHaveLength(1);
  });

  it('never sends a cloud API key from the environment to a local server', async () => {
    server = await startSimulatedServer({ flavour: 'llamacpp', script: [{ content: 'ok' }] });
    const client = createModelClient(`llamacpp:${server.url}`, {
      env: { OPENAI_API_KEY: 'sk-secret-should-not-leak' },
    });
    await client.step(question);
    expect(server.chatRequests[0].headers.authorization).toBeUndefined();
  });
});
