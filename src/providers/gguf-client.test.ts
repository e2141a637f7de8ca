import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyRandomModel } from '../../test-support/tiny-model.ts';
import { ContextLengthExceededError } from './context-length-error.ts';
import {
  backendOf,
  createGgufClient,
  formatParameterCount,
  loadLlama,
  mapStopReason,
  toChatFunctions,
  toChatHistory,
  toToolCalls,
} from './gguf-client.ts';
import type { Message, ModelClient, StepResult, ToolDefinition } from './types.ts';

let directory: string;
let modelPath: string;
let client: ModelClient;

const readFileTool: ToolDefinition = {
  name: 'read_file',
  description: 'Read a file',
  parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};

function expectWellFormed(result: StepResult, maxOutputTokens: number) {
  expect(['length', 'stop', 'tool-calls']).toContain(result.finishReason);
  expect(result.usage.inputTokens).toBeGreaterThan(0);
  expect(result.usage.outputTokens).toBeGreaterThan(0);
  expect(result.usage.outputTokens).toBeLessThanOrEqual(maxOutputTokens);
  expect(result.usage.source).toBe('server');
  expect(result.provider).toBe('gguf');
  expect(result.simulated).toBe(false);
  expect(result.timings.wallMs).toBeGreaterThan(0);
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'gguf-client-'));
  modelPath = join(directory, 'tiny-random.gguf');
  await writeTinyRandomModel(modelPath, { contextLength: 2048 });
  client = createGgufClient({ modelPath, threads: 1, contextSize: 2048, seed: 3 });
});

afterAll(async () => {
  await client?.close?.();
  await rm(directory, { recursive: true, force: true });
});

describe('createGgufClient on a tiny random-weight model', () => {
  it('runs a step: structure, usage and measured timings (output is gibberish)', async () => {
    const deltas: string[] = [];
    const result = await client.step({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Say hello.' },
      ],
      maxOutputTokens: 8,
      onDelta: (delta) => deltas.push(delta.text),
    });
    expectWellFormed(result, 8);
    expect(['length', 'stop']).toContain(result.finishReason);
    expect(result.usage.cachedInputTokens).toBe(0);
    const { timings } = result;
    for (const value of [
      timings.timeToFirstTokenMs,
      timings.prefillTokensPerSecond,
      timings.prefillMs,
      timings.decodeMs,
    ]) {
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeGreaterThan(0);
    }
    expect(timings.sources).toEqual({
      timeToFirstToken: 'measured',
      prefill: 'measured',
      decode: 'measured',
    });
    if (result.usage.outputTokens > 1) expect(timings.decodeTokensPerSecond).toBeGreaterThan(0);
    if (result.finishReason === 'length')
      expect(result.issues.map((issue) => issue.kind)).toContain('truncated');
    expect(deltas.join('')).toBe(result.text);
  });

  it('reuses the loaded model and its context state on the next step', async () => {
    const messages: Message[] = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Say hello.' },
    ];
    const first = await client.step({ messages, maxOutputTokens: 4 });
    const second = await client.step({ messages, maxOutputTokens: 4 });
    expectWellFormed(second, 4);
    expect(second.usage.inputTokens).toBe(first.usage.inputTokens);
    expect(second.usage.cachedInputTokens).toBeGreaterThan(0);
  });

  it('round-trips a conversation with tool definitions, a tool call and its result', async () => {
    const result = await client.step({
      messages: [
        { role: 'system', content: 'Use tools.' },
        { role: 'user', content: 'Read a.txt' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [
            {
              id: 'call_a',
              name: 'read_file',
              arguments: { path: 'a.txt' },
              rawArguments: '{"path":"a.txt"}',
              origin: 'server-parsed',
              format: 'native',
            },
          ],
        },
        { role: 'tool', toolCallId: 'call_a', toolName: 'read_file', content: 'hello world' },
      ],
      tools: [readFileTool],
      maxOutputTokens: 8,
    });
    expectWellFormed(result, 8);
    for (const call of result.toolCalls) {
      expect(call.name).toBe('read_file');
      expect(call.origin === 'server-parsed' ? call.format : 'native').toBe('native');
    }
  });

  it('throws ContextLengthExceededError for a prompt longer than the context', async () => {
    const error = await client
      .step({ messages: [{ role: 'user', content: 'x '.repeat(3000) }], maxOutputTokens: 4 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContextLengthExceededError);
    expect((error as ContextLengthExceededError).contextLength).toBe(2048);
  });

  it('describes the endpoint from the GGUF metadata', async () => {
    const info = await client.describe();
    expect(info).toMatchObject({
      provider: 'gguf',
      model: modelPath,
      reachable: true,
      contextLength: 2048,
      maxContextLength: 2048,
      quantization: 'F32',
      parameterCount: '26.4K',
      supportsTools: true,
      simulated: false,
      backend: EXPECTED_BACKEND,
    });
    expect(client.id).toBe(`gguf:${modelPath}`);
  });
});

