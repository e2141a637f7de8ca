import { describe, expect, it } from 'vitest';
import { extractToolCallsFromText, normalizeAssistantOutput, splitThinking } from './tool-call-recovery.ts';
import type { ToolCall } from './types.ts';

interface RecoveryCase {
  name: string;
  text: string;
  reasoning?: string;
  knownTools?: string[];
  expectedCalls: Array<Partial<ToolCall>>;
  expectedText: string;
  expectedReasoning?: string;
  expectedIssueKinds: string[];
}

const cases: RecoveryCase[] = [
  {
    name: 'plain answer is untouched',
    text: 'The bug is in parse() — it ignores the trailing newline.\n',
    expectedCalls: [],
    expectedText: 'The bug is in parse() — it ignores the trailing newline.\n',
    expectedIssueKinds: [],
  },
  {
    name: 'Hermes JSON in content',
    text: 'Let me look at the file.\n\n<tool_call>\n{"name": "read_file", "arguments": {"path": "src/app.py"}}\n</tool_call>',
    expectedCalls: [
      {
        id: 'call_recovered_0',
        name: 'read_file',
        arguments: { path: 'src/app.py' },
        format: 'hermes-json',
        origin: 'recovered',
        recoveredFrom: 'content',
      },
    ],
    expectedText: 'Let me look at the file.',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'Hermes JSON with "parameters" and a trailing comma',
    text: '<tool_call>\n{"name": "bash", "parameters": {"command": "pytest -x",},}\n</tool_call>',
    expectedCalls: [{ name: 'bash', arguments: { command: 'pytest -x' }, format: 'hermes-json' }],
    expectedText: '',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'Hermes JSON with arguments as a JSON string',
    text: '<tool_call>{"name": "read_file", "arguments": "{\\"path\\": \\"README.md\\"}"}</tool_call>',
    expectedCalls: [
      { name: 'read_file', arguments: { path: 'README.md' }, rawArguments: '{"path": "README.md"}' },
    ],
    expectedText: '',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'Hermes JSON in a code fence inside the tags',
    text: '<tool_call>\n```json\n{"name": "list_files", "arguments": {"path": "."}}\n```\n</tool_call>',
    expectedCalls: [{ name: 'list_files', arguments: { path: '.' } }],
    expectedText: '',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'several Hermes calls',
    text: '<tool_call>\n{"name": "read_file", "arguments": {"path": "a.py"}}\n</tool_call>\n<tool_call>\n{"name": "read_file", "arguments": {"path": "b.py"}}\n</tool_call>',
    expectedCalls: [
      { id: 'call_recovered_0', arguments: { path: 'a.py' } },
      { id: 'call_recovered_1', arguments: { path: 'b.py' } },
    ],
    expectedText: '',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'unterminated Hermes JSON (output cut off)',
    text: 'Writing the fix.\n<tool_call>\n{"name": "write_file", "arguments": {"path": "app.py", "content": "def f(x):\\n    return',
    expectedCalls: [
      { name: 'write_file', arguments: {}, argumentsError: expect.stringContaining('not terminated') },
    ],
    expectedText: 'Writing the fix.',
    expectedIssueKinds: ['leaked-tool-call', 'malformed-arguments'],
  },
  {
    name: 'Qwen3-Coder XML with closing tags',
    text: "I'll run the tests.\n\n<tool_call>\n<function=bash>\n<parameter=command>\npytest tests/test_parser.py -q\n</parameter>\n<parameter=timeout>\n120\n</parameter>\n</function>\n</tool_call>",
    expectedCalls: [
      {
        name: 'bash',
        arguments: { command: 'pytest tests/test_parser.py -q', timeout: 120 },
        format: 'qwen-xml',
        recoveredFrom: 'content',
      },
    ],
    expectedText: "I'll run the tests.",
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'Qwen XML keeps multi-line code as a string, stripping one newline each side',
    text: '<tool_call>\n<function=write_file>\n<parameter=path>\nsrc/util.py\n</parameter>\n<parameter=content>\n\ndef add(a, b):\n    return a + b\n\n</parameter>\n</function>\n</tool_call>',
    expectedCalls: [
      {
        name: 'write_file',
        arguments: { path: 'src/util.py', content: '\ndef add(a, b):\n    return a + b\n' },
      },
    ],
    expectedText: '',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'Qwen XML parses JSON values (booleans, arrays, objects)',
    text: '<tool_call>\n<function=search>\n<parameter=pattern>\nTODO\n</parameter>\n<parameter=case_sensitive>\nfalse\n</parameter>\n<parameter=globs>\n["*.py", "*.ts"]\n</parameter>\n<parameter=options>\n{"max": 5}\n</parameter>\n</function>\n</tool_call>',
    expectedCalls: [
      {
        name: 'search',
        arguments: { pattern: 'TODO', case_sensitive: false, globs: ['*.py', '*.ts'], options: { max: 5 } },
      },
    ],
    expectedText: '',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'Qwen XML without the opening <tool_call>',
    text: 'Now I will read it.\n<function=read_file>\n<parameter=path>\nlib/core.js\n</parameter>\n</function>\n</tool_call>',
    expectedCalls: [{ name: 'read_file', arguments: { path: 'lib/core.js' }, format: 'qwen-xml' }],
    expectedText: 'Now I will read it.',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'Qwen XML without closing tags at the end of text',
    text: '<tool_call>\n<function=bash>\n<parameter=command>\nls -la\n',
    expectedCalls: [{ name: 'bash', arguments: { command: 'ls -la' } }],
    expectedText: '',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'Qwen XML with a missing </parameter> between parameters',
    text: '<function=edit_file>\n<parameter=path>\na.py\n<parameter=old>\nx = 1\n</parameter>\n</function>',
    expectedCalls: [{ name: 'edit_file', arguments: { path: 'a.py', old: 'x = 1' } }],
    expectedText: '',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'two Qwen XML calls',
    text: '<tool_call>\n<function=read_file>\n<parameter=path>\na.py\n</parameter>\n</function>\n</tool_call>\n<tool_call>\n<function=read_file>\n<parameter=path>\nb.py\n</parameter>\n</function>\n</tool_call>',
    expectedCalls: [{ arguments: { path: 'a.py' } }, { arguments: { path: 'b.py' } }],
    expectedText: '',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'unknown XML function is still recovered when knownTools is given',
    text: '<tool_call>\n<function=run_tests>\n<parameter=path>\ntests\n</parameter>\n</function>\n</tool_call>',
    knownTools: ['bash', 'read_file'],
    expectedCalls: [{ name: 'run_tests', arguments: { path: 'tests' } }],
    expectedText: '',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'prose mentioning <tool_call> in inline code is not a call',
    text: 'The parser looks for `<tool_call>{"name": "x", "arguments": {}}</tool_call>` blocks in the output.',
    knownTools: ['x'],
    expectedCalls: [],
    expectedText:
      'The parser looks for `<tool_call>{"name": "x", "arguments": {}}</tool_call>` blocks in the output.',
    expectedIssueKinds: [],
  },
  {
    name: 'prose mentioning a bare <tool_call> tag is not a call',
    text: 'Wrap each call in a <tool_call> tag, then stop.',
    expectedCalls: [],
    expectedText: 'Wrap each call in a <tool_call> tag, then stop.',
    expectedIssueKinds: [],
  },
  {
    name: '<think> block moves to reasoning',
    text: '<think>\nThe user wants a summary.\n</think>\n\nHere is the summary.',
    expectedCalls: [],
    expectedText: 'Here is the summary.',
    expectedReasoning: 'The user wants a summary.',
    expectedIssueKinds: [],
  },
  {
    name: 'only a closing </think>: what comes before is reasoning',
    text: 'I should check the tests first.\n</think>\n\nDone.',
    expectedCalls: [],
    expectedText: 'Done.',
    expectedReasoning: 'I should check the tests first.',
    expectedIssueKinds: [],
  },
  {
    name: 'Qwen XML inside <think> is recovered from reasoning',
    text: '<think>\nI need to see the file.\n\n<tool_call>\n<function=read_file>\n<parameter=path>\nsrc/main.rs\n</parameter>\n</function>\n</tool_call>\n</think>\n\n',
    expectedCalls: [{ name: 'read_file', arguments: { path: 'src/main.rs' }, recoveredFrom: 'reasoning' }],
    expectedText: '',
    expectedReasoning: 'I need to see the file.',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'Qwen XML after a lone </think>',
    text: 'Let me list files.\n</think>\n\nListing.\n\n<tool_call>\n<function=bash>\n<parameter=command>\nls\n</parameter>\n</function>\n</tool_call>',
    expectedCalls: [{ name: 'bash', arguments: { command: 'ls' }, recoveredFrom: 'content' }],
    expectedText: 'Listing.',
    expectedReasoning: 'Let me list files.',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'Hermes JSON in the reasoning field',
    text: '',
    reasoning:
      'The test fails on empty input.\n\n<tool_call>\n{"name":"read_file","arguments":{"path":"parser.py"}}\n</tool_call>',
    expectedCalls: [{ name: 'read_file', arguments: { path: 'parser.py' }, recoveredFrom: 'reasoning' }],
    expectedText: '',
    expectedReasoning: 'The test fails on empty input.',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'bare JSON call for a known tool',
    text: '```json\n{"name": "bash", "arguments": {"command": "make test"}}\n```',
    knownTools: ['bash'],
    expectedCalls: [{ name: 'bash', arguments: { command: 'make test' }, format: 'hermes-json' }],
    expectedText: '',
    expectedIssueKinds: ['leaked-tool-call'],
  },
  {
    name: 'bare JSON naming an unknown tool stays text',
    text: '{"name": "Alice", "arguments": {"age": 3}}',
    knownTools: ['bash'],
    expectedCalls: [],
    expectedText: '{"name": "Alice", "arguments": {"age": 3}}',
    expectedIssueKinds: [],
  },
];

