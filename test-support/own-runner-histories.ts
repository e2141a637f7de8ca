import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runGit } from '../src/workspace/run-git.ts';

/** A repository with two commits: the root, and a fix that changes source and tests together. */
export interface OwnRunnerHistory {
  repositoryDir: string;
  root: string;
  fix: string;
}

async function commitFiles(
  repositoryDir: string,
  message: string,
  files: Record<string, string>,
  executable: string[] = [],
): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(repositoryDir, path)), { recursive: true });
    await writeFile(join(repositoryDir, path), content);
    if (executable.includes(path)) await chmod(join(repositoryDir, path), 0o755);
  }
  await runGit(['add', '--all'], { cwd: repositoryDir });
  await runGit(['commit', '--quiet', '--no-gpg-sign', '-m', message], { cwd: repositoryDir });
  return (await runGit(['rev-parse', 'HEAD'], { cwd: repositoryDir })).trim();
}

/**
 * Django's tests/runtests.py in miniature: the same arguments (`--verbosity`, `--settings`, `--parallel`, dotted
 * labels relative to tests/), tests found as Django finds them, and run by the runner Django's DiscoverRunner uses,
 * unittest.TextTestRunner, so the output is Django's own format (`test_x (app.tests.Case) ... ok`, `FAIL: ...`).
 */
const djangoRuntests = `#!/usr/bin/env python3
import argparse
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [here, os.path.dirname(here)]
parser = argparse.ArgumentParser(description="Run the test suite.")
parser.add_argument("modules", nargs="*", metavar="module")
parser.add_argument("-v", "--verbosity", default=1, type=int, choices=[0, 1, 2, 3])
parser.add_argument("--settings")
parser.add_argument("--parallel", nargs="?", default=0)
options = parser.parse_args()
loader = unittest.defaultTestLoader
if options.modules:
    suite = loader.loadTestsFromNames(options.modules)
else:
    suite = loader.discover(here, pattern="test*.py", top_level_dir=here)
result = unittest.TextTestRunner(verbosity=options.verbosity).run(suite)
sys.exit(0 if result.wasSuccessful() else 1)
`;

const geometrySource = 'def area(width, height):\n    return width * height\n';
const geometryTests = `import unittest

from shapes import geometry


class AreaTests(unittest.TestCase):
    def test_area(self):
        self.assertEqual(geometry.area(2, 3), 6)

    def test_area_of_square(self):
        """The area of a square is its side squared."""
        self.assertEqual(geometry.area(4, 4), 16)
`;

/**
 * Test support: a project tested as Django is (tests/runtests.py, apps under tests/ with a tests.py); the fix adds
 * `perimeter` and its tests (one with a docstring, which Django's verbose output prints on the result's line).
 */
export async function createDjangoStyleHistory(directory: string): Promise<OwnRunnerHistory> {
  const repositoryDir = join(directory, 'minidjango');
  await mkdir(repositoryDir, { recursive: true });
  await runGit(['init', '--quiet', '--initial-branch=main'], { cwd: repositoryDir });
  const root = await commitFiles(
    repositoryDir,
    'Initial shapes',
    {
      'tests/runtests.py': djangoRuntests,
      'shapes/__init__.py': '',
      'shapes/geometry.py': geometrySource,
      'tests/geometry/__init__.py': '',
      'tests/geometry/tests.py': geometryTests,
    },
    ['tests/runtests.py'],
  );
  const fix = await commitFiles(
    repositoryDir,
    'Add the perimeter of a rectangle\n\nshapes.geometry.perimeter(width, height) returns twice the sum of the sides.',
    {
      'shapes/geometry.py': `${geometrySource}\n\ndef perimeter(width, height):\n    return 2 * (width + height)\n`,
      'tests/geometry/tests.py': `${geometryTests}\n\nclass PerimeterTests(unittest.TestCase):\n    def test_perimeter(self):\n        self.assertEqual(geometry.perimeter(2, 3), 10)\n\n    def test_perimeter_of_square(self):\n        """A square's perimeter is four sides."""\n        self.assertEqual(geometry.perimeter(1, 1), 4)\n`,
    },
  );
  return { repositoryDir, root, fix };
}

/**
 * sympy's bin/test and sympy/testing/runtests.py in miniature: test files run in the order given (every
 * `test_*.py` file in a `tests` folder when none is), their `test_*` functions in definition order, reported as sympy's
 * PyTestReporter writes (entering_filename, entering_test, test_pass/test_fail/test_exception/test_skip,
 * leaving_filename, import_error, and finish's traceback sections and summary).
 */
