import { describe, expect, it } from 'vitest';
import { type ClassifyContext, classifyChangedPath } from './classify-changed-path.ts';

const context: ClassifyContext = {
  testCommand: 'python3 -m pytest -rA tests && bash scripts/check.sh',
  declaredTestFiles: new Set(['checks/hidden_case.py']),
  baseHas: (path) => ['invoicing', 'invoicing/__init__.py', 'queue.py', 'src'].includes(path),
};

function classOf(path: string, change: 'added' | 'modified' | 'deleted' = 'added') {
  return classifyChangedPath(path, change, context).class;
}

describe('classifyChangedPath', () => {
  it('keeps the source change', () => {
    expect(classOf('invoicing/money.py', 'modified')).toBe('source');
    expect(classOf('src/lru-cache.js', 'modified')).toBe('source');
    expect(classOf('README.md', 'modified')).toBe('source');
    // The base's own module named like the standard library is the task's code, not a shadow.
    expect(classOf('queue.py', 'modified')).toBe('source');
  });

  it('drops test files by folder, name and declaration', () => {
    for (const path of [
      'tests/test_x.py',
      'test/a.test.js',
      'pkg/x_test.py',
      'web/a.spec.ts',
      'go/a_test.go',
    ])
      expect(classOf(path), path).toBe('test-file');
    expect(classOf('checks/hidden_case.py', 'modified')).toBe('test-file');
    expect(classOf('spec', 'added')).toBe('test-file');
    expect(classOf('tests', 'added')).toBe('test-infrastructure'); // named by the test command
  });

  it('drops test infrastructure: configuration, plugins, shadows, node_modules, start-up hooks', () => {
    for (const path of [
      'conftest.py',
      'deep/er/conftest.py',
      'pytest.ini',
      'tox.ini',
      'setup.cfg',
      'sitecustomize.py',
      'lib/usercustomize.py',
      'zz.pth',
      'evil-1.0.dist-info/entry_points.txt',
      'node_modules/assert/index.js',
      'src/node_modules/x.js',
      'vitest.config.ts',
      'jest.config.js',
      '.mocharc.json',
      '.npmrc',
      'tsconfig.json',
      'pytest/__main__.py',
      '_pytest/runner.py',
      'pluggy.py',
      'pytest_fake_plugin.py',
      'decimal.py',
      'src/unittest/__init__.py',
      'json/__init__.py',
      'scripts/check.sh',
    ]) {
      expect(classOf(path), path).toBe('test-infrastructure');
    }
  });

  it('drops caches as artifacts', () => {
    expect(classOf('invoicing/__pycache__/money.cpython-311.pyc')).toBe('artifact');
    expect(classOf('.pytest_cache/v/cache/lastfailed')).toBe('artifact');
  });
});
