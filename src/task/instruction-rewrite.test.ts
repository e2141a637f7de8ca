import { afterEach, describe, expect, it } from 'vitest';
import { createModelClient } from '../providers/create-model-client.ts';
import type { SimulatedTurn } from '../providers/simulated/script.ts';
import { type SimulatedServer, startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import { type InstructionRewriteInput, rewriteInstruction } from './instruction-rewrite.ts';

const input: InstructionRewriteInput = {
  originalMessage: 'Fix #218',
  goldPatch: [
    'diff --git a/calc.py b/calc.py',
    '--- a/calc.py',
    '+++ b/calc.py',
    '@@ -1,2 +1,5 @@',
    ' def add(a, b):',
    '     return a + b',
    '+',
    '+def multiply_numbers(first_factor, second_factor):',
    '+    return first_factor * second_factor',
    '',
  ].join('\n'),
  failToPass: ['tests/test_calc.py::test_multiply_numbers_handles_negatives'],
};

const goodIssue = `# calc has no way to multiply two numbers

The calc module can add two numbers but offers no multiplication. Calling calc.multiply_numbers(4, -5)
raises AttributeError today; it should return -20, and multiplying any two integers should give their product.`;

describe('rewriteInstruction through the real client against a simulated llama.cpp server', () => {
  let server: SimulatedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const rewriteWith = async (turns: SimulatedTurn[]) => {
    server = await startSimulatedServer({ flavour: 'llamacpp', script: turns });
    const client = createModelClient(`llamacpp:${server.url}`, { retry: { maxRetries: 1, baseDelayMs: 1 } });
    return { rewrite: await rewriteInstruction(client, input), client };
  };

  it('returns the issue the model wrote, naming the model and that it was simulated', async () => {
    const { rewrite, client } = await rewriteWith([{ content: `\`\`\`markdown\n${goodIssue}\n\`\`\`` }]);
    expect(rewrite).toEqual({
      status: 'rewritten',
      instruction: `${goodIssue}\n`,
      model: client.id,
      simulated: true,
    });
    const prompt = JSON.stringify(server?.chatRequests[0].body);
    expect(prompt).toContain('Fix #218');
    expect(prompt).toContain('test_multiply_numbers_handles_negatives');
    expect(prompt).toContain('multiply_numbers(first_factor, second_factor)');
  });

  it('keeps the original when the server fails, saying why in one line', async () => {
    const failure: SimulatedTurn = { fault: { kind: 'http-error', status: 503, body: 'loading model' } };
    const { rewrite } = await rewriteWith([failure, failure]);
    expect(rewrite.status).toBe('kept');
    if (rewrite.status !== 'kept') return;
    expect(rewrite.reason).toMatch(/failed: .*503/);
    expect(rewrite.reason).not.toContain('\n');
  });

  it.each([
    ['empty', '   ', 'the answer was empty'],
    ['a diff', `${goodIssue}\n\n${input.goldPatch}`, 'contains a diff'],
    [
      'the fix quoted',
      `${goodIssue}\nUse: def multiply_numbers(first_factor, second_factor):`,
      'quotes the fix',
    ],
    ['a test name', `${goodIssue}\nSee test_multiply_numbers_handles_negatives.`, 'names the hidden test'],
    ['too thin', '# Fix #218', 'itself underspecified'],
  ])('rejects an answer that is %s', async (_, content, reason) => {
    const { rewrite } = await rewriteWith([{ content }]);
    expect(rewrite.status).toBe('kept');
    if (rewrite.status === 'kept') expect(rewrite.reason).toContain(reason);
  });

  it('rejects an answer cut off at the token limit', async () => {
    const { rewrite } = await rewriteWith([{ content: goodIssue, finishReason: 'length' }]);
    expect(rewrite).toEqual({ status: 'kept', reason: 'the answer was cut off at the token limit' });
  });
});