describe('normalizeAssistantOutput', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const result = normalizeAssistantOutput(
        { text: testCase.text, reasoning: testCase.reasoning ?? '', toolCalls: [] },
        { knownTools: testCase.knownTools },
      );
      expect(result.toolCalls).toHaveLength(testCase.expectedCalls.length);
      testCase.expectedCalls.forEach((expected, index) => {
        expect(result.toolCalls[index]).toMatchObject({ origin: 'recovered', ...expected });
      });
      expect(result.text).toBe(testCase.expectedText);
      if (testCase.expectedReasoning !== undefined) expect(result.reasoning).toBe(testCase.expectedReasoning);
      expect([...new Set(result.issues.map((issue) => issue.kind))]).toEqual(testCase.expectedIssueKinds);
    });
  }

  it('keeps server-parsed calls first and untouched, and numbers recovered ids across reasoning and content', () => {
    const native: ToolCall = {
      id: 'call_abc',
      name: 'bash',
      arguments: { command: 'ls' },
      rawArguments: '{"command":"ls"}',
      origin: 'server-parsed',
      format: 'native',
    };
    const result = normalizeAssistantOutput({
      text: '<tool_call>\n{"name": "read_file", "arguments": {"path": "b"}}\n</tool_call>',
      reasoning: '<tool_call>\n{"name": "read_file", "arguments": {"path": "a"}}\n</tool_call>',
      toolCalls: [native],
    });
    expect(result.toolCalls.map((call) => call.id)).toEqual([
      'call_abc',
      'call_recovered_0',
      'call_recovered_1',
    ]);
    expect(result.toolCalls[0]).toBe(native);
    expect(result.toolCalls[1].recoveredFrom).toBe('reasoning');
    expect(result.toolCalls[2].recoveredFrom).toBe('content');
  });

  it('drops a leaked copy of a call the server already parsed', () => {
    const native: ToolCall = {
      id: 'call_1',
      name: 'bash',
      arguments: { command: 'ls' },
      rawArguments: '{"command":"ls"}',
      origin: 'server-parsed',
      format: 'native',
    };
    const result = normalizeAssistantOutput({
      text: '<tool_call>\n<function=bash>\n<parameter=command>\nls\n</parameter>\n</function>\n</tool_call>',
      reasoning: '',
      toolCalls: [native],
    });
    expect(result.toolCalls).toEqual([native]);
    expect(result.text).toBe('');
  });

  it('says how many calls were recovered', () => {
    const result = normalizeAssistantOutput({
      text: '<function=a>\n</function>\n<function=b>\n</function>',
      reasoning: '',
      toolCalls: [],
    });
    expect(result.issues.find((issue) => issue.kind === 'leaked-tool-call')?.message).toMatch(
      /recovered 2 tool calls/,
    );
  });

  it('leaves already-separated reasoning untouched when nothing leaked', () => {
    const result = normalizeAssistantOutput({ text: 'Answer', reasoning: '  thinking\n', toolCalls: [] });
    expect(result).toEqual({ text: 'Answer', reasoning: '  thinking\n', toolCalls: [], issues: [] });
  });
});

