import { lstat, readFile, readlink, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  removeTemporaryDirectories,
  temporaryDirectory,
  writeFiles,
} from '../../test-support/task-fixture.ts';
import { copyAgentChanges } from './copy-agent-changes.ts';
import type { Task } from './task.ts';

afterAll(removeTemporaryDirectories);

const base = {
  'pkg/__init__.py': 'from .core import f\n',
  'pkg/core.py': 'def f():\n    return 1\n',
  'tests/test_core.py': 'def test_f():\n    assert True\n',
  'conftest.py': '',
  'package.json': '{ "name": "p", "scripts": { "test": "node --test" } }\n',
  'README.md': 'hello\n',
};

const task = {
  testCommand: 'python3 -m pytest tests',
  testFiles: [],
  testsPatch:
    'diff --git a/tests/test_new.py b/tests/test_new.py\nnew file mode 100644\n--- /dev/null\n+++ b/tests/test_new.py\n@@ -0,0 +1 @@\n+x\n',
  failToPass: ['tests/test_new.py::test_g'],
  passToPass: ['tests/test_core.py::test_f'],
} as unknown as Task;

describe('copyAgentChanges', () => {
  it('carries source changes onto the clean copy and drops tests and test infrastructure, recording them', async () => {
    const agent = await temporaryDirectory();
    const clean = await temporaryDirectory();
    await writeFiles(clean, base);
    await writeFiles(agent, {
      ...base,
      'pkg/core.py': 'def f():\n    return 2\n',
      'pkg/extra.py': 'X = 1\n',
      'README.md': null,
      'tests/test_core.py': 'def test_f():\n    pass\n',
      'tests/test_mine.py': 'def test_mine():\n    pass\n',
      'conftest.py': 'import evil\n',
      'package.json': '{ "name": "q", "scripts": { "test": "exit 0" } }\n',
      'pytest/__main__.py': 'print("PASSED")\n',
      'pkg/__pycache__/core.cpython-311.pyc': 'xx',
    });
    await symlink('/etc/passwd', path.join(agent, 'host-link'));
    await symlink('core.py', path.join(agent, 'pkg/alias.py'));

    const result = await copyAgentChanges(task, agent, clean);

    expect(result.copied.sort()).toEqual([
      'README.md',
      'package.json',
      'pkg/alias.py',
      'pkg/core.py',
      'pkg/extra.py',
    ]);
    expect(await readFile(path.join(clean, 'pkg/core.py'), 'utf8')).toContain('return 2');
    await expect(lstat(path.join(clean, 'README.md'))).rejects.toThrow();
    expect(await readlink(path.join(clean, 'pkg/alias.py'))).toBe('core.py');
    expect(JSON.parse(await readFile(path.join(clean, 'package.json'), 'utf8'))).toEqual({
      name: 'q',
      scripts: { test: 'node --test' },
    });
    expect(await readFile(path.join(clean, 'tests/test_core.py'), 'utf8')).toBe(base['tests/test_core.py']);
    expect(await readFile(path.join(clean, 'conftest.py'), 'utf8')).toBe('');
    await expect(lstat(path.join(clean, 'tests/test_mine.py'))).rejects.toThrow();
    await expect(lstat(path.join(clean, 'host-link'))).rejects.toThrow();

    const dropped = Object.fromEntries(
      result.dropped.map((change) => [change.path, `${change.change} ${change.class} ${change.tampering}`]),
    );
    expect(dropped).toEqual({
      'conftest.py': 'modified test-infrastructure true',
      'host-link': 'added special-file false',
      'package.json': 'modified test-infrastructure true',
      'pkg/__pycache__': 'added artifact false',
      'pytest/__main__.py': 'added test-infrastructure true',
      // An edit of a graded test file (PASS_TO_PASS) is tampering; a new test of the agent's own is not.
      'tests/test_core.py': 'modified test-file true',
      'tests/test_mine.py': 'added test-file false',
    });
  });
});
