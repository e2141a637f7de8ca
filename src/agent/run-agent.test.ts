import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createScriptedClient, type Script, type ScriptedStep } from '../../test-support/scripted-client.ts';
import { ContextLengthExceededError } from '../providers/context-length-error.ts';
import { InfrastructureError } from '../providers/infrastructure-error.ts';
import type { Message, ToolMessage } from '../providers/types.ts';
import { createSandbox, SandboxInfrastructureError } from '../sandbox/index.ts';
import type { Sandbox } from '../sandbox/types.ts';
import type { TranscriptEvent, TranscriptEventOf } from '../transcript/events.ts';
import { readTranscript } from '../transcript/transcript-reader.ts';
import { createTranscriptWriter } from '../transcript/transcript-writer.ts';
import { EMPTY_TURN_MESSAGE, NUDGE_MESSAGE, type RunAgentOptions, runAgent } from './run-agent.ts';
import type { AgentTool } from './tool.ts';
import { defaultTools } from './tools/index.ts';

let workspaceDir: string;
let sandbox: Sandbox;

beforeEach(async () => {
  workspaceDir = mkdtempSync(join(tmpdir(), 'shakedown-agent-'));
  writeFileSync(join(workspaceDir, 'math.js'), 'export function add(a, b) {\n  return a - b;\n}\n');
  sandbox = await createSandbox(workspaceDir, { backend: 'none', onWarning: () => {} });
});
afterEach(async () => {
  await sandbox.dispose();
  rmSync(workspaceDir, { recursive: true, force: true });
});

const throwingTool: AgentTool<{ reason: string }> = {
  name: 'explode',
  description: 'Always throws.',
  schema: z.object({ reason: z.string() }),
  async execute(args) {
    throw new Error(`kaboom: ${args.reason}`);
  },
};

const finish = (summary = 'done'): ScriptedStep => ({
  toolCalls: [{ name: 'finish', arguments: { summary } }],
});

function setup(script: Script, overrides: Partial<RunAgentOptions> = {}, clientOptions = {}) {
  const client = createScriptedClient(script, { id: 'test-model', ...clientOptions });
  const transcript = createTranscriptWriter({
    path: join(workspaceDir, '..', `${workspaceDir.split('/').pop()}.jsonl`),
  });
  const options: RunAgentOptions = {
    client,
    instruction: 'Fix add() in math.js so that it adds.',
    tools: [...defaultTools(), throwingTool as unknown as AgentTool],
    toolContext: {
      workspaceDir: sandbox.workspaceDir,
      sandbox,
      maxOutputChars: 4000,
      commandTimeoutMs: 20_000,
    },
    protocol: 'native',
    limits: { maxSteps: 20 },
    transcript,
    attemptId: 'attempt-1',
    taskId: 'task-1',
    ...overrides,
  };
  const run = async () => {
    const result = await runAgent(options);
    transcript.close();
    rmSync(transcript.path!, { force: true });
    return { result, events: transcript.events as TranscriptEvent[], client };
  };
  return { run, client, transcript };
}

function ofType<Type extends TranscriptEvent['type']>(events: TranscriptEvent[], type: Type) {
  return events.filter((event): event is TranscriptEventOf<Type> => event.type === type);
}

function toolMessages(messages: Message[]): ToolMessage[] {
  return messages.filter((message): message is ToolMessage => message.role === 'tool');
}

