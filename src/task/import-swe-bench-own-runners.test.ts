import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDjangoStyleHistory,
  createSympyStyleHistory,
  type OwnRunnerHistory,
} from '../../test-support/own-runner-histories.ts';
import { runGit } from '../workspace/run-git.ts';
import { checkTask } from './check-task.ts';
import { importSweBench } from './import-swe-bench.ts';
import { loadTask } from './load-task.ts';

/** A SWE-bench row for a history's fix: test files in test_patch, the rest in patch. */
async function sweBenchRow(
  history: OwnRunnerHistory,
  instanceId: string,
  repo: string,
  testFiles: string[],
  failToPass: string[],
  passToPass: string[],
): Promise<string> {
  const diff = (paths: string[], exclude: boolean) =>
    runGit(
      [
        'diff',
        '--full-index',
        history.root,
        history.fix,
        '--',
        ...paths.map((path) => (exclude ? `:(exclude)${path}` : path)),
      ],
      { cwd: history.repositoryDir },
    );
  return JSON.stringify({
    instance_id: instanceId,
    repo,
    base_commit: history.root,
    patch: await diff(testFiles, true),
    test_patch: await diff(testFiles, false),
    problem_statement:
      'The module lacks the function its callers need: add it so that it returns the documented value for rectangles and integers alike.',
    FAIL_TO_PASS: JSON.stringify(failToPass),
    PASS_TO_PASS: JSON.stringify(passToPass),
  });
}

describe("import swe-bench with Django's and sympy's own runners, graded end to end", () => {
  let directory: string;
  let reposDir: string;
  let file: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'shakedown-own-runners-test-'));
    reposDir = join(directory, 'repos');
    await mkdir(reposDir);
    const django = await createDjangoStyleHistory(directory);
    const sympy = await createSympyStyleHistory(directory);
    // Django is found by its repository name, the sympy-style project (named otherwise) by its bin/test.
    await rename(django.repositoryDir, join(reposDir, 'django__django'));
    await rename(sympy.repositoryDir, join(reposDir, 'acme__minisym'));
    django.repositoryDir = join(reposDir, 'django__django');
    sympy.repositoryDir = join(reposDir, 'acme__minisym');
    file = join(directory, 'instances.jsonl');
    await writeFile(
      file,
      [
        // SWE-bench's django ids: Python < 3.11's `test_x (module.Class)`, and the docstring line for a test with one.
        await sweBenchRow(
          django,
          'django__django-101',
          'django/django',
          ['tests/geometry/tests.py'],
          ['test_perimeter (geometry.tests.PerimeterTests)', "A square's perimeter is four sides."],
          ['test_area (geometry.tests.AreaTests)', 'The area of a square is its side squared.'],
        ),
        // SWE-bench's sympy ids: bare function names.
        await sweBenchRow(
          sympy,
          'acme__minisym-7',
          'acme/minisym',
          ['minisym/core/tests/test_numbers.py'],
          ['test_lcm'],
          ['test_gcd', 'test_gcd_of_coprimes'],
        ),
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('imports both, and task check finds every FAIL_TO_PASS failing at the base and passing with the fix', {
    timeout: 300_000,
  }, async () => {
    const outDir = join(directory, 'tasks');
    const result = await importSweBench({ file, reposDir, outDir });
    expect(result.errors).toEqual([]);
    expect(result.imported).toEqual(['django-django-101', 'acme-minisym-7']);
    expect(await readFile(join(outDir, 'django-django-101', 'task.yaml'), 'utf8')).toContain(
      'SWE-bench tasks come without their environment',
    );
    for (const taskId of result.imported) {
      const task = await loadTask(join(outDir, taskId));
      const report = await checkTask(task, { runs: 1, sandbox: { backend: 'none' } });
      expect(report.problems, taskId).toEqual([]);
      expect(report.valid, taskId).toBe(true);
      expect(report.failToPass).toEqual(task.failToPass);
      expect(report.passToPass).toEqual(task.passToPass);
    }
  });

  it('reports a FAIL_TO_PASS id the runner never printed as a problem, not as a pass', {
    timeout: 300_000,
  }, async () => {
    const outDir = join(directory, 'wrong-ids');
    await importSweBench({ file, reposDir, outDir });
    const task = await loadTask(join(outDir, 'acme-minisym-7'));
    const report = await checkTask(
      { ...task, failToPass: ['test_lcm_of_nothing'] },
      { runs: 1, sandbox: { backend: 'none' } },
    );
    expect(report.valid).toBe(false);
    expect(report.problems.map((problem) => problem.message).join('\n')).toContain('test_lcm_of_nothing');
  });
});