/**
 * The backend `gpu: 'auto'` (the default) lands on here. CI and this project's build machines have no GPU, so the
 * tests above ran the tiny model through the CPU fallback; on a GPU machine set SHAKEDOWN_EXPECTED_GGUF_BACKEND
 * (cuda, vulkan, metal).
 */
const EXPECTED_BACKEND = process.env.SHAKEDOWN_EXPECTED_GGUF_BACKEND ?? 'cpu';

describe('GPU selection', () => {
  it("gpu: 'auto' is the default; without a GPU it says why it runs on the CPU", async () => {
    const info = await client.describe();
    expect(info.backend).toBe(EXPECTED_BACKEND);
    if (EXPECTED_BACKEND === 'cpu') {
      expect(info.notes).toContain('No usable GPU (CUDA, Vulkan, Metal) found: runs on the CPU.');
    }
    const cpuOnly = createGgufClient({ modelPath, gpu: false });
    const cpuInfo = await cpuOnly.describe();
    expect(cpuInfo.backend).toBe('cpu');
    expect(cpuInfo.notes).toContain('Runs on the CPU only (gpu: false).');
  });

  it('a GPU start that fails (no prebuilt binary) falls back to the CPU with one warning line', async () => {
    const warnings: string[] = [];
    const tried: (false | 'auto')[] = [];
    const llama = await loadLlama(
      'auto',
      async (gpu) => {
        tried.push(gpu);
        if (gpu === 'auto') {
          throw new Error('NoBinaryFoundError: no prebuilt binary for cuda\n    at getLlamaForOptions (…)');
        }
        const { getLlama } = await import('node-llama-cpp');
        return getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false });
      },
      (message) => warnings.push(message),
    );
    expect(tried).toEqual(['auto', false]);
    expect(backendOf(llama)).toBe('cpu');
    expect(warnings).toEqual([
      'GPU backend for embedded GGUF models failed to start (NoBinaryFoundError: no prebuilt binary for cuda); running on the CPU',
    ]);
  });

  it('names the GPU type as the backend', () => {
    expect(backendOf({ gpu: 'cuda' })).toBe('cuda');
    expect(backendOf({ gpu: 'metal' })).toBe('metal');
    expect(backendOf({ gpu: false })).toBe('cpu');
  });
});

