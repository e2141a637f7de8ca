import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  makePatch,
  removeTemporaryDirectories,
  temporaryDirectory,
  writeFiles,
} from '../../test-support/task-fixture.ts';
import { loadSuite } from './load-suite.ts';
import { loadTask } from './load-task.ts';
import { TaskLoadError } from './task-load-error.ts';
import { taskYamlJsonSchema } from './task-schema.ts';

afterAll(removeTemporaryDirectories);

const validYaml = `id: fix-add
title: Fix add
repo: { path: repo }
language: python
test_command: pytest -rA
test_output: { format: pytest }
fail_to_pass: [tests/test_calc.py::test_add]
pass_to_pass: [tests/test_calc.py::test_sub]
limits: { max_steps: 30, command_timeout_seconds: 60 }
turns: [{ message: Now also handle floats. }]
constraints:
  - id: no-print
    description: Do not use print in calc.py
    check: { forbid_pattern: "print\\\\(", paths: ["*.py"] }
tags: [math]
difficulty: easy
`;

async function writeTask(directory: string, files: Record<string, string | null>): Promise<string> {
  await writeFiles(directory, {
    'task.yaml': validYaml,
    'instruction.md': 'Fix add.\n',
    'gold.patch': await makePatch({ 'calc.py': 'a\n' }, { 'calc.py': 'b\n' }),
    'tests.patch': await makePatch(
      { 'calc.py': 'a\n' },
      { 'tests/test_calc.py': 'x\n', 'tests/test_new.py': 'y\n' },
    ),
    'repo/calc.py': 'a\n',
    ...files,
  });
  return directory;
}

async function loadError(directory: string): Promise<string[]> {
  try {
    await loadTask(directory);
  } catch (error) {
    expect(error).toBeInstanceOf(TaskLoadError);
    return (error as TaskLoadError).message
      .split('\n')
      .slice(1)
      .map((line) => line.trim());
  }
  throw new Error('expected loadTask to fail');
}

describe('loadTask', () => {
  it('loads a valid task folder, resolving paths and deriving the test files', async () => {
    const directory = await writeTask(await temporaryDirectory(), {});
    const task = await loadTask(directory);
    expect(task).toMatchObject({
      id: 'fix-add',
      title: 'Fix add',
      directory,
      repository: { kind: 'directory', path: join(directory, 'repo') },
      baseCommit: null,
      setup: [],
      testOutput: { format: 'pytest' },
      failToPass: ['tests/test_calc.py::test_add'],
      testFiles: ['tests/test_calc.py', 'tests/test_new.py'],
      limits: { maxSteps: 30, commandTimeoutSeconds: 60 },
      turns: ['Now also handle floats.'],
      constraints: [
        { id: 'no-print', check: { kind: 'forbid-pattern', pattern: 'print\\(', paths: ['*.py'] } },
      ],
      difficulty: 'easy',
      instruction: 'Fix add.\n',
    });
    expect(task.testsPatch).toContain('+++ b/tests/test_new.py');
  });

  it('names the file and field of every problem', async () => {
    const directory = await writeTask(await temporaryDirectory(), {
      'task.yaml': `id: Fix_Add
repo: { path: repo }
test_command: ""
test_output: { format: xunit }
fail_to_pass: []
pass_to_pass: [42]
limits: { max_steps: 0, max_turns: 3 }
constraints:
  - { id: a, description: d, check: { forbid_pattern: "(", paths: ["*"] } }
`,
      'instruction.md': '  \n',
      'gold.patch': null,
    });
    expect(await loadError(directory)).toEqual([
      `gold.patch: file not found in ${directory}`,
      'task.yaml: id: must be kebab-case (lowercase letters, digits and single dashes)',
      'task.yaml: test_command: must not be empty',
      'task.yaml: test_output.format: must be one of: junit-xml, tap, pytest, vitest-json, jest-json, go-test-json, django, sympy',
      'task.yaml: fail_to_pass: must have at least 1 item',
      'task.yaml: pass_to_pass[0]: must be a string',
      'task.yaml: limits.max_steps: must be greater than 0',
      'task.yaml: limits: unknown field "max_turns"',
      'task.yaml: constraints[0].check.forbid_pattern: is not a valid regular expression',
      'instruction.md: is empty',
    ]);
  });

  it('checks the repository, cross-field rules, YAML syntax and patches', async () => {
    const missingRepository = await writeTask(await temporaryDirectory(), {
      'task.yaml': validYaml.replace('repo: { path: repo }', 'repo: { path: ../nowhere }'),
    });
    expect(await loadError(missingRepository)).toEqual([
      `task.yaml: repo.path: directory not found: ${join(missingRepository, '../nowhere')}`,
    ]);

    const gitWithoutBase = await writeTask(await temporaryDirectory(), {
      'task.yaml': validYaml
        .replace('repo: { path: repo }', 'repo: { git: "https://example.com/x.git" }')
        .replace(
          'pass_to_pass: [tests/test_calc.py::test_sub]',
          'pass_to_pass: [tests/test_calc.py::test_add]',
        ),
    });
    expect(await loadError(gitWithoutBase)).toEqual([
      'task.yaml: base_commit: is required when repo is a git repository',
      'task.yaml: pass_to_pass[0]: "tests/test_calc.py::test_add" is also in fail_to_pass',
    ]);

    const badYaml = await writeTask(await temporaryDirectory(), {
      'task.yaml': 'id: [unclosed\n',
      'tests.patch': 'not a diff\n',
    });
    const problems = await loadError(badYaml);
    expect(problems[0]).toMatch(/^task\.yaml: invalid YAML: /);
    expect(problems.at(-1)).toBe('tests.patch: touches no files (expected a unified diff)');

    const unsafe = await writeTask(await temporaryDirectory(), {
      'tests.patch': '--- a/../etc/passwd\n+++ b/../etc/passwd\n@@ -1 +1 @@\n-a\n+b\n',
    });
    expect(await loadError(unsafe)).toEqual([
      'tests.patch: unsafe path "../etc/passwd" (must stay inside the repository)',
    ]);
  });
});

