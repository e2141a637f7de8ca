import { afterEach, describe, expect, it } from 'vitest';
import { referenceModel } from '../../test-support/reference-model.ts';
import { createModelClient } from '../providers/create-model-client.ts';
import { type SimulatedServer, startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import { conversationTokens, retentionConversation } from './retention-conversation.ts';
import { RETENTION_FACTS } from './retention-facts.ts';
import { runRetention } from './run-retention.ts';

let server: SimulatedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('retentionConversation', () => {
  it('reaches the target depth closely, is deterministic, and puts the fact first and the question last', () => {
    const [fact] = RETENTION_FACTS;
    for (const depth of [1024, 4096, 16384]) {
      const messages = retentionConversation(fact, depth, 7);
      const tokens = conversationTokens(messages);
      expect(tokens).toBeGreaterThanOrEqual(depth);
      expect(tokens).toBeLessThan(depth * 1.15);
      expect(messages[0].content).toBe(fact.statement);
      expect(messages.at(-1)?.content).toBe(fact.question);
      expect(messages.some((message) => message.role === 'tool')).toBe(true);
    }
    expect(retentionConversation(fact, 4096, 7)).toEqual(retentionConversation(fact, 4096, 7));
    expect(retentionConversation(fact, 4096, 8)).not.toEqual(retentionConversation(fact, 4096, 7));
  });
});

describe('RETENTION_FACTS checks', () => {
  const check = (id: string, answer: string) => RETENTION_FACTS.find((fact) => fact.id === id)!.check(answer);

  it('accept the reference answers and reject wrong ones', () => {
    for (const fact of RETENTION_FACTS) expect(fact.check(fact.referenceAnswer), fact.id).toBe(true);
    expect(check('port', 'The port is 17342.')).toBe(false);
    expect(check('port', 'It uses port 7342.')).toBe(true);
    expect(
      check(
        'no-var',
        'function sumArray(numbers) { var total = 0; for (const n of numbers) total += n; return total; }',
      ),
    ).toBe(false);
    expect(check('single-quotes', 'const greeting = "hello world";')).toBe(false);
    expect(check('test-suffix', 'src/parser.test.ts')).toBe(false);
  });
});

describe('runRetention against a simulated server', () => {
  it('shows retention falling with depth for a model that forgets long conversations', async () => {
    // Forget beyond ~3k tokens of request body: remembers at 1k, forgets at 4k.
    server = await startSimulatedServer({ flavour: 'llamacpp', script: referenceModel(12_000 + 8_000) });
    const client = createModelClient(`llamacpp:${server.url}`, { retry: false });
    const progress: number[] = [];
    const result = await runRetention(client, {
      depths: [4096, 1024],
      repeat: 2,
      contextLength: 32768,
      onProgress: (event) => progress.push(event.done),
    });
    expect(result.depths.map((depth) => [depth.depth, depth.rate])).toEqual([
      [1024, 1],
      [4096, 0],
    ]);
    expect(result.depths[0]).toMatchObject({ passes: 12, scored: 12, factRate: 1, constraintRate: 1 });
    expect(result.runs).toHaveLength(24);
    expect(result.runs.every((run) => run.simulated)).toBe(true);
    expect(progress.at(-1)).toBe(24);
    expect(result.notes).toEqual([]);
  });

  it('skips depths that do not fit the context with a note', async () => {
    server = await startSimulatedServer({ flavour: 'llamacpp', script: referenceModel() });
    const client = createModelClient(`llamacpp:${server.url}`, { retry: false });
    const result = await runRetention(client, { depths: [1024, 16384], repeat: 1, contextLength: 8192 });
    expect(result.depths[1]).toMatchObject({ depth: 16384, ran: false, rate: null });
    expect(result.notes.join('\n')).toMatch(/depth 16384 does not fit/);
    expect(result.depths[0]).toMatchObject({ ran: true, rate: 1 });
    expect(result.runs.every((run) => run.depth === 1024)).toBe(true);
  });

  it("places depths by the server's token counts when its tokenizer counts far more than chars/4", async () => {
    // One token a character: four times the chars/4 estimate, like the tiny byte-level model on llama.cpp.
    server = await startSimulatedServer({
      flavour: 'llamacpp',
      script: referenceModel(),
      endpoint: { charactersPerToken: 1, contextLength: 8192 },
    });
    const client = createModelClient(`llamacpp:${server.url}`, { retry: false });
    const result = await runRetention(client, { depths: [2048, 8192], repeat: 1, contextLength: 8192 });
    expect(result.calibration.method).toBe('server-tokens');
    expect(result.calibration.tokensPerEstimatedToken).toBeGreaterThan(3.5);
    expect(result.calibration.tokensPerEstimatedToken).toBeLessThan(4.5);
    // Placed by chars/4, 2048 "tokens" would be 8192 real ones and overflow; placed by the server's counts it fits.
    expect(result.depths[0]).toMatchObject({
      depth: 2048,
      ran: true,
      rate: 1,
      infrastructureErrors: 0,
      doesNotFit: 0,
    });
    expect(result.depths[1]).toMatchObject({
      depth: 8192,
      ran: false,
      skipReason: 'does not fit the context',
    });
    expect(result.runs.length).toBeGreaterThan(0);
    for (const run of result.runs) {
      const depth = run.promptTokens! - result.calibration.basePromptTokens!;
      expect(depth).toBeGreaterThanOrEqual(2048 * 0.9);
      expect(depth).toBeLessThan(2048 * 1.2);
    }
  });

  it('reports a depth the server refuses as too long as not fitting, never as an infrastructure error', async () => {
    server = await startSimulatedServer({
      flavour: 'llamacpp',
      script: referenceModel(),
      endpoint: { charactersPerToken: 1, contextLength: 4096 },
    });
    const client = createModelClient(`llamacpp:${server.url}`, { retry: false });
    // The endpoint's context is not known to the probe: every depth is tried, the server refuses the long ones.
    const result = await runRetention(client, { depths: [512, 4096, 8192], repeat: 1, contextLength: null });
    expect(result.depths[0]).toMatchObject({ depth: 512, ran: true, rate: 1 });
    expect(result.depths[1]).toMatchObject({ depth: 4096, ran: false, infrastructureErrors: 0 });
    expect(result.depths[1].skipReason).toMatch(/does not fit the context \(the server refused it/);
    expect(result.depths[1].doesNotFit).toBeGreaterThan(0);
    expect(result.depths[2]).toMatchObject({ depth: 8192, ran: false, infrastructureErrors: 0 });
    expect(result.depths[2].skipReason).toMatch(/a smaller depth was refused/);
    expect(result.runs.filter((run) => run.status === 'infrastructure-error')).toEqual([]);
    expect(result.runs.some((run) => run.status === 'context-exceeded')).toBe(true);
  });

  it('falls back to the chars/4 estimate, and says so, when the server reports no token counts', async () => {
    server = await startSimulatedServer({ flavour: 'openai', script: referenceModel() });
    const client = createModelClient(`openai-compatible:m@${server.url}`, { retry: false });
    const noUsage = {
      ...client,
      step: async (request: Parameters<typeof client.step>[0]) => {
        const result = await client.step(request);
        return { ...result, usage: { ...result.usage, source: 'measured' as const } };
      },
    };
    const result = await runRetention(noUsage, { depths: [512], repeat: 1, contextLength: 32768 });
    expect(result.calibration.method).toBe('chars/4 estimate');
    expect(result.notes.join('\n')).toMatch(
      /depths placed by a chars\/4 estimate of tokens: .*no token counts/,
    );
    expect(result.depths[0]).toMatchObject({ ran: true, rate: 1 });
  });
});
