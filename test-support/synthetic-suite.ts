import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StepRequest } from '../src/providers/types.ts';
import { loadSuite } from '../src/task/load-suite.ts';
import type { Task } from '../src/task/task.ts';
import type { ScriptedStep } from './scripted-client.ts';
import { createScriptedClient, type ScriptedClient } from './scripted-client.ts';

/** The fixed source of every synthetic task: the bug is `-` where `+` belongs. */
export const BUGGY_SOURCE = "export function add(a, b) {\n  return a - b;\n}\nexport const name = 'calc';\n";
/** The fix a solving agent writes. */
export const FIXED_SOURCE = "export function add(a, b) {\n  return a + b;\n}\nexport const name = 'calc';\n";

const BASE_TEST = `import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { name } from '../src/calc.js';

describe('calc', () => {
  it('has a name', () => {
    assert.equal(name, 'calc');
  });
});
`;

const HIDDEN_TEST_LINES = [
  "import assert from 'node:assert/strict';",
  "import { describe, it } from 'node:test';",
  "import { add } from '../src/calc.js';",
  '',
  "describe('add', () => {",
  "  it('adds two numbers', () => {",
  '    assert.equal(add(2, 3), 5);',
  '  });',
  '});',
];

/**
 * Writes a suite of `count` tiny JavaScript tasks (node:test, JUnit report) into `directory` and loads it. Each
 * task's repository is a plain snapshot; the hidden test `add > adds two numbers` fails until `src/calc.js` adds.
 */
export async function writeSyntheticSuite(directory: string, count: number): Promise<Task[]> {
  const hiddenPatch = [
    'diff --git a/test/add.test.js b/test/add.test.js',
    'new file mode 100644',
    '--- /dev/null',
    '+++ b/test/add.test.js',
    `@@ -0,0 +1,${HIDDEN_TEST_LINES.length} @@`,
    ...HIDDEN_TEST_LINES.map((line) => `+${line}`),
    '',
  ].join('\n');
  const goldPatch = [
    'diff --git a/src/calc.js b/src/calc.js',
    '--- a/src/calc.js',
    '+++ b/src/calc.js',
    '@@ -1,3 +1,3 @@',
    ' export function add(a, b) {',
    '-  return a - b;',
    '+  return a + b;',
    ' }',
    '',
  ].join('\n');
  for (let index = 0; index < count; index++) {
    const id = `calc-task-${index}`;
    const taskDirectory = path.join(directory, id);
    await mkdir(path.join(taskDirectory, 'repo', 'src'), { recursive: true });
    await mkdir(path.join(taskDirectory, 'repo', 'test'), { recursive: true });
    await writeFile(path.join(taskDirectory, 'repo', 'package.json'), '{ "type": "module" }\n');
    await writeFile(path.join(taskDirectory, 'repo', 'src', 'calc.js'), BUGGY_SOURCE);
    await writeFile(path.join(taskDirectory, 'repo', 'test', 'base.test.js'), BASE_TEST);
    await writeFile(
      path.join(taskDirectory, 'task.yaml'),
      [
        `id: ${id}`,
        'repo: { path: repo }',
        'test_command: node --test --test-reporter=junit --test-reporter-destination=report.xml test/',
        'test_output: { format: junit-xml, path: report.xml }',
        'fail_to_pass: ["add > adds two numbers"]',
        'pass_to_pass: ["calc > has a name"]',
        '',
      ].join('\n'),
    );
    await writeFile(
      path.join(taskDirectory, 'instruction.md'),
      `Task ${id}: add(2, 3) returns -1. Make add add.\n`,
    );
    await writeFile(path.join(taskDirectory, 'gold.patch'), goldPatch);
    await writeFile(path.join(taskDirectory, 'tests.patch'), hiddenPatch);
  }
  const suite = await loadSuite(directory);
  if (suite.errors.length > 0) throw new Error(suite.errors.map((error) => error.message).join('\n'));
  return suite.tasks;
}

/** Deterministic pseudo-random choice: whether the scripted model solves attempt `attemptIndex` of `taskId`. */
export function solves(seed: string, taskId: string, attemptIndex: number, probability: number): boolean {
  const digest = createHash('sha256').update(`${seed}|${taskId}|${attemptIndex}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32 < probability;
}

/** A scripted agent that writes the fix and finishes (when `fix`), or finishes without changing anything. */
export function createCalcAgent(
  fix: boolean,
  options: { id?: string; latencyMs?: number } = {},
): ScriptedClient {
  return createScriptedClient(
    (request: StepRequest, index: number): ScriptedStep => {
      const instruction = request.messages.find((message) => message.role === 'user')?.content ?? '';
      if (!instruction.includes('Make add add'))
        throw new Error('scripted agent got an unexpected instruction');
      if (fix && index === 0) {
        return {
          toolCalls: [{ name: 'write_file', arguments: { path: 'src/calc.js', content: FIXED_SOURCE } }],
        };
      }
      return {
        toolCalls: [{ name: 'finish', arguments: { summary: fix ? 'fixed add' : 'looks fine to me' } }],
      };
    },
    { id: options.id ?? 'calc-agent', latencyMs: options.latencyMs ?? 0 },
  );
}