describe('loadSuite', () => {
  it('loads every task folder in order and aggregates all errors', async () => {
    const suite = await temporaryDirectory();
    await writeTask(join(suite, 'b-task'), {});
    await writeTask(join(suite, 'a-task'), { 'task.yaml': validYaml.replace('id: fix-add', 'id: first') });
    await writeTask(join(suite, 'c-broken'), {
      'task.yaml': validYaml.replace('fail_to_pass: [tests/test_calc.py::test_add]', ''),
    });
    await writeTask(join(suite, 'd-duplicate'), {});
    await writeTask(join(suite, 'e-broken'), { 'instruction.md': null });
    await mkdir(join(suite, '_repos', 'x'), { recursive: true });
    await writeFile(join(suite, '_repos', 'task.yaml'), 'ignored: true\n');
    await mkdir(join(suite, 'notes'));

    const result = await loadSuite(suite);
    expect(result.tasks.map((task) => task.id)).toEqual(['first', 'fix-add']);
    expect(
      result.errors.map((error) => [
        error.directory,
        error.issues.map((issue) => `${issue.file}: ${issue.field}: ${issue.message}`),
      ]),
    ).toEqual([
      [join(suite, 'c-broken'), ['task.yaml: fail_to_pass: is required']],
      [join(suite, 'd-duplicate'), [`task.yaml: id: "fix-add" is already used by ${join(suite, 'b-task')}`]],
      [join(suite, 'e-broken'), [`instruction.md: : file not found in ${join(suite, 'e-broken')}`]],
    ]);
  });
});

describe('taskYamlJsonSchema', () => {
  it('describes task.yaml for editors', () => {
    const schema = taskYamlJsonSchema() as {
      required: string[];
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(schema.required).toEqual(
      expect.arrayContaining(['id', 'repo', 'test_command', 'test_output', 'fail_to_pass']),
    );
    expect(schema.required).not.toContain('pass_to_pass');
    expect(Object.keys(schema.properties)).toContain('constraints');
    expect(schema.additionalProperties).toBe(false);
  });
});
