/**
 * Contract tests of the `llamacpp:` and `openai-compatible:` providers against a real llama.cpp `llama-server`
 * (built from node-llama-cpp's bundled source, see scripts/build-llama-server.sh) serving a tiny random-weight
 * model with the Qwen tool-calling template. The model says nothing sensible: these tests assert the wire
 * (streaming, usage, timings, /props, /v1/models), the classification of failures and the tool-call grammar.
 */
import { expect, it } from 'vitest';
import { rejectionOf } from '../../../test-support/client-test-kit.ts';
import { describeWithLlamaServer, llamaServerForSuite } from '../../../test-support/llama-server.ts';
import { runDoctor } from '../../doctor/doctor.ts';
import { ContextLengthExceededError } from '../context-length-error.ts';
import { createModelClient } from '../create-model-client.ts';
import { InfrastructureError } from '../infrastructure-error.ts';
import type { StepRequest, ToolDefinition } from '../types.ts';
import {
  createOpenAICompatibleClient,
  type OpenAICompatibleClientOptions,
} from './openai-compatible-client.ts';

/** A tool whose one argument is an enum: the grammar then forces a short, complete call from random weights. */
const WEATHER_TOOL: ToolDefinition = {
  name: 'get_weather',
  description: 'Get the current weather for a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string', enum: ['Paris', 'Oslo'] } },
    required: ['city'],
    additionalProperties: false,
  },
};

const QUESTION: StepRequest = {
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'What is the weather in Paris?' },
  ],
  temperature: 0,
  seed: 1,
};

/** Per slot: `-c 4096 --parallel 2` gives each of the two slots 2048 tokens. */
const SLOT_CONTEXT = 2048;

