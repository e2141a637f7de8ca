import type { Message, ToolCall } from '../providers/types.ts';
import {
  allCalls,
  describeCall,
  expectSingleCall,
  finalText,
  normalizePath,
  type ToolCase,
  type ToolCaseAnswer,
  type ToolCaseVerdict,
} from './tool-case.ts';

function user(content: string): Message[] {
  return [{ role: 'user', content }];
}

function mustEqual(name: string, actual: unknown, expected: unknown): string | null {
  return actual === expected ? null : `${name} should be ${JSON.stringify(expected)}`;
}

/** Passes a text answer without any tool call. */
function expectNoCall(answer: ToolCaseAnswer, mustMention: RegExp): ToolCaseVerdict {
  const calls = allCalls(answer);
  if (calls.length > 0) return { passed: false, reason: `unneeded call: ${describeCall(calls[0])}` };
  const text = finalText(answer);
  if (text.length === 0) return { passed: false, reason: 'empty answer' };
  if (!mustMention.test(text)) return { passed: false, reason: `answer does not mention ${mustMention}` };
  return { passed: true, reason: 'answered without tools' };
}

const MUTATING_TOOLS = new Set(['edit_file', 'write_file', 'run_command']);

/** Passes a clarifying question; fails any call that changes something with an invented value. */
function expectClarification(answer: ToolCaseAnswer): ToolCaseVerdict {
  const mutating = allCalls(answer).find((call) => MUTATING_TOOLS.has(call.name));
  if (mutating)
    return { passed: false, reason: `invented a value instead of asking: ${describeCall(mutating)}` };
  const calls = allCalls(answer);
  const text = finalText(answer);
  if (calls.length === 0 && text.length === 0) return { passed: false, reason: 'empty answer' };
  if (calls.length > 0) return { passed: true, reason: `looked before acting: ${describeCall(calls[0])}` };
  return { passed: true, reason: text.includes('?') ? 'asked for the missing value' : 'did not guess' };
}

/**
 * Parallel reads: every expected path read with valid read_file calls; parallel when all came in one turn.
 * Consecutive turns pass too, but are reported as not parallel.
 */
function expectReads(answer: ToolCaseAnswer, paths: string[]): ToolCaseVerdict {
  const calls = allCalls(answer);
  const invalid = calls.find((call) => call.validity !== 'valid');
  if (invalid) return { passed: false, reason: `invalid call: ${describeCall(invalid)}` };
  const read = new Set(
    calls.filter((call) => call.name === 'read_file').map((call) => normalizePath(call.arguments.path)),
  );
  const missing = paths.filter((path) => !read.has(path));
  if (missing.length > 0) {
    return {
      passed: false,
      reason: calls.length === 0 ? 'no tool call' : `did not read ${missing.join(', ')}`,
      parallel: false,
    };
  }
  const firstTurnReads = new Set(
    (answer.calls[0] ?? [])
      .filter((call) => call.name === 'read_file')
      .map((call) => normalizePath(call.arguments.path)),
  );
  const parallel = paths.every((path) => firstTurnReads.has(path));
  return { passed: true, reason: parallel ? 'both read in one turn' : 'read in consecutive turns', parallel };
}

function readsPending(paths: string[]) {
  return (answer: ToolCaseAnswer): boolean => {
    const read = new Set(
      allCalls(answer)
        .filter((call) => call.name === 'read_file' && call.validity === 'valid')
        .map((call) => normalizePath(call.arguments.path)),
    );
    return read.size > 0 && paths.some((path) => !read.has(path));
  };
}

function fakeFileContent(call: ToolCall): string {
  const path = normalizePath(call.arguments.path) ?? 'file';
  return `1\t// ${path}\n2\texport const name = ${JSON.stringify(path)};\n`;
}