describe('extractToolCallsFromText', () => {
  it('returns calls, the remaining text and errors', () => {
    const extraction = extractToolCallsFromText(
      'Plan:\n<tool_call>\n{"name": "read_file", "arguments": {"path": "x"}}\n</tool_call>\nthen more',
    );
    expect(extraction.calls).toHaveLength(1);
    expect(extraction.remainingText).toBe('Plan:\n\nthen more');
    expect(extraction.errors).toEqual([]);
  });

  it('reports JSON that has no readable name as an error, not a call', () => {
    const extraction = extractToolCallsFromText('<tool_call>\n{"arguments": {"path": "x"}}\n</tool_call>');
    expect(extraction.calls).toEqual([]);
    expect(extraction.errors).toEqual(['tool call JSON has no "name"']);
  });

  it('reports malformed JSON with a name as a call with argumentsError', () => {
    const extraction = extractToolCallsFromText(
      '<tool_call>{"name": "bash", "arguments": {command: ls}}</tool_call>',
    );
    expect(extraction.calls[0]).toMatchObject({ name: 'bash', arguments: {} });
    expect(extraction.calls[0].argumentsError).toMatch(/malformed/);
  });

  it('marks a non-object arguments value as an error', () => {
    const extraction = extractToolCallsFromText(
      '<tool_call>{"name": "bash", "arguments": [1, 2]}</tool_call>',
    );
    expect(extraction.calls[0].argumentsError).toBe('arguments are not a JSON object');
  });

  it('accepts an id offset and a source', () => {
    const extraction = extractToolCallsFromText('<function=bash>\n</function>', {
      firstIndex: 4,
      source: 'reasoning',
    });
    expect(extraction.calls[0]).toMatchObject({ id: 'call_recovered_4', recoveredFrom: 'reasoning' });
  });
});

describe('splitThinking', () => {
  it('treats an unclosed <think> as reasoning to the end', () => {
    expect(splitThinking('Hi <think>still thinking')).toEqual({ text: 'Hi', reasoning: 'still thinking' });
  });

  it('joins several think blocks', () => {
    expect(splitThinking('<think>a</think>x<think>b</think>y')).toEqual({ text: 'xy', reasoning: 'a\n\nb' });
  });
});