describeWithLlamaServer('llamacpp: against a real llama-server', () => {
  const server = llamaServerForSuite({
    contextSize: 2 * SLOT_CONTEXT,
    parallel: 2,
    model: { contextLength: 4096 },
  });
  const client = (options: Partial<OpenAICompatibleClientOptions> = {}) =>
    createOpenAICompatibleClient({
      baseUrl: server().url,
      model: 'default',
      flavour: 'llamacpp',
      provider: 'llamacpp',
      requestTimeoutMs: 60_000,
      idleTimeoutMs: 60_000,
      ...options,
    });

  it('describe: per-slot context and slots from /props, name, trained context and size from /v1/models', async () => {
    const info = await createModelClient(`llamacpp:${server().url}`, { retry: false }).describe();
    expect(info).toMatchObject({
      reachable: true,
      // llama-server names a model started without --alias by its path.
      model: expect.stringMatching(/\/tiny-qwen-tools\.gguf$/),
      contextLength: SLOT_CONTEXT,
      maxContextLength: 4096,
      parallelSlots: 2,
      supportsTools: true,
      simulated: false,
    });
    expect(info.sizeBytes).toBeGreaterThan(0);
    expect(info.notes).toEqual([]);
  });

  it('openai-compatible: finds the model by the name /v1/models gives it', async () => {
    const info = await createModelClient(`openai-compatible:tiny-qwen-tools.gguf@${server().url}/v1`, {
      retry: false,
    }).describe();
    expect(info).toMatchObject({ reachable: true, contextLength: SLOT_CONTEXT, maxContextLength: 4096 });
    expect(info.notes).toEqual([]);
  });

  it('streams an answer with server-reported usage (cached tokens too) and timings', async () => {
    const deltas: string[] = [];
    // ignore_eos: exactly max_tokens tokens, whatever the random weights say.
    const llama = client({ extraBody: { ignore_eos: true } });
    const request = {
      ...QUESTION,
      maxOutputTokens: 8,
      onDelta: (delta: { text: string }) => deltas.push(delta.text),
    };
    const first = await llama.step(request);
    expect(first.simulated).toBe(false);
    expect(first.finishReason).toBe('length');
    expect(first.usage).toMatchObject({ outputTokens: 8, source: 'server' });
    expect(first.usage.inputTokens).toBeGreaterThan(20);
    expect(first.timings.sources).toEqual({
      timeToFirstToken: 'measured',
      prefill: 'server',
      decode: 'server',
    });
    expect(first.timings.decodeMs).toBeGreaterThan(0);
    expect(first.timings.decodeTokensPerSecond).toBeGreaterThan(0);
    expect(first.timings.prefillTokensPerSecond).toBeGreaterThan(0);
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.join('')).toBe(first.text);
    // The same prompt again: the slot's prompt cache serves it, and the server says how much.
    const again = await llama.step(request);
    expect(again.usage.inputTokens).toBe(first.usage.inputTokens);
    expect(again.usage.cachedInputTokens).toBeGreaterThan(0);
    expect(again.usage.cachedInputTokens).toBeLessThanOrEqual(again.usage.inputTokens);
  });

  it('a prompt longer than a slot is a ContextLengthExceededError naming the per-slot context', async () => {
    const long = 'lorem ipsum dolor sit amet '.repeat(400);
    const error = await rejectionOf(
      client().step({ ...QUESTION, messages: [{ role: 'user', content: long }], maxOutputTokens: 4 }),
    );
    expect(error).toBeInstanceOf(ContextLengthExceededError);
    expect((error as ContextLengthExceededError).contextLength).toBe(SLOT_CONTEXT);
  });

  it('tool_choice required: the grammar forces a valid call of a declared tool, streamed as tool_calls deltas', async () => {
    // llama-server's grammar for tool_choice required (its autoparser, Hermes/Qwen JSON format) is
    // `root ::= "<|im_start|>assistant\n" space until-<tool_call>? tool-calls`: free content may come first, so the
    // greedy random model writes content until max_tokens and never starts a call. Logit biases (token ids from the
    // server's own tokenizer) make it open one: `<tool_call>` first, then `\n` (which a presence penalty stops
    // `<tool_call>` repeating before), and the end of turn as soon as the grammar allows it. Everything inside the
    // call, the tool name and the enum argument, is still the grammar's doing.
    const tokenize = await fetch(`${server().url}/tokenize`, {
      method: 'POST',
      body: JSON.stringify({ content: '<tool_call>\n<|im_end|>', parse_special: true }),
    });
    const { tokens } = (await tokenize.json()) as { tokens: number[] };
    expect(tokens).toHaveLength(3);
    const [toolCallToken, newlineToken, endOfTurnToken] = tokens;
    const steered = client({
      extraBody: {
        logit_bias: [
          [toolCallToken, 100],
          [newlineToken, 150],
          [endOfTurnToken, 300],
        ],
        presence_penalty: 100,
      },
    });
    const result = await steered.step({
      ...QUESTION,
      tools: [WEATHER_TOOL],
      toolChoice: 'required',
      maxOutputTokens: 600,
    });
    expect(result.toolCalls).toHaveLength(1);
    const [call] = result.toolCalls;
    expect(call).toMatchObject({ name: 'get_weather', origin: 'server-parsed', format: 'native' });
    expect(call.argumentsError).toBeUndefined();
    expect(['Paris', 'Oslo']).toContain(call.arguments.city);
    expect(result.finishReason).toBe('tool-calls');
    expect(result.usage.source).toBe('server');
  });

  it('a call the server leaves in the text (tool_choice none) is recovered, and the doctor warns', async () => {
    // With tool_choice none llama-server does not parse tool calls; a grammar makes the random model write one.
    const hermes = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
    const grammar = `root ::= ${JSON.stringify(hermes)}`;
    const leaky = client({ extraBody: { tool_choice: 'none', grammar } });
    const result = await leaky.step({ ...QUESTION, tools: [WEATHER_TOOL], maxOutputTokens: 200 });
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]).toMatchObject({
      name: 'get_weather',
      arguments: { city: 'Paris' },
      origin: 'recovered',
      format: 'hermes-json',
      recoveredFrom: 'content',
    });
    expect(result.issues.map((issue) => issue.kind)).toContain('leaked-tool-call');
    const report = await runDoctor(leaky, { maxOutputTokens: 200 });
    const toolCall = report.checks.find((check) => check.name === 'tool call');
    expect(toolCall?.status).toBe('warn');
    expect(toolCall?.detail).toMatch(/recovered from text leaked into content \(hermes-json\)/);
    expect(report.simulated).toBe(false);
  });

  it('doctor: real context, slots and server-reported speed; a random model failing the round trip is not infrastructure', async () => {
    const report = await runDoctor(createModelClient(`llamacpp:${server().url}`, { retry: false }), {
      maxOutputTokens: 16,
    });
    const byName = new Map(report.checks.map((check) => [check.name, check]));
    expect(byName.get('reachable')).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/^llamacpp serves \/.*\/tiny-qwen-tools\.gguf$/),
    });
    expect(byName.get('context length')).toMatchObject({ status: 'fail' });
    expect(byName.get('context length')?.detail).toContain(`${SLOT_CONTEXT} tokens`);
    expect(byName.get('context length')?.detail).toContain(
      'llama-server -c, which its 2 --parallel slots share',
    );
    expect(byName.get('tool support')?.status).toBe('pass');
    expect(byName.get('tool call')?.detail).not.toMatch(/infrastructure/);
    expect(byName.get('latency')?.detail).toMatch(/decode [\d.]+ tok\/s \(server-reported\)/);
  });

  // Last: it kills the suite's server.
  it('a server killed mid-stream is an infrastructure error', async () => {
    const running = server();
    const killing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      // The headers are here, the body is streaming: kill the server now.
      running.process.kill('SIGKILL');
      return response;
    };
    const error = await rejectionOf(
      client({ fetch: killing, extraBody: { ignore_eos: true } }).step({ ...QUESTION, maxOutputTokens: 900 }),
    );
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as InfrastructureError).kind).toBe('stream-error');
    expect((error as InfrastructureError).retryable).toBe(true);
  });
});

describeWithLlamaServer('llamacpp: a real llama-server started without --jinja', () => {
  const server = llamaServerForSuite({ contextSize: 1024, parallel: 1, extraArgs: ['--no-jinja'] });

  it('refuses tools; the doctor says so, with the fix, and does not blame the model', async () => {
    const report = await runDoctor(createModelClient(`llamacpp:${server().url}`, { retry: false }), {
      maxOutputTokens: 16,
    });
    const toolCall = report.checks.find((check) => check.name === 'tool call');
    expect(toolCall?.status).toBe('fail');
    // The real server answers 500 (not 400) to tools without --jinja.
    expect(toolCall?.detail).toMatch(/infrastructure error \(server-error HTTP 500\)/);
    expect(toolCall?.detail).toMatch(/tools param requires --jinja flag/);
    expect(toolCall?.detail).toMatch(/fix: start llama-server with --jinja/);
  });
});