describe('runAgent', () => {
  it('reads, edits, runs a command and finishes: submitted, with the expected transcript', async () => {
    const progress: number[] = [];
    const { run } = setup(
      [
        { text: 'Let me look.', toolCalls: [{ name: 'read_file', arguments: { path: 'math.js' } }] },
        {
          toolCalls: [
            {
              name: 'edit_file',
              arguments: { path: 'math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
            },
          ],
        },
        { toolCalls: [{ name: 'run_command', arguments: { command: 'cat math.js && echo ran-ok' } }] },
        finish('Fixed add to use +.'),
      ],
      { onStep: (step) => progress.push(step.step) },
    );
    const { result, events, client } = await run();
    expect(result.status).toBe('submitted');
    expect(result.steps).toBe(4);
    expect(result.turnsCompleted).toBe(1);
    expect(result.finishedSummary).toBe('Fixed add to use +.');
    expect(progress).toEqual([0, 1, 2, 3]);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.toolMs).toBeGreaterThan(0);
    expect(readFileSync(join(workspaceDir, 'math.js'), 'utf8')).toContain('return a + b;');

    const step = ['model-request', 'model-response', 'tool-call', 'tool-result'];
    expect(events.map((event) => event.type)).toEqual([
      'attempt-started',
      'user-message',
      ...step,
      ...step,
      ...step,
      ...step,
      'attempt-finished',
    ]);
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index));
    const started = ofType(events, 'attempt-started')[0]!;
    expect(started).toMatchObject({ modelId: 'simulated:test-model', simulated: true, protocol: 'native' });
    expect(started.limits).toEqual({ maxSteps: 20, maxConsecutiveFormatErrors: 3 });
    expect(started.toolNames).toContain('edit_file');
    expect(started.systemPrompt).toContain('edit_file');
    expect(ofType(events, 'tool-call').map((event) => event.validity)).toEqual([
      'valid',
      'valid',
      'valid',
      'valid',
    ]);
    const commandResult = ofType(events, 'tool-result')[2]!;
    expect(commandResult.content).toContain('ran-ok');
    expect(commandResult.content).toContain('return a + b;');
    const finished = ofType(events, 'attempt-finished')[0]!;
    expect(finished).toMatchObject({ status: 'submitted', summary: 'Fixed add to use +.' });
    expect(finished.totals).toMatchObject({ steps: 4, toolCalls: 4, invalidToolCalls: 0, formatErrors: 0 });
    // Tools were offered natively and results went back as tool messages.
    expect(client.requests[0]!.tools?.map((tool) => tool.name)).toContain('run_command');
    expect(toolMessages(client.requests[1]!.messages)[0]!.content).toContain('return a - b;');
  });

  it('classifies unknown tool, schema, malformed arguments and execution errors, and feeds them back', async () => {
    const { run, client } = setup([
      {
        toolCalls: [
          { name: 'open_file', arguments: { path: 'math.js' } },
          { name: 'read_file', arguments: { nonsense: 1 } },
          { name: 'read_file', arguments: '{"path": "math.js"' },
          { name: 'read_file', arguments: { path: 'missing.js' } },
          { name: 'explode', arguments: { reason: 'test' } },
        ],
      },
      { toolCalls: [{ name: 'read_file', arguments: { path: 'math.js' } }] },
      finish(),
    ]);
    const { result, events } = await run();
    expect(result.status).toBe('submitted');
    const calls = ofType(events, 'tool-call');
    expect(calls.map((event) => event.validity)).toEqual([
      'unknown-tool',
      'schema',
      'format',
      'execution-error',
      'execution-error',
      'valid',
      'valid',
    ]);
    expect(calls[0]!.detail).toContain('open_file');
    expect(ofType(events, 'format-error')).toEqual([
      expect.objectContaining({ reason: 'malformed-arguments', step: 0, callId: 'call_0_2' }),
    ]);
    const fedBack = toolMessages(client.requests[1]!.messages);
    expect(fedBack).toHaveLength(5);
    expect(fedBack.every((message) => message.isError)).toBe(true);
    expect(fedBack[0]!.content).toMatch(/no tool named "open_file".*read_file/);
    expect(fedBack[1]!.content).toMatch(/Invalid arguments for read_file/);
    expect(fedBack[2]!.content).toMatch(/could not be parsed/);
    expect(fedBack[4]!.content).toContain('kaboom: test');
    const finished = ofType(events, 'attempt-finished')[0]!;
    expect(finished.totals).toMatchObject({ toolCalls: 7, invalidToolCalls: 5, formatErrors: 1 });
  });

  it('nudges once after an answer without tool calls; a second one ends the turn without submission', async () => {
    const nudged = setup([{ text: 'I think it is fixed.' }, finish()]);
    const first = await nudged.run();
    expect(first.result.status).toBe('submitted');
    expect(first.client.requests[1]!.messages.at(-1)).toEqual({ role: 'user', content: NUDGE_MESSAGE });
    expect(ofType(first.events, 'format-error')).toEqual([]);

    const stubborn = setup([{ text: 'Done, I believe.' }, { text: 'Really done.' }]);
    const second = await stubborn.run();
    expect(second.result.status).toBe('no-submission');
    expect(second.result.finishedSummary).toBe('Really done.');
    expect(second.result.turnsCompleted).toBe(1);
  });

  it('counts empty turns as format errors and stops after the consecutive maximum', async () => {
    const { run, client } = setup([{}, {}, {}], { limits: { maxSteps: 10, maxConsecutiveFormatErrors: 3 } });
    const { result, events } = await run();
    expect(result.status).toBe('format-errors');
    expect(ofType(events, 'format-error').map((event) => event.reason)).toEqual([
      'empty-turn',
      'empty-turn',
      'empty-turn',
    ]);
    expect(ofType(events, 'limit-reached')).toEqual([
      expect.objectContaining({ which: 'format-errors', limit: 3, value: 3 }),
    ]);
    expect(client.requests[1]!.messages.at(-1)!.content).toBe(EMPTY_TURN_MESSAGE);
  });

  it('resets the format-error count when a valid call follows (recovery)', async () => {
    const bad: ScriptedStep = { toolCalls: [{ name: 'read_file', arguments: 'not json' }] };
    const good: ScriptedStep = { toolCalls: [{ name: 'read_file', arguments: { path: 'math.js' } }] };
    const { run } = setup([bad, bad, good, bad, bad, finish()], {
      limits: { maxSteps: 10, maxConsecutiveFormatErrors: 3 },
    });
    expect((await run()).result.status).toBe('submitted');
  });

  const readForever: Script = () => ({
    toolCalls: [{ name: 'read_file', arguments: { path: 'math.js' } }],
    usage: { inputTokens: 1000, outputTokens: 100 },
  });

  it.each([
    ['step-limit', 'steps', { maxSteps: 3 }, 3],
    ['token-limit', 'tokens', { maxSteps: 50, maxTotalTokens: 2500 }, 3],
    ['cost-limit', 'cost', { maxSteps: 50, maxCostUsd: 0.02 }, 2],
  ] as const)('ends with %s when the %s limit is reached', async (status, which, limits, steps) => {
    const { run } = setup(readForever, {
      limits,
      costOfUsage: (usage) => (usage.inputTokens + usage.outputTokens) / 100_000,
    });
    const { result, events } = await run();
    expect(result.status).toBe(status);
    expect(result.steps).toBe(steps);
    expect(ofType(events, 'limit-reached')).toEqual([expect.objectContaining({ which })]);
    expect(events.at(-1)).toMatchObject({ type: 'attempt-finished', status });
  });

  it('does not count the wait for an endpoint slot (queuedMs) as model time', async () => {
    // Fake clocks: a 200 ms step of which 120 ms were spent queued for a slot is exactly 80 ms of model time.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const { run, client } = setup([finish()], {}, { latencyMs: 200 });
      const step = client.step.bind(client);
      client.step = async (request) => ({ ...(await step(request)), queuedMs: 120 });
      const running = run();
      await vi.advanceTimersByTimeAsync(200);
      const { result } = await running;
      expect(result.status).toBe('submitted');
      expect(result.modelMs).toBe(80);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not count the wait for an endpoint slot against the wall-clock limit', async () => {
    // Fake clocks: four 50 ms steps of which 40 ms each waited for a slot are 200 ms of wall time but 40 ms of the
    // attempt's own: under its 100 ms limit (counting the waits, the third step would end it at the limit). The
    // tool does no I/O, so no real time passes between the fake clock's ticks.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const script: Script = (_request, index) =>
        index < 3 ? { toolCalls: [{ name: 'explode', arguments: { reason: 'no i/o' } }] } : finish();
      const { run, client } = setup(script, { limits: { maxSteps: 10, maxWallMs: 100 } }, { latencyMs: 50 });
      const step = client.step.bind(client);
      client.step = async (request) => ({ ...(await step(request)), queuedMs: 40 });
      const running = run();
      await vi.advanceTimersByTimeAsync(1000);
      const { result, events } = await running;
      expect(ofType(events, 'limit-reached')).toEqual([]);
      expect(result.status).toBe('submitted');
      expect(result.steps).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ends with time-limit when the wall-clock limit is reached', async () => {
    const { run } = setup(readForever, { limits: { maxSteps: 50, maxWallMs: 60 } }, { latencyMs: 25 });
    const { result, events } = await run();
    expect(result.status).toBe('time-limit');
    expect(result.steps).toBeLessThan(10);
    expect(result.modelMs).toBeGreaterThanOrEqual(25);
    expect(ofType(events, 'limit-reached')[0]!.which).toBe('wall-time');
  });

  it('reports infrastructure errors apart, never as a model failure', async () => {
    const { run } = setup([
      {
        toolCalls: [{ name: 'read_file', arguments: { path: 'math.js' } }],
        retries: [{ attempt: 1, error: '503 busy', kind: 'server-error', delayMs: 100 }],
      },
      { throw: new InfrastructureError('connection', 'connection refused') },
    ]);
    const { result, events } = await run();
    expect(result.status).toBe('infrastructure-error');
    expect(ofType(events, 'infrastructure-error')).toEqual([
      expect.objectContaining({ step: 0, kind: 'server-error', final: false }),
      expect.objectContaining({ step: 1, kind: 'connection', message: 'connection refused', final: true }),
    ]);
    expect(ofType(events, 'format-error')).toEqual([]);
  });

  it('ends the attempt as an infrastructure error when the sandbox itself fails, never as a tool error', async () => {
    const broken: Sandbox = {
      backend: 'bubblewrap',
      workspaceDir,
      exec: async () => {
        throw new SandboxInfrastructureError("the sandbox's exec server ended (SIGKILL)");
      },
      dispose: async () => {},
    };
    const { run } = setup(
      [{ toolCalls: [{ name: 'run_command', arguments: { command: 'true' } }] }, finish('never reached')],
      { toolContext: { workspaceDir, sandbox: broken, maxOutputChars: 4000, commandTimeoutMs: 5000 } },
    );
    const { result, events } = await run();
    expect(result.status).toBe('infrastructure-error');
    expect(ofType(events, 'infrastructure-error')).toEqual([
      expect.objectContaining({
        step: 0,
        kind: 'sandbox',
        message: "the sandbox's exec server ended (SIGKILL)",
        final: true,
      }),
    ]);
    expect(ofType(events, 'tool-call')).toEqual([]);
  });

  it('ends with context-exceeded when the request no longer fits', async () => {
    const { run } = setup([
      { toolCalls: [{ name: 'read_file', arguments: { path: 'math.js' } }] },
      { throw: new ContextLengthExceededError('prompt too long', 4096) },
    ]);
    const { result, events } = await run();
    expect(result.status).toBe('context-exceeded');
    expect(ofType(events, 'limit-reached')).toEqual([
      expect.objectContaining({ which: 'context', limit: 4096 }),
    ]);
  });

  it('delivers follow-ups in order, each after the previous turn finished', async () => {
    const { run, client } = setup(
      [finish('turn one'), { text: 'Answered.' }, { text: 'Still answered.' }, finish('turn three')],
      {
        followUps: ['Now add a test.', 'Now document it.'],
      },
    );
    const { result, events } = await run();
    expect(result.status).toBe('submitted');
    expect(result.turnsCompleted).toBe(3);
    expect(result.finishedSummary).toBe('turn three');
    expect(
      ofType(events, 'user-message').map((event) => [
        event.turnIndex,
        event.kind,
        event.content.slice(0, 12),
      ]),
    ).toEqual([
      [0, 'instruction', 'Fix add() in'],
      [1, 'follow-up', 'Now add a te'],
      [1, 'nudge', NUDGE_MESSAGE.slice(0, 12)],
      [2, 'follow-up', 'Now document'],
    ]);
    expect(client.requests[1]!.messages.at(-1)).toEqual({ role: 'user', content: 'Now add a test.' });
    expect(client.requests[3]!.messages.at(-1)).toEqual({ role: 'user', content: 'Now document it.' });
  });

  it('sends the temperature and seed with every request, and leaves them out when not given', async () => {
    const { run, client } = setup([finish('turn one'), finish('turn two')], {
      followUps: ['Next.'],
      temperature: 0.3,
      seed: 42,
    });
    await run();
    expect(client.requests.length).toBeGreaterThanOrEqual(2);
    for (const request of client.requests) expect(request).toMatchObject({ temperature: 0.3, seed: 42 });

    const plain = setup([finish()]);
    await plain.run();
    expect(plain.client.requests[0]).not.toHaveProperty('temperature');
    expect(plain.client.requests[0]).not.toHaveProperty('seed');
  });

  it('ends as cancelled when the signal aborts', async () => {
    const controller = new AbortController();
    const { run } = setup(
      (_request, index) => {
        if (index === 1) controller.abort();
        return { toolCalls: [{ name: 'read_file', arguments: { path: 'math.js' } }] };
      },
      { signal: controller.signal },
    );
    const { result } = await run();
    expect(result.status).toBe('cancelled');
  });

  it('rethrows programming errors such as an exhausted script', async () => {
    const { run } = setup([]);
    await expect(run()).rejects.toThrow(/ran out of steps/);
  });

  it('speaks the hermes text protocol', async () => {
    const { run, client } = setup(
      [
        {
          text: 'Reading.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "math.js"}}\n</tool_call>',
        },
        { text: '<tool_call>\n{"name": "read_file", "arguments": {"path": "math.js"\n</tool_call>' },
        { text: 'Again.\n<tool_call>\n{"arguments": {"path": "math.js"}}\n</tool_call>' },
        { text: '<tool_call>\n{"name": "finish", "arguments": {"summary": "ok"}}\n</tool_call>' },
      ],
      { protocol: 'hermes' },
    );
    const { result, events } = await run();
    expect(result.status).toBe('submitted');
    const first = client.requests[0]!;
    expect(first.tools).toBeUndefined();
    expect(first.messages[0]!.content).toContain('<tools>');
    expect(first.messages[0]!.content).toContain('"name":"read_file"');
    const second = client.requests[1]!.messages;
    expect(second.at(-2)).toMatchObject({
      role: 'assistant',
      content: expect.stringContaining('<tool_call>'),
    });
    expect(second.at(-1)).toMatchObject({
      role: 'user',
      content: expect.stringMatching(/^<tool_response>\n.*return a - b/s),
    });
    const calls = ofType(events, 'tool-call');
    expect(calls.map((event) => [event.name, event.origin, event.format, event.validity])).toEqual([
      ['read_file', 'text-protocol', 'hermes-json', 'valid'],
      ['read_file', 'text-protocol', 'hermes-json', 'format'],
      ['finish', 'text-protocol', 'hermes-json', 'valid'],
    ]);
    expect(ofType(events, 'format-error').map((event) => event.reason)).toEqual([
      'malformed-arguments',
      'unparseable-call',
    ]);
    expect(client.requests[2]!.messages.at(-1)!.content).toMatch(
      /^<tool_response>\nError: the arguments of read_file/,
    );
    expect(client.requests[3]!.messages.at(-1)).toMatchObject({
      role: 'user',
      content: expect.stringMatching(/could not be parsed: tool call JSON has no "name".*<tool_call>/s),
    });
    expect(client.requests[3]!.messages.at(-2)!.content).toContain('Again.');
  });

  it('speaks the Qwen3-Coder xml text protocol', async () => {
    const { run, client } = setup(
      [
        {
          text: [
            '<tool_call>',
            '<function=edit_file>',
            '<parameter=path>',
            'math.js',
            '</parameter>',
            '<parameter=old_string>',
            'return a - b;',
            '</parameter>',
            '<parameter=new_string>',
            'return a + b;',
            '</parameter>',
            '</function>',
            '</tool_call>',
          ].join('\n'),
        },
        {
          text: '<tool_call>\n<function=finish>\n<parameter=summary>\nfixed\n</parameter>\n</function>\n</tool_call>',
        },
      ],
      { protocol: 'xml' },
    );
    const { result, events } = await run();
    expect(result.status).toBe('submitted');
    expect(result.finishedSummary).toBe('fixed');
    expect(readFileSync(join(workspaceDir, 'math.js'), 'utf8')).toContain('return a + b;');
    expect(client.requests[0]!.messages[0]!.content).toContain('<function>\n<name>edit_file</name>');
    expect(client.requests[0]!.tools).toBeUndefined();
    expect(ofType(events, 'tool-call').map((event) => [event.origin, event.format])).toEqual([
      ['text-protocol', 'qwen-xml'],
      ['text-protocol', 'qwen-xml'],
    ]);
    expect(client.requests[1]!.messages.at(-1)!.content).toMatch(/^<tool_response>/);
  });

  it('writes a transcript that reads back valid, with a custom system prompt and redaction', async () => {
    const path = join(workspaceDir, '..', `${workspaceDir.split('/').pop()}-redacted.jsonl`);
    const transcript = createTranscriptWriter({ path, redact: (text) => text.replaceAll('hunter2', '***') });
    const client = createScriptedClient([{ text: 'password hunter2' }, finish('used hunter2')]);
    const result = await runAgent({
      client,
      instruction: 'The password is hunter2.',
      systemPrompt: 'You are terse.',
      tools: defaultTools(),
      toolContext: { workspaceDir, sandbox, maxOutputChars: 1000, commandTimeoutMs: 5000 },
      protocol: 'native',
      limits: { maxSteps: 5 },
      transcript,
      attemptId: 'a',
      taskId: 't',
    });
    transcript.close();
    expect(result.status).toBe('submitted');
    const text = readFileSync(path, 'utf8');
    rmSync(path);
    expect(text).not.toContain('hunter2');
    const reread = await (async () => {
      writeFileSync(path, text);
      const parsed = await readTranscript(path);
      rmSync(path);
      return parsed;
    })();
    expect(reread.problems).toEqual([]);
    expect(reread.events).toHaveLength(transcript.events.length);
    expect(reread.events[0]).toMatchObject({ type: 'attempt-started', systemPrompt: 'You are terse.' });
  });
});
