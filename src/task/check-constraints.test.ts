import { afterAll, describe, expect, it } from 'vitest';
import {
  removeTemporaryDirectories,
  temporaryDirectory,
  writeFiles,
} from '../../test-support/task-fixture.ts';
import { createSandbox } from '../sandbox/index.ts';
import { checkConstraints } from './check-constraints.ts';
import type { Task, TaskConstraint } from './task.ts';

afterAll(removeTemporaryDirectories);

function taskWith(constraints: TaskConstraint[]): Task {
  return {
    id: 'constraints',
    directory: '/nowhere',
    repository: { kind: 'directory', path: '/nowhere' },
    baseCommit: null,
    setup: [],
    testCommand: 'true',
    testOutput: { format: 'tap' },
    failToPass: ['x'],
    passToPass: [],
    testFiles: [],
    limits: {},
    turns: [],
    constraints,
    tags: [],
    instruction: '',
    goldPatch: '',
    testsPatch: '',
  };
}

describe('checkConstraints', () => {
  it('reports each constraint kept or violated with details', async () => {
    const workspace = await temporaryDirectory();
    await writeFiles(workspace, {
      'src/calc.py': '# License: MIT\ndef add(a, b):\n    print(a)\n    return a + b\n',
      'src/util.py': 'def noop():\n    pass\n',
      'node_modules/dep/index.py': 'print("not scanned")\n',
      'README.md': 'print(hello)\n',
    });
    const task = taskWith([
      {
        id: 'no-print',
        description: 'No print calls',
        check: { kind: 'forbid-pattern', pattern: '^\\s*print\\(', paths: ['src/**/*.py'] },
      },
      {
        id: 'no-eval',
        description: 'No eval',
        check: { kind: 'forbid-pattern', pattern: 'eval\\(', paths: ['**/*.py'] },
      },
      {
        id: 'license',
        description: 'Keep the license',
        check: { kind: 'require-pattern', pattern: '^# License: MIT$', paths: ['src/*.py'] },
      },
      {
        id: 'changelog',
        description: 'Add a changelog entry',
        check: { kind: 'require-pattern', pattern: 'add', paths: ['CHANGELOG.md'] },
      },
      {
        id: 'compiles',
        description: 'Code compiles',
        check: { kind: 'command', command: 'python3 -m py_compile src/calc.py' },
      },
      {
        id: 'has-tests',
        description: 'Tests exist',
        check: { kind: 'command', command: 'echo "no tests" >&2; test -d tests' },
      },
    ]);
    const results = await checkConstraints(
      task,
      workspace,
      await createSandbox(workspace, { backend: 'none', onWarning: () => {} }),
    );
    expect(results.map((result) => [result.id, result.status, result.detail])).toEqual([
      ['no-print', 'violated', 'forbidden pattern found in src/calc.py'],
      ['no-eval', 'kept', undefined],
      ['license', 'kept', undefined],
      ['changelog', 'violated', 'no file matching CHANGELOG.md contains /add/'],
      ['compiles', 'kept', undefined],
      ['has-tests', 'violated', 'exit code 1: no tests'],
    ]);
    expect(results[0].description).toBe('No print calls');
  });
});
