import { describe, expect, it } from 'vitest';
import {
  commandForFiles,
  commandForTask,
  detectTestCommand,
  type ProjectFiles,
  testFileArguments,
} from './detect-test-command.ts';

function project(files: Record<string, string>): ProjectFiles {
  return { paths: Object.keys(files), read: async (path) => files[path] };
}

describe('detectTestCommand', () => {
  it('puts a src layout on PYTHONPATH unless the pytest configuration does', async () => {
    const src = await detectTestCommand(
      'python',
      project({ 'src/pkg/__init__.py': '', 'tests/test_a.py': '' }),
    );
    expect(src?.command).toMatch(/^PYTHONPATH=src\$\{PYTHONPATH:\+:\$PYTHONPATH\} python3 -m pytest /);
    expect(src?.detectedFrom).toBe('pytest, src layout: PYTHONPATH=src');
    const configured = await detectTestCommand(
      'python',
      project({
        'src/pkg/__init__.py': '',
        'pyproject.toml': '[project]\nname = "pkg"\n\n[tool.pytest.ini_options]\npythonpath = ["src"]\n',
      }),
    );
    expect(configured?.command).toMatch(/^python3 -m pytest /);
    expect(configured?.detectedFrom).toBe('pytest, configuration in pyproject.toml');
    const flat = await detectTestCommand(
      'python',
      project({ 'calc.py': '', 'setup.cfg': '[tool:pytest]\naddopts = -q\n' }),
    );
    expect(flat?.command).toMatch(/^python3 -m pytest .*\{test_files\}$/);
  });

  it('uses the JavaScript runner package.json names, else node --test', async () => {
    const runner = async (manifest: object) =>
      (await detectTestCommand('javascript', project({ 'package.json': JSON.stringify(manifest) })))?.command;
    expect(await runner({ devDependencies: { vitest: '^3' } })).toMatch(/^npx vitest run --reporter=junit/);
    expect(await runner({ scripts: { test: 'jest --coverage' } })).toMatch(/^npx jest --ci --json/);
    expect(await runner({ devDependencies: { mocha: '^10' } })).toMatch(/^npx mocha --reporter xunit/);
    expect(await runner({})).toMatch(/^node --test --test-reporter=junit/);
    expect(await detectTestCommand(undefined)).toBeUndefined();
  });
});

describe('testFileArguments and the commands', () => {
  it('keeps runnable test files (Go: their packages), and fills {test_files}', async () => {
    expect(
      testFileArguments('python', [
        'tests/test_a.py',
        'tests/conftest.py',
        'tests/data/x.toml',
        'tests/helpers.py',
      ]),
    ).toEqual(['tests/test_a.py']);
    expect(testFileArguments('javascript', ['src/a.test.ts', 'src/__snapshots__/a.test.ts.snap'])).toEqual([
      'src/a.test.ts',
    ]);
    expect(
      testFileArguments('go', ['a_test.go', 'pkg/x/b_test.go', 'pkg/x/c_test.go', 'pkg/x/testdata/in.txt']),
    ).toEqual(['.', './pkg/x']);
    const go = await detectTestCommand('go');
    if (!go) throw new Error('no Go command');
    expect(commandForFiles(go, ['./pkg/x'])).toBe('go test -json ./pkg/x');
    expect(commandForFiles(go, [])).toBe('go test -json ./...');
    expect(commandForTask(go)).toBe('go test -json ./...');
    const pytest = await detectTestCommand('python');
    if (!pytest) throw new Error('no Python command');
    expect(commandForFiles(pytest, ["tests/it's.py"])).toMatch(/ 'tests\/it'\\''s\.py'$/);
    expect(commandForTask(pytest)).toMatch(/ \{test_ids\}$/);
    const narrowed = {
      command: 'npx vitest run {test_files}',
      format: 'junit-xml' as const,
      wholeSuite: 'src/a',
    };
    expect(commandForTask(narrowed, ['src/b/x.test.ts'])).toBe('npx vitest run src/b/x.test.ts src/a');
    expect(commandForTask({ ...narrowed, wholeSuite: undefined }, ['src/b/x.test.ts'])).toBe(
      'npx vitest run',
    );
  });
});