const sympyRuntests = `import importlib
import os
import sys
import time
import traceback


def center(text, delim="="):
    width = 80
    if text:
        text = " %s " % text
    left = (width - len(text)) // 2
    return delim * left + text + delim * (width - left - len(text)) + "\\n"


def test(*paths, verbose=False):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.path.insert(0, root)
    if not paths:
        paths = sorted(
            os.path.relpath(os.path.join(folder, name), root)
            for folder, _, names in os.walk(os.path.join(root, "minisym"))
            for name in names
            if os.path.basename(folder) == "tests" and name.startswith("test_") and name.endswith(".py")
        )
    write = sys.stdout.write
    write(center("test process starts"))
    write("executable:         %s  (%s)\\n\\n" % (sys.executable, sys.version.split()[0]))
    passed, skipped, failed, exceptions = 0, 0, [], []
    started = time.time()
    for path in paths:
        try:
            module = importlib.import_module(path[:-3].replace("/", "."))
        except Exception:
            exceptions.append((path, None, sys.exc_info()))
            write(path + "[?]   Failed to import" + " " + "[FAIL]".rjust(30) + "\\n")
            continue
        functions = [value for name, value in vars(module).items() if name.startswith("test_") and callable(value)]
        write("%s[%d] " % (path, len(functions)))
        file_error = False
        for function in functions:
            if verbose:
                write("\\n" + function.__name__ + " ")
            try:
                function()
            except Exception:
                kind, value, tb = sys.exc_info()
                if kind is AssertionError:
                    failed.append((path, function, (kind, value, tb)))
                    write("F")
                    file_error = True
                elif kind.__name__ == "Skipped":
                    skipped += 1
                    write((str(value) + " ") if verbose else "")
                    write("s")
                else:
                    exceptions.append((path, function, (kind, value, tb)))
                    write("E")
                    file_error = True
            else:
                passed += 1
                write("ok" if verbose else ".")
        write(" " + ("[FAIL]" if file_error else "[OK]").rjust(30) + "\\n")
        if verbose:
            write("\\n")
    write("\\n")
    for group in (exceptions, failed):
        for path, function, (kind, value, tb) in group:
            write(center("", "_"))
            write(center(path if function is None else "%s:%s" % (path, function.__name__), "_"))
            write("".join(traceback.format_exception(kind, value, tb)))
        if group:
            write("\\n")
    summary = "tests finished: %d passed, " % passed
    if failed:
        summary += "%d failed, " % len(failed)
    if skipped:
        summary += "%d skipped, " % skipped
    if exceptions:
        summary += "%d exceptions, " % len(exceptions)
    write(center(summary + "in %.2f seconds" % (time.time() - started)))
    ok = not failed and not exceptions
    if not ok:
        write("DO *NOT* COMMIT!\\n")
    return ok
`;

const sympyBinTest = `#!/usr/bin/env python3
"""Program to execute doctests and unit tests (a miniature of sympy's bin/test)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from minisym.testing.runtests import test

paths = [argument for argument in sys.argv[1:] if not argument.startswith("-")]
sys.exit(0 if test(*paths, verbose="--verbose" in sys.argv or "-v" in sys.argv) else 1)
`;

const numbersSource = 'def gcd(a, b):\n    while b:\n        a, b = b, a % b\n    return a\n';
const numbersTests =
  'from minisym.core import numbers\n\n\ndef test_gcd():\n    assert numbers.gcd(4, 6) == 2\n\n\ndef test_gcd_of_coprimes():\n    assert numbers.gcd(3, 5) == 1\n';

/** Test support: a project tested as sympy is (bin/test); the fix adds `lcm` and its test. */
export async function createSympyStyleHistory(directory: string): Promise<OwnRunnerHistory> {
  const repositoryDir = join(directory, 'minisym');
  await mkdir(repositoryDir, { recursive: true });
  await runGit(['init', '--quiet', '--initial-branch=main'], { cwd: repositoryDir });
  const root = await commitFiles(
    repositoryDir,
    'Initial numbers',
    {
      'bin/test': sympyBinTest,
      'minisym/__init__.py': '',
      'minisym/testing/__init__.py': '',
      'minisym/testing/runtests.py': sympyRuntests,
      'minisym/core/__init__.py': '',
      'minisym/core/numbers.py': numbersSource,
      'minisym/core/tests/__init__.py': '',
      'minisym/core/tests/test_numbers.py': numbersTests,
    },
    ['bin/test'],
  );
  const fix = await commitFiles(
    repositoryDir,
    'Add the least common multiple\n\nminisym.core.numbers.lcm(a, b) returns the least common multiple of two integers.',
    {
      'minisym/core/numbers.py': `${numbersSource}\n\ndef lcm(a, b):\n    return a * b // gcd(a, b)\n`,
      'minisym/core/tests/test_numbers.py': `${numbersTests}\n\ndef test_lcm():\n    assert numbers.lcm(4, 6) == 12\n`,
    },
  );
  return { repositoryDir, root, fix };
}
