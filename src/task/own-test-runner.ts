import type { TestOutputFormat } from './test-results/test-result.ts';

/** Python projects that test with a runner of their own rather than pytest, whose test ids differ. */
export type OwnTestRunner = 'django' | 'sympy';

/** The runner of a SWE-bench repository, by its `owner/name` (SWE-bench's MAP_REPO_TO_PARSER_PY). */
export const ownTestRunnerOfRepository: Readonly<Record<string, OwnTestRunner>> = {
  'django/django': 'django',
  'sympy/sympy': 'sympy',
};

/** How each runner is started and read. */
export const ownTestRunners: Readonly<
  Record<
    OwnTestRunner,
    {
      /** SWE-bench's command (swebench/harness/constants/python.py TEST_DJANGO, TEST_SYMPY); labels follow it. */
      sweBenchCommand: string;
      /** The command mining uses: `{test_files}` becomes labels (nothing: the whole suite). */
      mineCommand: string;
      format: TestOutputFormat;
      description: string;
    }
  >
> = {
  django: {
    sweBenchCommand: './tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1',
    mineCommand: 'python3 tests/runtests.py --verbosity 2 --parallel 1 {test_files}',
    format: 'django',
    description: "Django's tests/runtests.py (labels like app.tests)",
  },
  sympy: {
    sweBenchCommand: "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' bin/test -C --verbose",
    mineCommand: 'python3 bin/test -C --verbose {test_files}',
    format: 'sympy',
    description: "sympy's bin/test (test file paths)",
  },
};

/**
 * The project's own runner, from its files: a `tests/runtests.py` is Django's; a `bin/test` that calls a
 * `runtests` module is sympy's. Undefined for anything else (pytest is the default).
 */
export async function detectOwnTestRunner(
  paths: readonly string[],
  read: (path: string) => Promise<string | undefined>,
): Promise<OwnTestRunner | undefined> {
  if (paths.includes('tests/runtests.py')) return 'django';
  if (paths.includes('bin/test') && /\bruntests\b/.test((await read('bin/test')) ?? '')) return 'sympy';
  return undefined;
}

/**
 * What the runner is given to run `files` (SWE-bench's get_test_directives): Python test modules only; for Django
 * dotted labels relative to tests/ (`tests/queries/tests.py` → `queries.tests`), for sympy the paths themselves.
 */
export function ownRunnerLabels(runner: OwnTestRunner, files: readonly string[]): string[] {
  const modules = files.filter((path) => path.endsWith('.py'));
  if (runner === 'sympy') return modules.filter((path) => /(^|\/)test_[^/]*\.py$/.test(path));
  return modules
    .filter((path) => path.startsWith('tests/') && /^test/.test(path.split('/').at(-1) ?? ''))
    .map((path) => path.slice('tests/'.length, -'.py'.length).replaceAll('/', '.'));
}