describe('createGgufClient errors', () => {
  it('gives a clear error for a missing file, and describe() reports it unreachable', async () => {
    const missing = createGgufClient({ modelPath: join(directory, 'absent.gguf') });
    await expect(missing.step({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(
      /Cannot load GGUF model .*absent\.gguf: GGUF file not found/,
    );
    const info = await missing.describe();
    expect(info.reachable).toBe(false);
    expect(info.notes.join(' ')).toMatch(/not readable/);
  });

  it('gives a clear error for a file that is not a GGUF', async () => {
    const garbage = join(directory, 'garbage.gguf');
    await writeFile(garbage, 'not a model');
    const client = createGgufClient({ modelPath: garbage });
    await expect(client.step({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(
      /not a GGUF file/,
    );
  });

  it('rejects bad options', () => {
    expect(() => createGgufClient({ modelPath: '' })).toThrow(/modelPath is required/);
    expect(() => createGgufClient({ modelPath: 'm.gguf', threads: 0 })).toThrow(/threads/);
    expect(() => createGgufClient({ modelPath: 'm.gguf', contextSize: 2 })).toThrow(/contextSize/);
  });
});

describe('toChatHistory', () => {
  it('attaches tool results to their calls and keeps reasoning as a thought segment', () => {
    const history = toChatHistory([
      { role: 'system', content: 's' },
      { role: 'user', content: 'u' },
      {
        role: 'assistant',
        content: 'ok',
        reasoning: 'think',
        toolCalls: [
          {
            id: '1',
            name: 'a',
            arguments: { x: 1 },
            rawArguments: '{"x":1}',
            origin: 'server-parsed',
            format: 'native',
          },
          {
            id: '2',
            name: 'b',
            arguments: {},
            rawArguments: '{}',
            origin: 'recovered',
            format: 'hermes-json',
          },
        ],
      },
      { role: 'tool', toolCallId: '1', toolName: 'a', content: 'one' },
      { role: 'tool', toolCallId: '2', toolName: 'b', content: 'boom', isError: true },
    ]);
    expect(history).toEqual([
      { type: 'system', text: 's' },
      { type: 'user', text: 'u' },
      {
        type: 'model',
        response: [
          { type: 'segment', segmentType: 'thought', text: 'think', ended: true },
          'ok',
          { type: 'functionCall', name: 'a', params: { x: 1 }, result: 'one', startsNewChunk: true },
          { type: 'functionCall', name: 'b', params: {}, result: 'Error: boom', startsNewChunk: false },
        ],
      },
    ]);
  });

  it('rejects a tool result without a matching call', () => {
    expect(() => toChatHistory([{ role: 'tool', toolCallId: 'x', toolName: 'a', content: '' }])).toThrow(
      /call id "x", which no earlier assistant message made/,
    );
  });
});

describe('formatParameterCount', () => {
  it('formats like Ollama', () => {
    expect(formatParameterCount(7_615_616_512)).toBe('7.6B');
    expect(formatParameterCount(350_000_000)).toBe('350M');
    expect(formatParameterCount(26_400)).toBe('26.4K');
    expect(formatParameterCount(12)).toBe('12');
  });
});

describe('function call mapping', () => {
  it('turns node-llama-cpp function calls into server-parsed native ToolCalls', () => {
    let counter = 0;
    const calls = toToolCalls(
      [
        { functionName: 'read_file', params: { path: 'a.txt' } },
        { functionName: 'list', params: undefined },
        { functionName: 'bad', params: [1, 2] },
      ],
      () => `call_${++counter}`,
    );
    expect(calls[0]).toEqual({
      id: 'call_1',
      name: 'read_file',
      arguments: { path: 'a.txt' },
      rawArguments: '{"path":"a.txt"}',
      origin: 'server-parsed',
      format: 'native',
    });
    expect(calls[1]).toMatchObject({ id: 'call_2', arguments: {}, rawArguments: '{}' });
    expect(calls[2]).toMatchObject({
      arguments: {},
      rawArguments: '[1,2]',
      argumentsError: expect.any(String),
    });
  });

  it('maps stop reasons and tool definitions', () => {
    expect(mapStopReason('eogToken')).toBe('stop');
    expect(mapStopReason('stopGenerationTrigger')).toBe('stop');
    expect(mapStopReason('customStopTrigger')).toBe('stop');
    expect(mapStopReason('maxTokens')).toBe('length');
    expect(mapStopReason('functionCalls')).toBe('tool-calls');
    expect(mapStopReason('abort')).toBe('other');
    expect(toChatFunctions([readFileTool])).toEqual({
      read_file: { description: 'Read a file', params: readFileTool.parameters },
    });
    expect(() => toChatFunctions([{ ...readFileTool, name: '' }])).toThrow(/without a name/);
  });
});
