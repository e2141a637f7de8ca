import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyToWorkspace,
  createTaskFolder,
  createWorkspace,
  type FileSet,
  removeTemporaryDirectories,
  writeFiles,
} from '../../test-support/task-fixture.ts';
import { createSandbox } from '../sandbox/index.ts';
import { gradeAttempt } from './grade.ts';
import { loadTask } from './load-task.ts';
import type { Task } from './task.ts';

afterAll(removeTemporaryDirectories);

const pythonBase: FileSet = {
  'calc.py': 'def add(a, b):\n    return a - b\n\n\ndef sub(a, b):\n    return a - b\n',
  'tests/__init__.py': '',
  'tests/test_calc.py': 'from calc import sub\n\n\ndef test_sub():\n    assert sub(5, 3) == 2\n',
  'tests/test_other.py': 'def test_truth():\n    assert True\n',
};
const pythonGold: FileSet = {
  'calc.py': 'def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n',
};
const pythonTests: FileSet = {
  'tests/test_calc.py':
    'from calc import add, sub\n\n\ndef test_sub():\n    assert sub(5, 3) == 2\n\n\ndef test_add():\n    assert add(2, 3) == 5\n',
  'tests/test_more.py': 'from calc import add\n\n\ndef test_add_negative():\n    assert add(-2, -3) == -5\n',
};
const pythonYaml = {
  id: 'fix-add',
  test_command: 'python3 -m pytest -rA -p no:cacheprovider tests',
  test_output: { format: 'pytest' },
  fail_to_pass: ['tests/test_calc.py::test_add', 'tests/test_more.py::test_add_negative'],
  pass_to_pass: ['tests/test_calc.py::test_sub', 'tests/test_other.py::test_truth'],
};

async function pythonTask(yaml: Record<string, unknown> = {}, tests: FileSet = pythonTests): Promise<Task> {
  return loadTask(
    await createTaskFolder({
      base: pythonBase,
      gold: pythonGold,
      tests,
      yaml: { ...pythonYaml, ...yaml },
      repositoryKind: 'snapshot',
    }),
  );
}

async function grade(task: Task, workspace: string, testTimeoutMs = 60_000) {
  return gradeAttempt({
    task,
    workspaceDir: workspace,
    sandbox: await createSandbox(workspace, { backend: 'none', onWarning: () => {} }),
    testTimeoutMs,
  });
}

