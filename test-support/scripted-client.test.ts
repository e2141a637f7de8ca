import { describe, expect, it } from 'vitest';
import { ContextLengthExceededError } from '../src/providers/context-length-error.ts';
import { InfrastructureError } from '../src/providers/infrastructure-error.ts';
import { createScriptedClient } from './scripted-client.ts';

const request = { messages: [{ role: 'user' as const, content: 'x'.repeat(400) }] };

describe('createScriptedClient', () => {
  it('answers scripted turns in order, labelled simulated', async () => {
    const client = createScriptedClient(
      [
        {
          text: 'looking',
          reasoning: 'hmm',
          toolCalls: [{ name: 'read_file', arguments: { path: 'a.ts' } }],
        },
        { text: 'done' },
      ],
      { id: 'tester' },
    );
    expect(client.id).toBe('simulated:tester');
    expect(client.provider).toBe('simulated');
    expect(client.simulated).toBe(true);
    const first = await client.step(request);
    expect(first.simulated).toBe(true);
    expect(first.provider).toBe('simulated');
    expect(first.text).toBe('looking');
    expect(first.reasoning).toBe('hmm');
    expect(first.finishReason).toBe('tool-calls');
    expect(first.toolCalls).toEqual([
      {
        id: 'call_0_0',
        name: 'read_file',
        arguments: { path: 'a.ts' },
        rawArguments: '{"path":"a.ts"}',
        origin: 'server-parsed',
        format: 'native',
      },
    ]);
    expect(first.usage).toMatchObject({ inputTokens: 100, source: 'measured' });
    expect(first.usage.outputTokens).toBeGreaterThan(0);
    // Simulated timings: half the measured wall time to the first token, labelled measured.
    expect(first.timings.timeToFirstTokenMs).toBe(first.timings.wallMs / 2);
    expect(first.timings.sources.timeToFirstToken).toBe('measured');
    const second = await client.step(request);
    expect(second.finishReason).toBe('stop');
    expect(client.requests).toHaveLength(2);
    await expect(client.step(request)).rejects.toThrow(/ran out of steps: asked for step 3, script has 2/);
  });

  it('keeps given usage as server-reported and marks malformed arguments', async () => {
    const client = createScriptedClient([
      {
        toolCalls: [
          { name: 'edit_file', arguments: '{"path": "a.ts",', origin: 'recovered', format: 'hermes-json' },
          { name: 'run', arguments: '[1,2]' },
        ],
        usage: { inputTokens: 10, outputTokens: 5 },
      },
    ]);
    const result = await client.step(request);
    expect(result.usage).toEqual({
      inputTokens: 10,
      cachedInputTokens: 0,
      outputTokens: 5,
      reasoningTokens: 0,
      source: 'server',
    });
    expect(result.toolCalls[0]).toMatchObject({
      arguments: {},
      rawArguments: '{"path": "a.ts",',
      origin: 'recovered',
      format: 'hermes-json',
    });
    expect(result.toolCalls[0]!.argumentsError).toMatch(/not valid JSON/);
    expect(result.toolCalls[1]!.argumentsError).toMatch(/not a JSON object/);
  });

  it('throws scripted errors and uses a function script', async () => {
    const client = createScriptedClient((_request, index) =>
      index === 0
        ? { throw: new InfrastructureError('server-error', 'boom', { status: 503 }) }
        : { throw: new ContextLengthExceededError('too long', 4096) },
    );
    await expect(client.step(request)).rejects.toBeInstanceOf(InfrastructureError);
    await expect(client.step(request)).rejects.toBeInstanceOf(ContextLengthExceededError);
  });

  it('waits the simulated latency and honours abort', async () => {
    const client = createScriptedClient([{ text: 'a' }, { text: 'b' }], { latencyMs: 30 });
    const result = await client.step(request);
    expect(result.timings.wallMs).toBeGreaterThanOrEqual(25);
    const controller = new AbortController();
    const pending = client.step({ ...request, signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });

  it('describes itself as a simulated endpoint', async () => {
    const info = await createScriptedClient([], { supportsTools: false, contextLength: 8192 }).describe();
    expect(info).toMatchObject({
      provider: 'simulated',
      simulated: true,
      supportsTools: false,
      contextLength: 8192,
    });
  });
});
