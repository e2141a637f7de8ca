import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGit } from '../workspace/run-git.ts';
import { formatSweBenchImportError, importSweBench } from './import-swe-bench.ts';
import { loadTask } from './load-task.ts';

const patch = (path: string) =>
  `diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-old\n+new\n`;

describe('importSweBench', () => {
  let directory: string;
  let commit: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'shakedown-swe-bench-test-'));
    const clone = join(directory, 'repos', 'acme__widgets');
    await mkdir(clone, { recursive: true });
    await runGit(['init', '--quiet'], { cwd: clone });
    await writeFile(join(clone, 'widgets.py'), 'old\n');
    await runGit(['add', '.'], { cwd: clone });
    await runGit(['commit', '--quiet', '--no-gpg-sign', '-m', 'base'], { cwd: clone });
    commit = (await runGit(['rev-parse', 'HEAD'], { cwd: clone })).trim();
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('imports good lines and reports a bad line by number and field without stopping', async () => {
    const instance = (id: string, extra: Record<string, unknown>) =>
      JSON.stringify({
        instance_id: id,
        repo: 'acme/widgets',
        base_commit: commit,
        patch: patch('widgets.py'),
        test_patch: patch('tests/test_widgets.py'),
        problem_statement: 'Widgets should be new.',
        version: '1.2',
        environment_setup_commit: commit,
        ...extra,
      });
    const file = join(directory, 'instances.jsonl');
    await writeFile(
      file,
      [
        instance('acme__widgets-1', {
          FAIL_TO_PASS: '["tests/test_widgets.py::test_new"]',
          PASS_TO_PASS: '[]',
        }),
        instance('acme__widgets-2', { FAIL_TO_PASS: 'not json', PASS_TO_PASS: [] }),
        instance('acme__widgets-3', {
          FAIL_TO_PASS: ['tests/test_widgets.py::test_a'],
          PASS_TO_PASS: ['tests/test_widgets.py::test_b'],
        }),
      ].join('\n'),
    );
    const outDir = join(directory, 'suite');
    const result = await importSweBench({ file, reposDir: join(directory, 'repos'), outDir });
    expect(result.imported).toEqual(['acme-widgets-1', 'acme-widgets-3']);
    expect(result.errors).toEqual([
      {
        line: 2,
        instanceId: 'acme__widgets-2',
        field: 'FAIL_TO_PASS',
        message: 'must be a list of test ids (or a JSON-encoded list)',
      },
    ]);
    expect(formatSweBenchImportError('instances.jsonl', result.errors[0])).toBe(
      'instances.jsonl:2 (acme__widgets-2) FAIL_TO_PASS: must be a list of test ids (or a JSON-encoded list)',
    );

    const task = await loadTask(join(outDir, 'acme-widgets-3'));
    expect(task.repository).toEqual({ kind: 'git', url: join(directory, 'repos', 'acme__widgets') });
    expect(task.baseCommit).toBe(commit);
    expect(task.failToPass).toEqual(['tests/test_widgets.py::test_a']);
    expect(task.passToPass).toEqual(['tests/test_widgets.py::test_b']);
    expect(task.instruction).toBe('Widgets should be new.\n');
    expect(task.testFiles).toEqual(['tests/test_widgets.py']);
    expect(task.tags).toEqual([
      'swe-bench',
      'needs-environment',
      'version-1.2',
      `environment-setup-commit-${commit}`,
    ]);
    expect(await readFile(join(outDir, 'acme-widgets-3', 'task.yaml'), 'utf8')).toMatch(
      /^# Imported from SWE-bench instance acme__widgets-3\.\n# NOTE: SWE-bench tasks come without their environment/,
    );
  });

  it("uses Django's and sympy's runners with SWE-bench's labels, and refuses other non-pytest ids", async () => {
    const file = join(directory, 'runners.jsonl');
    const line = (id: string, repo: string, testPatch: string, failToPass: string[]) =>
      JSON.stringify({
        instance_id: id,
        repo,
        base_commit: commit,
        patch: patch('widgets.py'),
        test_patch: testPatch,
        problem_statement: 'x',
        FAIL_TO_PASS: failToPass,
      });
    for (const name of ['django__django', 'sympy__sympy']) {
      await runGit([
        'clone',
        '--quiet',
        join(directory, 'repos', 'acme__widgets'),
        join(directory, 'repos', name),
      ]);
    }
    await writeFile(
      file,
      [
        line(
          'django__django-1',
          'django/django',
          patch('tests/admin_views/tests.py') + patch('tests/admin_views/models.py'),
          ['test_x (admin_views.tests.AdminTests)'],
        ),
        line('sympy__sympy-2', 'sympy/sympy', patch('sympy/core/tests/test_basic.py'), ['test_x']),
        line('acme__widgets-9', 'acme/widgets', patch('tests/test_widgets.py'), ['test_x (widgets.tests.T)']),
      ].join('\n'),
    );
    const outDir = join(directory, 'r');
    const result = await importSweBench({ file, reposDir: join(directory, 'repos'), outDir });
    expect(result.imported).toEqual(['django-django-1', 'sympy-sympy-2']);
    const django = await loadTask(join(outDir, 'django-django-1'));
    expect(django.testCommand).toBe(
      './tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1 admin_views.tests',
    );
    expect(django.testOutput.format).toBe('django');
    expect(django.tags).toEqual(expect.arrayContaining(['needs-environment', 'test-runner-django']));
    const sympy = await loadTask(join(outDir, 'sympy-sympy-2'));
    expect(sympy.testCommand).toBe(
      "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' bin/test -C --verbose sympy/core/tests/test_basic.py",
    );
    expect(sympy.testOutput.format).toBe('sympy');
    expect(result.errors.map((error) => [error.field, error.message])).toEqual([
      [
        'FAIL_TO_PASS',
        '"test_x (widgets.tests.T)" is not a pytest id (path::name) and the repository has no runner shakedown knows (Django\'s tests/runtests.py, sympy\'s bin/test): pass --test-command and --test-format for its runner (or leave these instances out)',
      ],
    ]);
  });

  it('reports the first missing field of each line', async () => {
    const file = join(directory, 'bad.jsonl');
    await writeFile(
      file,
      `${JSON.stringify({ instance_id: 'x-1', repo: 'acme/gone', base_commit: commit })}\n{"instance_id": 1}\n`,
    );
    const result = await importSweBench({
      file,
      reposDir: join(directory, 'repos'),
      outDir: join(directory, 'other'),
    });
    expect(result.imported).toEqual([]);
    expect(result.errors.map((error) => [error.line, error.field])).toEqual([
      [1, 'patch'],
      [2, 'instance_id'],
    ]);
  });
});