describe('gradeAttempt with a pytest task', () => {
  it('resolves the gold patch', async () => {
    const task = await pythonTask();
    const workspace = await createWorkspace(pythonBase);
    await applyToWorkspace(workspace, task.goldPatch);
    const result = await grade(task, workspace);
    expect(result.reason).toBeUndefined();
    expect(result.status).toBe('resolved');
    expect(result.partialScore).toBe(1);
    expect(result.failToPass.map((test) => [test.id, test.status, test.found])).toEqual([
      ['tests/test_calc.py::test_add', 'passed', true],
      ['tests/test_more.py::test_add_negative', 'passed', true],
    ]);
    expect(result.passToPass.every((test) => test.status === 'passed')).toBe(true);
    expect(result.testOutputTail).toContain('short test summary info');
  });

  it('does not resolve the untouched base', async () => {
    const task = await pythonTask();
    const result = await grade(task, await createWorkspace(pythonBase));
    expect(result.status).toBe('unresolved');
    expect(result.partialScore).toBe(0);
    expect(result.failToPass.map((test) => test.status)).toEqual(['failed', 'failed']);
    expect(result.passToPass.map((test) => test.status)).toEqual(['passed', 'passed']);
    expect(result.reason).toContain('FAIL_TO_PASS not passing: tests/test_calc.py::test_add (failed)');
  });

  it('gives partial credit', async () => {
    const task = await pythonTask();
    const workspace = await createWorkspace(pythonBase);
    await writeFiles(workspace, {
      'calc.py': 'def add(a, b):\n    return 5\n\n\ndef sub(a, b):\n    return a - b\n',
    });
    const result = await grade(task, workspace);
    expect(result.status).toBe('unresolved');
    expect(result.partialScore).toBe(0.5);
  });

  it('catches an agent that edits the test files to pass, by restoring them', async () => {
    const task = await pythonTask();
    const workspace = await createWorkspace(pythonBase);
    await writeFiles(workspace, {
      'tests/test_calc.py': 'def test_sub():\n    pass\n\n\ndef test_add():\n    pass\n',
      'tests/test_more.py': 'def test_add_negative():\n    pass\n',
    });
    const result = await grade(task, workspace);
    expect(result.status).toBe('unresolved');
    expect(result.failToPass.map((test) => test.status)).toEqual(['failed', 'failed']);
    expect(await readFile(join(workspace, 'tests/test_more.py'), 'utf8')).toBe(
      pythonTests['tests/test_more.py'],
    );
  });

  it('grades a correct fix even when the agent also mangled the test files', async () => {
    const task = await pythonTask();
    const workspace = await createWorkspace(pythonBase);
    await applyToWorkspace(workspace, task.goldPatch);
    await rm(join(workspace, 'tests/test_calc.py'));
    await writeFiles(workspace, { 'tests/test_more.py': 'garbage(' });
    expect((await grade(task, workspace)).status).toBe('resolved');
  });

  it('counts a deleted PASS_TO_PASS test file as missing', async () => {
    const task = await pythonTask();
    const workspace = await createWorkspace(pythonBase);
    await applyToWorkspace(workspace, task.goldPatch);
    await rm(join(workspace, 'tests/test_other.py'));
    const result = await grade(task, workspace);
    expect(result.status).toBe('unresolved');
    expect(result.passToPass[1]).toEqual({
      id: 'tests/test_other.py::test_truth',
      status: 'missing',
      found: false,
      matchedIds: [],
    });
  });

  it('counts a FAIL_TO_PASS test that never ran as failed', async () => {
    const task = await pythonTask({
      fail_to_pass: ['tests/test_calc.py::test_add', 'tests/test_calc.py::test_gone'],
    });
    const workspace = await createWorkspace(pythonBase);
    await applyToWorkspace(workspace, task.goldPatch);
    const result = await grade(task, workspace);
    expect(result.status).toBe('unresolved');
    expect(result.partialScore).toBe(0.5);
    expect(result.failToPass[1].status).toBe('missing');
  });

  it('counts a skipped FAIL_TO_PASS test as failed', async () => {
    const task = await pythonTask({ test_command: 'python3 -m pytest -rA -v -p no:cacheprovider tests' });
    const workspace = await createWorkspace(pythonBase);
    await writeFiles(workspace, {
      'tests/conftest.py':
        'import pytest\n\n\ndef pytest_collection_modifyitems(items):\n    for item in items:\n        if "add" in item.name:\n            item.add_marker(pytest.mark.skip(reason="flaky"))\n',
    });
    const result = await grade(task, workspace);
    expect(result.status).toBe('unresolved');
    expect(result.failToPass.every((test) => test.status === 'skipped' && test.found)).toBe(true);
  });

  it('is invalid when the test command crashes before running tests', async () => {
    const task = await pythonTask({ test_command: 'echo "boom" >&2; exit 3' });
    const result = await grade(task, await createWorkspace(pythonBase));
    expect(result.status).toBe('invalid');
    expect(result.reason).toBe('no test results found in the pytest output (test command exit code 3)');
    expect(result.testOutputTail).toBe('boom\n');
    expect(result.partialScore).toBe(0);
  });

  it('is invalid when the test command cannot start', async () => {
    const task = await pythonTask({ test_command: 'no-such-test-runner-xyz' });
    const result = await grade(task, await createWorkspace(pythonBase));
    expect(result.status).toBe('invalid');
    expect(result.reason).toBe('test command could not start (exit code 127)');
  });

  it('is invalid when tests.patch does not apply to the base', async () => {
    const task = await pythonTask();
    task.testsPatch = task.testsPatch.replace('from calc import sub', 'from calc import nothing');
    const result = await grade(task, await createWorkspace(pythonBase));
    expect(result.status).toBe('invalid');
    expect(result.reason).toMatch(/^tests\.patch did not apply: error: patch failed: tests\/test_calc\.py/);
  });

  it("applies tests.patch without trusting the workspace's own .git", async () => {
    const task = await pythonTask();
    const workspace = await createWorkspace(pythonBase);
    await applyToWorkspace(workspace, task.goldPatch);
    // A `.git` the agent left pointing nowhere would make a plain `git apply` in the workspace fail.
    await rm(join(workspace, '.git'), { recursive: true, force: true });
    await writeFile(join(workspace, '.git'), 'gitdir: /nonexistent/shakedown-planted\n');
    const result = await grade(task, workspace);
    expect(result.reason).toBeUndefined();
    expect(result.status).toBe('resolved');
  });

  it('reads a JUnit report file, and ignores a stale report the agent planted', async () => {
    const task = await pythonTask({
      test_command: 'python3 -m pytest -p no:cacheprovider --junitxml=reports/junit.xml tests',
      test_output: { format: 'junit-xml', path: 'reports/junit.xml' },
    });
    const workspace = await createWorkspace(pythonBase);
    await applyToWorkspace(workspace, task.goldPatch);
    expect((await grade(task, workspace)).status).toBe('resolved');

    const crashing = { ...task, testCommand: 'exit 1' };
    const fake =
      '<testsuites><testsuite><testcase classname="tests.test_calc" name="test_add"/><testcase classname="tests.test_more" name="test_add_negative"/></testsuite></testsuites>';
    await writeFile(join(workspace, 'reports/junit.xml'), fake);
    const result = await grade(crashing, workspace);
    expect(result.status).toBe('invalid');
    expect(result.reason).toBe('report file reports/junit.xml was not written (test command exit code 1)');
  });

  it('substitutes {test_ids} with the quoted ids', async () => {
    const task = await pythonTask({ test_command: 'python3 -m pytest -rA -p no:cacheprovider {test_ids}' });
    const workspace = await createWorkspace(pythonBase);
    await applyToWorkspace(workspace, task.goldPatch);
    const result = await grade(task, workspace);
    expect(result.status).toBe('resolved');
    expect(result.testResults).toHaveLength(4);
  });
});

