import { afterEach, describe, expect, it } from 'vitest';
import { createModelClient } from '../model/create-model-client.ts';
import { type SimulatedServer, startSimulatedServer } from '../model/simulated/simulated-server.ts';
import { referenceModel } from './reference-model.test-helper.ts';
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
    expect(result.notes.join('\n')).toMatch(/depth 16384 skipped/);
    expect(result.depths[0]).toMatchObject({ ran: true, rate: 1 });
    expect(result.runs.every((run) => run.depth === 1024)).toBe(true);
  });
});
