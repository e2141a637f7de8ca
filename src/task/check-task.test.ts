import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPythonHistory, type PythonHistory } from '../../test-support/python-history-fixture.ts';
import { runGit } from '../workspace/run-git.ts';
import { checkTask } from './check-task.ts';
import { loadTask } from './load-task.ts';
import { type TaskFolderContent, writeTaskFolder } from './write-task-folder.ts';

describe('checkTask', () => {
  let directory: string;
  let history: PythonHistory;
  let testsPatch: string;
  let goldPatch: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'shakedown-check-test-'));
    history = await createPythonHistory(directory, join(directory, 'counter'));
    const diff = (path: string) =>
      runGit(['diff', history.flaky, history.passingAtParent, '--', path], { cwd: history.repositoryDir });
    const mulDiff = (path: string) =>
      runGit(['diff', history.passingAtParent, history.goodFix, '--', path], { cwd: history.repositoryDir });
    testsPatch = await mulDiff('tests/test_calc.py');
    goldPatch = await mulDiff('calc.py');
    expect(await diff('calc.py')).toContain('Sum of a and b');
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const writeTask = async (
    name: string,
    failToPass: string[],
    passToPass: string[],
    instruction = 'Add mul(a, b).',
    constraints?: TaskFolderContent['definition']['constraints'],
  ) => {
    await writeTaskFolder(join(directory, name), {
      definition: {
        id: name,
        repo: { git: history.repositoryDir },
        base_commit: history.passingAtParent,
        test_command: 'python3 -m pytest -rA -p no:cacheprovider {test_ids}',
        test_output: { format: 'pytest' },
        fail_to_pass: failToPass,
        pass_to_pass: passToPass,
        ...(constraints ? { constraints } : {}),
      },
      instruction,
      goldPatch,
      testsPatch,
    });
    return loadTask(join(directory, name));
  };

  it('accepts a sound task, drops a flaky test, and passes in the bubblewrap sandbox', {
    timeout: 600_000,
  }, async () => {
    const task = await writeTask(
      'valid',
      ['tests/test_calc.py::test_mul_multiplies_two_numbers'],
      ['tests/test_calc.py::test_add', 'tests/test_calc.py::test_answer_is_stable'],
    );
    const lines: string[] = [];
    const report = await checkTask(task, {
      runs: 2,
      sandbox: { backend: 'none' },
      onProgress: (line) => lines.push(line),
    });
    expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.flaky).toEqual(['tests/test_calc.py::test_answer_is_stable']);
    expect(report.passToPass).toEqual(['tests/test_calc.py::test_add']);
    expect(report.failToPass).toEqual(['tests/test_calc.py::test_mul_multiplies_two_numbers']);
    expect(lines.at(-1)).toBe('valid: valid');

    const sandboxed = await writeTask(
      'sandboxed',
      ['tests/test_calc.py::test_mul_multiplies_two_numbers'],
      ['tests/test_calc.py::test_sub'],
    );
    const sandboxedReport = await checkTask(sandboxed, { runs: 1, sandbox: { backend: 'bubblewrap' } });
    expect(sandboxedReport.valid).toBe(true);
  });

  it('rejects a FAIL_TO_PASS test that passes at the base, and a leaky instruction', async () => {
    const task = await writeTask(
      'invalid',
      ['tests/test_calc.py::test_sub', 'tests/test_calc.py::test_mul_multiplies_two_numbers'],
      ['tests/test_calc.py::test_add'],
      'Make tests/test_calc.py::test_mul_multiplies_two_numbers pass:\n\ndef mul(a, b):\n    return a * b\n',
    );
    const report = await checkTask(task, { runs: 1, sandbox: { backend: 'none' } });
    expect(report.valid).toBe(false);
    const messages = report.problems.map(
      (problem) => `${problem.severity} ${problem.check}: ${problem.message}`,
    );
    expect(messages).toContain(
      'error base: FAIL_TO_PASS tests/test_calc.py::test_sub passes at the base (it must fail before the fix)',
    );
    expect(messages).toContain(
      'error lint: instruction.md names the test id "tests/test_calc.py::test_mul_multiplies_two_numbers"',
    );
    expect(
      messages.some((message) =>
        message.startsWith('error lint: instruction.md contains 2 of the 2 lines gold.patch adds'),
      ),
    ).toBe(true);
  });

  it('shows the status and key message of each test that does not behave, and flags a thin instruction', async () => {
    const newModule =
      'diff --git a/tests/test_new.py b/tests/test_new.py\nnew file mode 100644\n--- /dev/null\n+++ b/tests/test_new.py\n@@ -0,0 +1,5 @@\n+from calc import div\n+\n+\n+def test_div():\n+    assert div(4, 2) == 2\n';
    await writeTaskFolder(join(directory, 'details'), {
      definition: {
        id: 'details',
        repo: { git: history.repositoryDir },
        base_commit: history.passingAtParent,
        test_command: 'python3 -m pytest -rA -p no:cacheprovider --continue-on-collection-errors {test_ids}',
        test_output: { format: 'pytest' },
        fail_to_pass: ['tests/test_calc.py::test_mul_multiplies_two_numbers'],
        pass_to_pass: ['tests/test_new.py::test_div', 'tests/test_calc.py::test_gone'],
      },
      instruction: 'Fix #12',
      goldPatch,
      testsPatch: `${testsPatch}${newModule}`,
    });
    const report = await checkTask(await loadTask(join(directory, 'details')), {
      runs: 1,
      sandbox: { backend: 'none' },
    });
    expect(report.valid).toBe(false);
    expect(report.underspecified).toContain('it only refers to an issue whose text is not included');
    const about = (id: string) =>
      report.problems.find((problem) => problem.check === 'base' && problem.test?.id === id);
    expect(about('tests/test_new.py::test_div')).toEqual({
      severity: 'error',
      check: 'base',
      message: expect.stringMatching(
        /^PASS_TO_PASS tests\/test_new.py::test_div does not pass at the base \(missing: tests\/test_new.py errored: ImportError: cannot import name 'div' from 'calc'/,
      ),
      test: {
        id: 'tests/test_new.py::test_div',
        status: 'missing',
        message: expect.stringMatching(/^tests\/test_new.py errored: ImportError: cannot import name 'div'/),
      },
    });
    expect(about('tests/test_calc.py::test_gone')?.test).toEqual({
      id: 'tests/test_calc.py::test_gone',
      status: 'missing',
      message: 'not reported by the test command',
    });
    const gold = report.problems.find(
      (problem) => problem.check === 'gold' && problem.test?.id === 'tests/test_new.py::test_div',
    );
    expect(gold?.message).toMatch(
      /does not pass with gold.patch \(missing: tests\/test_new.py errored: ImportError/,
    );
  });

  it('checks the constraints with gold.patch applied: one violated there makes the task invalid', async () => {
    const task = await writeTask(
      'constrained',
      ['tests/test_calc.py::test_mul_multiplies_two_numbers'],
      ['tests/test_calc.py::test_add'],
      'Add mul(a, b).',
      [
        {
          id: 'keeps-mul',
          description: 'calc.py defines mul',
          check: { require_pattern: '^def mul', paths: ['calc.py'] },
        },
        {
          id: 'no-mul-at-all',
          description: 'calc.py never defines mul',
          check: { forbid_pattern: '^def mul', paths: ['calc.py'] },
        },
      ],
    );
    const report = await checkTask(task, { runs: 1, sandbox: { backend: 'none' } });
    expect(report.valid).toBe(false);
    expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([
      {
        severity: 'error',
        check: 'constraints',
        message:
          'constraint no-mul-at-all (calc.py never defines mul) is violated with gold.patch: forbidden pattern found in calc.py',
      },
    ]);
  });

  it('reports a setup failure as an error without running the tests', async () => {
    const task = {
      ...(await writeTask(
        'setup',
        ['tests/test_calc.py::test_mul_multiplies_two_numbers'],
        ['tests/test_calc.py::test_add'],
      )),
      setup: ['echo broken >&2; exit 3'],
    };
    const report = await checkTask(task, { runs: 1, sandbox: { backend: 'none' } });
    expect(report.valid).toBe(false);
    expect(report.problems.at(-1)).toMatchObject({
      check: 'setup',
      message: expect.stringContaining('exited with code 3'),
    });
  });
});
