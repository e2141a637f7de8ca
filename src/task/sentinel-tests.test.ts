import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  removeTemporaryDirectories,
  temporaryDirectory,
  writeFiles,
} from '../../test-support/task-fixture.ts';
import { injectSentinels, judgeSentinels, planSentinels, sentinelMarker } from './sentinel-tests.ts';
import type { Task } from './task.ts';
import type { TestResult } from './test-results/test-result.ts';

afterAll(removeTemporaryDirectories);

/** A patch adding `files` (only its headers matter here). */
function addingPatch(files: Record<string, string>): string {
  return Object.keys(files)
    .map(
      (file) =>
        `diff --git a/${file} b/${file}\nnew file mode 100644\n--- /dev/null\n+++ b/${file}\n@@ -0,0 +1 @@\n+x\n`,
    )
    .join('');
}

function taskWith(testsPatch: string, format: Task['testOutput']['format']): Task {
  return {
    id: 't',
    directory: '/nowhere',
    repository: { kind: 'directory', path: '/nowhere' },
    baseCommit: null,
    setup: [],
    testCommand: 'python3 -m pytest {test_ids}',
    testOutput: { format },
    failToPass: [],
    passToPass: [],
    testFiles: [],
    limits: {},
    turns: [],
    constraints: [],
    tags: [],
    instruction: '',
    goldPatch: '',
    testsPatch,
  };
}

describe('sentinel tests', () => {
  it('appends must-fail tests to each hidden pytest file, adds a standalone file, and takes them out again', async () => {
    const files = {
      'tests/test_a.py': 'def test_a():\n    assert True',
      'tests/test_b.py': 'def test_b():\n    pass\n',
    };
    const workspace = await temporaryDirectory();
    await writeFiles(workspace, files);
    const task = taskWith(addingPatch(files), 'pytest');
    const plan = await planSentinels(task, workspace, 'abc123');
    const marker = sentinelMarker('abc123');
    expect(plan.edits.map((edit) => [edit.path, edit.kind])).toEqual([
      ['tests/test_a.py', 'append'],
      ['tests/test_b.py', 'append'],
      [`tests/test_${marker}.py`, 'create'],
    ]);
    expect(plan.testIds).toEqual([
      `tests/test_a.py::test_${marker}_must_fail_assert`,
      `tests/test_b.py::test_${marker}_must_fail_assert`,
      `tests/test_${marker}.py::test_${marker}_must_fail`,
      `tests/test_${marker}.py::test_${marker}_must_pass`,
    ]);
    const remove = await injectSentinels(workspace, plan);
    const appended = await readFile(path.join(workspace, 'tests/test_a.py'), 'utf8');
    expect(appended).toMatch(
      /^def test_a\(\):\n {4}assert True\n\n\ndef test_shakedown_sentinel_abc123_must_fail_assert/,
    );
    await remove();
    expect(await readFile(path.join(workspace, 'tests/test_a.py'), 'utf8')).toBe(files['tests/test_a.py']);
    await expect(readFile(path.join(workspace, `tests/test_${marker}.py`))).rejects.toThrow();
  });

  it('knows node:test, vitest and jest files by their imports or format, and skips unknown runners', async () => {
    const files = {
      'test/a.test.js': "import { it } from 'node:test';\n",
      'test/b.test.ts': "import { it } from 'vitest';\n",
      'test/c.spec.js': "describe('mocha', () => {});\n",
    };
    const workspace = await temporaryDirectory();
    await writeFiles(workspace, files);
    const plan = await planSentinels(taskWith(addingPatch(files), 'junit-xml'), workspace, 'n1');
    expect(plan.edits.map((edit) => [edit.path, edit.kind])).toEqual([
      ['test/a.test.js', 'append'],
      ['test/b.test.ts', 'append'],
    ]);
    expect(plan.edits[0]?.text).toContain("await import('node:assert/strict')");
    expect(plan.edits[1]?.text).toContain("from 'vitest'");
  });

  it('judges: a passing must-fail sentinel is tampering, a failing must-pass or none at all is untrusted', () => {
    const plan = { nonce: 'n2', edits: [{ path: 'x', kind: 'create' as const, text: '' }], testIds: [] };
    const marker = sentinelMarker('n2');
    const result = (suffix: string, status: TestResult['status']): TestResult => ({
      id: `tests/x.py::test_${marker}_${suffix}`,
      status,
    });
    expect(judgeSentinels(plan, [result('must_fail', 'failed'), result('must_pass', 'passed')]).status).toBe(
      'clean',
    );
    expect(judgeSentinels(plan, [result('must_fail', 'passed'), result('must_pass', 'passed')]).status).toBe(
      'tampered',
    );
    expect(judgeSentinels(plan, [result('must_fail', 'failed'), result('must_pass', 'failed')]).status).toBe(
      'broken',
    );
    expect(judgeSentinels(plan, [{ id: 'tests/x.py::test_a', status: 'passed' }]).status).toBe('not-run');
    expect(judgeSentinels({ ...plan, edits: [] }, []).status).toBe('not-applicable');
  });
});