const nodeBase: FileSet = {
  'package.json': '{ "type": "module" }\n',
  'src/slug.js': 'export function slugify(text) {\n  return text.toLowerCase();\n}\n',
  'test/slug.test.js':
    "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { slugify } from '../src/slug.js';\n\ntest('lowercases', () => {\n  assert.equal(slugify('AB'), 'ab');\n});\n",
};
const nodeGold: FileSet = {
  'src/slug.js': "export function slugify(text) {\n  return text.toLowerCase().replaceAll(' ', '-');\n}\n",
};
const nodeTests: FileSet = {
  'test/slug.test.js': `${nodeBase['test/slug.test.js']}\ntest('replaces spaces', () => {\n  assert.equal(slugify('a b'), 'a-b');\n});\n`,
};

describe('gradeAttempt with a node --test TAP task from a git repository', () => {
  async function nodeTask(yaml: Record<string, unknown> = {}): Promise<Task> {
    return loadTask(
      await createTaskFolder({
        base: nodeBase,
        gold: nodeGold,
        tests: nodeTests,
        repositoryKind: 'git',
        yaml: {
          id: 'slugify-spaces',
          test_command: 'node --test --test-reporter=tap test/',
          test_output: { format: 'tap' },
          fail_to_pass: ['replaces spaces'],
          pass_to_pass: ['lowercases'],
          ...yaml,
        },
      }),
    );
  }

  it('resolves gold, not base, and restores tests from base_commit', async () => {
    const task = await nodeTask();
    expect(task.repository.kind).toBe('git');
    const gold = await createWorkspace(nodeBase);
    await applyToWorkspace(gold, task.goldPatch);
    await writeFiles(gold, {
      'test/slug.test.js': "import { test } from 'node:test';\ntest('replaces spaces', () => {});\n",
    });
    const goldResult = await grade(task, gold);
    expect(goldResult.reason ?? '').toBe('');
    expect(goldResult.status).toBe('resolved');

    const base = await createWorkspace(nodeBase);
    await writeFiles(base, {
      'test/slug.test.js': "import { test } from 'node:test';\ntest('replaces spaces', () => {});\n",
    });
    const result = await grade(task, base);
    expect(result.status).toBe('unresolved');
    expect(result.failToPass[0]).toMatchObject({ status: 'failed', found: true });
    expect(result.passToPass[0]).toMatchObject({ status: 'passed' });
  });

  it('grades a hanging suite as unresolved with the timeout as reason', async () => {
    const task = await nodeTask();
    const workspace = await createWorkspace(nodeBase);
    await writeFiles(workspace, { 'src/slug.js': 'while (true) {}\nexport function slugify() {}\n' });
    const result = await grade(task, workspace, 1500);
    expect(result.status).toBe('unresolved');
    expect(result.reason).toBe('test command timed out after 1500 ms');
  });
});
