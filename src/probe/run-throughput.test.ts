import { afterEach, describe, expect, it } from 'vitest';
import { createModelClient } from '../providers/create-model-client.ts';
import { createOpenAICompatibleClient } from '../providers/openai-compatible/openai-compatible-client.ts';
import { type SimulatedServer, startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import { approximateTokens } from './retention-conversation.ts';
import { runThroughput, throughputPrompt } from './run-throughput.ts';

let server: SimulatedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('throughputPrompt', () => {
  it('has the same length for every label and about the requested tokens', () => {
    const first = throughputPrompt(500, 'c001 r000 i000');
    expect(first.length).toBe(throughputPrompt(500, 'c004 r001 i003').length);
    expect(first).not.toBe(throughputPrompt(500, 'c004 r001 i003'));
    expect(approximateTokens(first)).toBe(500);
  });
});

describe('runThroughput against a simulated llama.cpp server', () => {
  it('measures TTFT and decode speed per request and aggregate tokens/s at concurrency 1 and 2', async () => {
    server = await startSimulatedServer({
      flavour: 'llamacpp',
      script: () => ({
        content: 'x'.repeat(40),
        chunkSize: 4,
        chunkDelayMs: 25,
        firstTokenDelayMs: 30,
        usage: { promptTokens: 500, completionTokens: 10 },
        serverTimings: { promptMs: 20, predictedMs: 250 },
      }),
    });
    const client = createModelClient(`llamacpp:${server.url}`, { retry: false });
    const result = await runThroughput(client, { concurrency: [1, 2], rounds: 2 });
    expect(result.requests).toHaveLength(6);
    expect(server.chatRequests).toHaveLength(6);
    const [one, two] = result.levels;
    expect(one).toMatchObject({ concurrency: 1, requests: 2, completed: 2, infrastructureErrors: 0 });
    expect(two).toMatchObject({ concurrency: 2, requests: 4, completed: 4, decodeSource: 'server' });
    // Server-reported decode speed: 10 tokens in 250 ms.
    expect(two.decodeTokensPerSecond.p50).toBeCloseTo(40, 0);
    expect(one.timeToFirstTokenMs.p50).toBeGreaterThanOrEqual(25);
    // Two requests in flight at once roughly double the aggregate rate of one.
    expect(two.aggregateTokensPerSecond!).toBeGreaterThan(one.aggregateTokensPerSecond! * 1.5);
    expect(result.requests.every((request) => request.simulated && request.outputTokens === 10)).toBe(true);
  });

  it('reports no token rates when the server counts no tokens (a chars/4 estimate would invent them)', async () => {
    server = await startSimulatedServer({
      flavour: 'openai',
      script: () => ({ content: 'x'.repeat(40), chunkSize: 4, chunkDelayMs: 5 }),
    });
    const client = createOpenAICompatibleClient({
      baseUrl: server.url,
      model: 'm',
      // Without stream_options the simulated server, like many real ones, sends no usage.
      fetch: (input, init) => {
        const body = JSON.parse(String(init?.body));
        delete body.stream_options;
        return fetch(input, { ...init, body: JSON.stringify(body) });
      },
    });
    const result = await runThroughput(client, { concurrency: [1], rounds: 1 });
    expect(result.levels[0]).toMatchObject({ completed: 1, decodeSource: 'unavailable' });
    expect(result.levels[0].decodeTokensPerSecond.p50).toBeNull();
    expect(result.levels[0].aggregateTokensPerSecond).toBeNull();
    expect(result.requests[0].tokensSource).toBe('measured');
    expect(result.notes.join('\n')).toMatch(
      /no aggregate tokens per second: the server did not report token counts/,
    );
  });

  it('stops a level when its time budget is spent and counts infrastructure failures apart', async () => {
    server = await startSimulatedServer({
      flavour: 'llamacpp',
      script: (_request, index) =>
        index === 0 ? { fault: { kind: 'http-error', status: 503 } } : { content: 'ok', chunkDelayMs: 5 },
    });
    const client = createModelClient(`llamacpp:${server.url}`, { retry: false });
    const result = await runThroughput(client, { concurrency: [1], rounds: 5, levelTimeBudgetMs: 0 });
    expect(result.levels[0]).toMatchObject({
      requests: 1,
      completed: 0,
      infrastructureErrors: 1,
      stoppedByTimeBudget: true,
    });
    expect(result.levels[0].aggregateTokensPerSecond).toBeNull();
    expect(result.notes[0]).toMatch(/time budget/);
  });
});