/** An assistant turn that already called a tool, followed by the tool's result. */
function priorCall(name: string, args: Record<string, unknown>, result: string): Message[] {
  const id = 'call_prior_1';
  return [
    {
      role: 'assistant',
      content: '',
      toolCalls: [
        {
          id,
          name,
          arguments: args,
          rawArguments: JSON.stringify(args),
          origin: 'server-parsed',
          format: 'native',
        },
      ],
    },
    { role: 'tool', toolCallId: id, toolName: name, content: result },
  ];
}

/**
 * The tool-calling cases, BFCL-like, written for the agent's own tools. Every case's first user message is unique,
 * which lets simulated models recognize it.
 */
export const TOOL_CASES: readonly ToolCase[] = [
  {
    id: 'read-line-range',
    category: 'right-tool',
    description: 'A line range of a file → read_file with path and range',
    messages: user('Show me lines 10-20 of src/app.ts.'),
    maxTurns: 1,
    check: (answer) =>
      expectSingleCall(answer, 'read_file', (args) => {
        return (
          mustEqual('path', normalizePath(args.path), 'src/app.ts') ??
          mustEqual('start_line', args.start_line, 10) ??
          mustEqual('end_line', args.end_line, 20)
        );
      }),
    reference: {
      toolCalls: [{ name: 'read_file', arguments: { path: 'src/app.ts', start_line: 10, end_line: 20 } }],
    },
  },
  {
    id: 'search-usages',
    category: 'right-tool',
    description: 'Find usages of a symbol → search',
    messages: user('Find every place in the codebase where the function parseConfig is used.'),
    maxTurns: 1,
    check: (answer) =>
      expectSingleCall(answer, 'search', (args) =>
        String(args.pattern).includes('parseConfig') ? null : 'pattern should contain parseConfig',
      ),
    reference: { toolCalls: [{ name: 'search', arguments: { pattern: 'parseConfig' } }] },
  },
  {
    id: 'list-directory',
    category: 'right-tool',
    description: 'Directory contents → list_files',
    messages: user('Which files are in the src/utils directory?'),
    maxTurns: 1,
    check: (answer) =>
      expectSingleCall(answer, 'list_files', (args) =>
        mustEqual('path', normalizePath(args.path), 'src/utils'),
      ),
    reference: { toolCalls: [{ name: 'list_files', arguments: { path: 'src/utils' } }] },
  },
  {
    id: 'create-file',
    category: 'right-tool',
    description: 'A new file with given content → write_file',
    messages: user('Create a new file docs/CHANGELOG.md whose content is the single line "# Changelog".'),
    maxTurns: 1,
    check: (answer) =>
      expectSingleCall(
        answer,
        'write_file',
        (args) =>
          mustEqual('path', normalizePath(args.path), 'docs/CHANGELOG.md') ??
          (String(args.content).includes('# Changelog') ? null : 'content should contain "# Changelog"'),
      ),
    reference: {
      toolCalls: [{ name: 'write_file', arguments: { path: 'docs/CHANGELOG.md', content: '# Changelog\n' } }],
    },
  },
  {
    id: 'integer-start-line',
    category: 'valid-arguments',
    description: 'An integer argument and a required path (read_file from line 5)',
    messages: user('Read package.json starting at line 5.'),
    maxTurns: 1,
    check: (answer) =>
      expectSingleCall(
        answer,
        'read_file',
        (args) =>
          mustEqual('path', normalizePath(args.path), 'package.json') ??
          mustEqual('start_line', args.start_line, 5),
      ),
    reference: { toolCalls: [{ name: 'read_file', arguments: { path: 'package.json', start_line: 5 } }] },
  },
  {
    id: 'command-with-timeout',
    category: 'valid-arguments',
    description: 'A command with an integer timeout → run_command {command, timeout_seconds}',
    messages: user('Run the test suite with `npm test -- --runInBand`, with a timeout of 120 seconds.'),
    maxTurns: 1,
    check: (answer) =>
      expectSingleCall(
        answer,
        'run_command',
        (args) =>
          (String(args.command).includes('npm test') ? null : 'command should run npm test') ??
          mustEqual('timeout_seconds', args.timeout_seconds, 120),
      ),
    reference: {
      toolCalls: [
        { name: 'run_command', arguments: { command: 'npm test -- --runInBand', timeout_seconds: 120 } },
      ],
    },
  },
  {
    id: 'http-404',
    category: 'no-call',
    description: 'General knowledge → text answer, no call',
    messages: user('What does the HTTP status code 404 mean?'),
    maxTurns: 1,
    check: (answer) => expectNoCall(answer, /not found/i),
    reference: { text: '404 Not Found: the server cannot find the requested resource.' },
  },
  {
    id: 'let-versus-const',
    category: 'no-call',
    description: 'A language question → text answer, no call',
    messages: user('In one sentence: what is the difference between let and const in JavaScript?'),
    maxTurns: 1,
    check: (answer) => expectNoCall(answer, /const/i),
    reference: {
      text: 'A const binding cannot be reassigned after initialization, while a let binding can.',
    },
  },
  {
    id: 'explain-rebase',
    category: 'no-call',
    description: 'A git concept → text answer, no call',
    messages: user('Briefly explain what git rebase does. No need to look at the repository.'),
    maxTurns: 1,
    check: (answer) => expectNoCall(answer, /commit/i),
    reference: {
      text: 'git rebase replays your commits on top of another base commit, rewriting their history.',
    },
  },
  {
    id: 'save-without-name',
    category: 'missing-parameter',
    description: 'Save a snippet without a file name → ask which file, never invent a path',
    messages: user('Save this snippet to a file for me: `export const retries = 3;`'),
    maxTurns: 1,
    check: expectClarification,
    reference: { text: 'Which file should I save it to?' },
  },
  {
    id: 'update-key-without-value',
    category: 'missing-parameter',
    description: 'Replace a value the user never gave → ask for it, never invent one',
    messages: user('Replace the API key in src/config.ts with the new key I was given.'),
    maxTurns: 1,
    check: expectClarification,
    reference: { text: 'What is the new API key?' },
  },
  {
    id: 'read-two-files',
    category: 'parallel',
    description: 'Two independent reads → two read_file calls in one turn',
    messages: user('Read both src/a.ts and src/b.ts.'),
    maxTurns: 2,
    shouldContinue: readsPending(['src/a.ts', 'src/b.ts']),
    toolResult: fakeFileContent,
    check: (answer) => expectReads(answer, ['src/a.ts', 'src/b.ts']),
    reference: {
      toolCalls: [
        { name: 'read_file', arguments: { path: 'src/a.ts' } },
        { name: 'read_file', arguments: { path: 'src/b.ts' } },
      ],
    },
  },
  {
    id: 'read-two-configs',
    category: 'parallel',
    description: 'Two config files → two read_file calls in one turn',
    messages: user('Show me the contents of package.json and tsconfig.json.'),
    maxTurns: 2,
    shouldContinue: readsPending(['package.json', 'tsconfig.json']),
    toolResult: fakeFileContent,
    check: (answer) => expectReads(answer, ['package.json', 'tsconfig.json']),
    reference: {
      toolCalls: [
        { name: 'read_file', arguments: { path: 'package.json' } },
        { name: 'read_file', arguments: { path: 'tsconfig.json' } },
      ],
    },
  },
  {
    id: 'search-then-read',
    category: 'continuation',
    description: 'A search result names the file → the next call reads that file',
    messages: [
      ...user('Where is the function refreshToken defined? Show me its code.'),
      ...priorCall(
        'search',
        { pattern: 'function refreshToken' },
        'src/auth/session.ts:42:export function refreshToken(token: string): Promise<string> {',
      ),
    ],
    maxTurns: 1,
    check: (answer) =>
      expectSingleCall(answer, 'read_file', (args) => {
        const problem = mustEqual('path', normalizePath(args.path), 'src/auth/session.ts');
        if (problem) return problem;
        const start = typeof args.start_line === 'number' ? args.start_line : 1;
        const end = typeof args.end_line === 'number' ? args.end_line : Number.POSITIVE_INFINITY;
        return start <= 42 && end >= 42 ? null : 'the range should include line 42';
      }),
    reference: {
      toolCalls: [
        { name: 'read_file', arguments: { path: 'src/auth/session.ts', start_line: 35, end_line: 80 } },
      ],
    },
  },
  {
    id: 'test-failure-then-source',
    category: 'continuation',
    description: 'A failing test output → the next call inspects or edits the failing source',
    messages: [
      ...user('Run the tests and fix the first failure.'),
      ...priorCall(
        'run_command',
        { command: 'npm test' },
        [
          'FAIL src/math.test.ts > add > adds negative numbers',
          'AssertionError: expected -1 to be -3',
          ' ❯ src/math.test.ts:12:22',
          ' ❯ add src/math.ts:3:10',
          'Tests: 1 failed, 14 passed',
          'exit code 1',
        ].join('\n'),
      ),
    ],
    maxTurns: 1,
    check: (answer) => {
      const calls = allCalls(answer);
      if (calls.length === 0) return { passed: false, reason: 'no tool call after the tool result' };
      const [call] = calls;
      if (call.validity !== 'valid') return { passed: false, reason: `invalid call: ${describeCall(call)}` };
      const path = normalizePath(call.arguments.path);
      const usesResult =
        ['read_file', 'edit_file'].includes(call.name) &&
        (path === 'src/math.ts' || path === 'src/math.test.ts');
      return usesResult
        ? { passed: true, reason: describeCall(call) }
        : { passed: false, reason: `did not follow the failure to src/math.ts: ${describeCall(call)}` };
    },
    reference: { toolCalls: [{ name: 'read_file', arguments: { path: 'src/math.ts' } }] },
  },
  {
    id: 'install-package',
    category: 'command-or-edit',
    description: 'Installing a dependency → run_command, not editing package.json',
    messages: user('Install the lodash package with npm.'),
    maxTurns: 1,
    check: (answer) =>
      expectSingleCall(answer, 'run_command', (args) =>
        /\bnpm\s+(install|i|add)\b.*\blodash\b/.test(String(args.command))
          ? null
          : 'should npm install lodash',
      ),
    reference: { toolCalls: [{ name: 'run_command', arguments: { command: 'npm install lodash' } }] },
  },
  {
    id: 'change-port',
    category: 'command-or-edit',
    description: 'Changing one line → edit_file, not a sed command or a full rewrite',
    messages: user('In src/server.ts, change `const port = 3000;` to `const port = 8080;`.'),
    maxTurns: 1,
    check: (answer) =>
      expectSingleCall(
        answer,
        'edit_file',
        (args) =>
          mustEqual('path', normalizePath(args.path), 'src/server.ts') ??
          (String(args.old_string).includes('3000') && String(args.new_string).includes('8080')
            ? null
            : 'should replace 3000 with 8080'),
      ),
    reference: {
      toolCalls: [
        {
          name: 'edit_file',
          arguments: {
            path: 'src/server.ts',
            old_string: 'const port = 3000;',
            new_string: 'const port = 8080;',
          },
        },
      ],
    },
  },
  {
    id: 'git-status',
    category: 'command-or-edit',
    description: 'Checking repository state → run_command git status',
    messages: user('Which files have uncommitted changes in this git repository?'),
    maxTurns: 1,
    check: (answer) =>
      expectSingleCall(answer, 'run_command', (args) =>
        /\bgit\s+(status|diff)\b/.test(String(args.command)) ? null : 'should run git status or git diff',
      ),
    reference: { toolCalls: [{ name: 'run_command', arguments: { command: 'git status --short' } }] },
  },
];
