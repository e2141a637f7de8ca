import { describe, expect, it } from 'vitest';
import type { EndpointInfo, StepResult, ToolCall, ToolDefinition } from '../providers/types.ts';
import { chooseToolProtocol, createToolProtocol } from './tool-protocol.ts';

const tools: ToolDefinition[] = [
  {
    name: 'read_file',
    description: 'Read a file.',
    parameters: {
      type: 'object',
      properties: { path: { type: 'string', description: 'Relative path.' }, offset: { type: 'integer' } },
      required: ['path'],
    },
  },
];

function stepResult(overrides: Partial<StepResult>): StepResult {
  return {
    text: '',
    reasoning: '',
    toolCalls: [],
    finishReason: 'stop',
    rawFinishReason: null,
    usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, source: 'measured' },
    timings: {
      timeToFirstTokenMs: null,
      prefillTokensPerSecond: null,
      decodeTokensPerSecond: null,
      prefillMs: null,
      decodeMs: null,
      wallMs: 0,
      loadMs: null,
      sources: { timeToFirstToken: 'unavailable', prefill: 'unavailable', decode: 'unavailable' },
    },
    issues: [],
    provider: 'simulated',
    model: 'm',
    simulated: true,
    retries: [],
    ...overrides,
  };
}

const call = (overrides: Partial<ToolCall> = {}): ToolCall => ({
  id: 'call_1',
  name: 'read_file',
  arguments: { path: 'a.ts' },
  rawArguments: '{"path":"a.ts"}',
  origin: 'server-parsed',
  format: 'native',
  ...overrides,
});

describe('chooseToolProtocol', () => {
  const info = (supportsTools: boolean | null) => ({ supportsTools }) as EndpointInfo;
  it('honours an explicit request and picks native only when the endpoint supports tools', () => {
    expect(chooseToolProtocol(info(false), 'xml')).toBe('xml');
    expect(chooseToolProtocol(info(false), 'native')).toBe('native');
    expect(chooseToolProtocol(info(true), 'auto')).toBe('native');
    expect(chooseToolProtocol(info(false), 'auto')).toBe('hermes');
    expect(chooseToolProtocol(info(null), 'auto')).toBe('native');
    expect(chooseToolProtocol(null, 'auto')).toBe('native');
  });
});

describe('native protocol', () => {
  const protocol = createToolProtocol('native');
  it('sends definitions, keeps calls as they are and returns tool messages', () => {
    expect(protocol.systemPrompt('base', tools)).toBe('base');
    expect(protocol.requestTools(tools)).toBe(tools);
    const interpreted = protocol.interpret(stepResult({ text: 'hi', toolCalls: [call()] }), 0);
    expect(interpreted.calls).toEqual([call()]);
    expect(interpreted.assistantMessage).toEqual({ role: 'assistant', content: 'hi', toolCalls: [call()] });
    expect(protocol.resultMessages([{ call: call(), content: 'x', isError: true }])).toEqual([
      { role: 'tool', toolCallId: 'call_1', toolName: 'read_file', content: 'x', isError: true },
    ]);
  });
});

describe('hermes protocol', () => {
  const protocol = createToolProtocol('hermes');
  it('describes tools in the system prompt and sends none on the request', () => {
    const prompt = protocol.systemPrompt('base', tools);
    expect(prompt.startsWith('base\n\n# Tools')).toBe(true);
    expect(prompt).toMatch(/<tools>\n\{"type":"function","function":\{"name":"read_file".*\n<\/tools>/s);
    expect(prompt).toContain('<tool_call>');
    expect(protocol.requestTools(tools)).toBeUndefined();
  });

  it('parses calls from text with unique ids and keeps the text verbatim in history', () => {
    const text = 'Plan.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "b.ts"}}\n</tool_call>';
    const interpreted = protocol.interpret(stepResult({ text }), 4);
    expect(interpreted.calls).toEqual([
      expect.objectContaining({
        id: 'call_4_0',
        name: 'read_file',
        arguments: { path: 'b.ts' },
        origin: 'text-protocol',
      }),
    ]);
    expect(interpreted.text).toBe('Plan.');
    expect(interpreted.assistantMessage).toEqual({ role: 'assistant', content: text });
  });

  it('re-tags calls the client recovered from the text and writes them back in canonical form', () => {
    const recovered = call({ origin: 'recovered', format: 'hermes-json' });
    const interpreted = protocol.interpret(stepResult({ text: 'Plan.', toolCalls: [recovered] }), 0);
    expect(interpreted.calls).toEqual([{ ...recovered, origin: 'text-protocol' }]);
    expect(interpreted.assistantMessage.content).toBe(
      'Plan.\n<tool_call>\n{"name":"read_file","arguments":{"path":"a.ts"}}\n</tool_call>',
    );
  });

  it('returns results as one user message of tool_response blocks', () => {
    expect(
      protocol.resultMessages([
        { call: call(), content: 'one', isError: false },
        { call: call({ id: 'call_2' }), content: 'two', isError: true },
      ]),
    ).toEqual([
      {
        role: 'user',
        content: '<tool_response>\none\n</tool_response>\n<tool_response>\ntwo\n</tool_response>',
      },
    ]);
    expect(protocol.resultMessages([])).toEqual([]);
  });
});

describe('xml protocol', () => {
  const protocol = createToolProtocol('xml');
  it('describes tools as Qwen3-Coder XML functions', () => {
    const prompt = protocol.systemPrompt('base', tools);
    expect(prompt).toContain(
      '<function>\n<name>read_file</name>\n<description>Read a file.</description>\n<parameters>\n<parameter>\n<name>path</name>\n<type>string</type>\n<description>Relative path.</description>\n</parameter>',
    );
    expect(prompt).toContain('<required>["path"]</required>');
    expect(prompt).toContain('<function=example_function_name>');
  });

  it('parses XML calls and renders recovered ones back as XML', () => {
    const text =
      '<tool_call>\n<function=read_file>\n<parameter=path>\nc.ts\n</parameter>\n</function>\n</tool_call>';
    const interpreted = protocol.interpret(stepResult({ text }), 2);
    expect(interpreted.calls).toEqual([
      expect.objectContaining({
        id: 'call_2_0',
        name: 'read_file',
        format: 'qwen-xml',
        origin: 'text-protocol',
      }),
    ]);
    expect(interpreted.calls[0]!.arguments).toEqual({ path: 'c.ts' });
    const rendered = protocol.interpret(
      stepResult({ toolCalls: [call({ origin: 'recovered', arguments: { path: 'a.ts', offset: 3 } })] }),
      0,
    );
    expect(rendered.assistantMessage.content).toBe(
      '<tool_call>\n<function=read_file>\n<parameter=path>\na.ts\n</parameter>\n<parameter=offset>\n3\n</parameter>\n</function>\n</tool_call>',
    );
  });
});
