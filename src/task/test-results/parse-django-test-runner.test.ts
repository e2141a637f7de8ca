import { describe, expect, it } from 'vitest';
import { findTestResults } from './match-test-id.ts';
import { parseDjangoTestRunner } from './parse-django-test-runner.ts';

// Format: Django's tests/runtests.py --verbosity 2 prints through unittest.TextTestRunner
// (django/test/runner.py DiscoverRunner.test_runner); Python 3.11's unittest names a test
// `test_x (module.Class.test_x)` and prints a docstring's first line on the result's line. Captured from
// test-support/own-runner-histories.ts's miniature runtests.py on Python 3.11.7.
const python311 = `test_area (geometry.tests.AreaTests.test_area) ... ok
test_area_of_square (geometry.tests.AreaTests.test_area_of_square)
The area of a square is its side squared. ... ok
test_perimeter (geometry.tests.PerimeterTests.test_perimeter) ... ERROR
test_perimeter_of_square (geometry.tests.PerimeterTests.test_perimeter_of_square)
A square's perimeter is four sides. ... ERROR

======================================================================
ERROR: test_perimeter (geometry.tests.PerimeterTests.test_perimeter)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/tmp/ort/minidjango/tests/geometry/tests.py", line 17, in test_perimeter
    self.assertEqual(geometry.perimeter(2, 3), 10)
                     ^^^^^^^^^^^^^^^^^^
AttributeError: module 'shapes.geometry' has no attribute 'perimeter'

======================================================================
ERROR: test_perimeter_of_square (geometry.tests.PerimeterTests.test_perimeter_of_square)
A square's perimeter is four sides.
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/tmp/ort/minidjango/tests/geometry/tests.py", line 21, in test_perimeter_of_square
    self.assertEqual(geometry.perimeter(1, 1), 4)
                     ^^^^^^^^^^^^^^^^^^
AttributeError: module 'shapes.geometry' has no attribute 'perimeter'

----------------------------------------------------------------------
Ran 4 tests in 0.029s

FAILED (errors=2)
`;

// Python < 3.11 (the SWE-bench images): `test_x (module.Class)`, the form of SWE-bench's FAIL_TO_PASS ids for
// django/django; the lines below are written to that format with the cases SWE-bench's parse_log_django handles
// (swebench/harness/log_parsers/python.py): a skip, an expected failure, a result pushed to its own line by the
// test's output, and a module that does not import.
const python39 = `Testing against Django installed in '/testbed/django'
Importing application queries
Skipping setup of unused database(s): other.
test_ticket_24605 (queries.tests.Ticket24605Tests) ... ok
test_or_with_rhs_slice (queries.tests.QuerySetBitwiseOperationTests) ... FAIL
test_xor_with_rhs_slice (queries.tests.QuerySetBitwiseOperationTests) ... skipped 'Database has feature(s) supports_select_union'
test_known_bug (queries.tests.KnownBugTests) ... expected failure
test_output (queries.tests.NoisyTests) ... System check identified no issues (0 silenced).
ok
queries.test_missing (unittest.loader._FailedTest) ... ERROR

======================================================================
ERROR: queries.test_missing (unittest.loader._FailedTest)
----------------------------------------------------------------------
ImportError: Failed to import test module: queries.test_missing
Traceback (most recent call last):
ModuleNotFoundError: No module named 'queries.test_missing'


======================================================================
FAIL: test_or_with_rhs_slice (queries.tests.QuerySetBitwiseOperationTests)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/testbed/tests/queries/tests.py", line 1425, in test_or_with_rhs_slice
    self.assertCountEqual(qs1 | qs2, [self.num1, self.num2])
AssertionError: Element counts were not equal

----------------------------------------------------------------------
Ran 6 tests in 0.101s

FAILED (failures=1, errors=1, skipped=1, expected failures=1)
`;

describe('parseDjangoTestRunner', () => {
  it('reads Python 3.11 output under the ids SWE-bench uses, with docstrings and tracebacks', () => {
    const results = parseDjangoTestRunner(python311);
    expect(results.map((result) => [result.id, result.status])).toEqual([
      ['test_area (geometry.tests.AreaTests)', 'passed'],
      ['test_area_of_square (geometry.tests.AreaTests)', 'passed'],
      ['test_perimeter (geometry.tests.PerimeterTests)', 'error'],
      ['test_perimeter_of_square (geometry.tests.PerimeterTests)', 'error'],
    ]);
    expect(results[2].message).toBe("AttributeError: module 'shapes.geometry' has no attribute 'perimeter'");
    expect(results[1].aliases).toEqual(
      expect.arrayContaining([
        'geometry.tests.AreaTests.test_area_of_square',
        'test_area_of_square (geometry.tests.AreaTests.test_area_of_square)',
        'The area of a square is its side squared.',
      ]),
    );
    // A SWE-bench id naming the test by its docstring finds it.
    expect(findTestResults("A square's perimeter is four sides.", results)[0]?.status).toBe('error');
  });

  it('reads Python < 3.11 output: skips, expected failures, results after printed output, import errors', () => {
    const results = parseDjangoTestRunner(python39);
    const status = (id: string) => findTestResults(id, results).map((result) => result.status);
    expect(status('test_ticket_24605 (queries.tests.Ticket24605Tests)')).toEqual(['passed']);
    expect(status('test_or_with_rhs_slice (queries.tests.QuerySetBitwiseOperationTests)')).toEqual([
      'failed',
    ]);
    expect(status('queries.tests.QuerySetBitwiseOperationTests.test_xor_with_rhs_slice')).toEqual([
      'skipped',
    ]);
    expect(status('test_known_bug (queries.tests.KnownBugTests)')).toEqual(['skipped']);
    expect(status('test_output (queries.tests.NoisyTests)')).toEqual(['passed']);
    const failed = findTestResults(
      'test_or_with_rhs_slice (queries.tests.QuerySetBitwiseOperationTests)',
      results,
    );
    expect(failed[0].message).toBe('AssertionError: Element counts were not equal');
    const skipped = findTestResults(
      'test_xor_with_rhs_slice (queries.tests.QuerySetBitwiseOperationTests)',
      results,
    );
    expect(skipped[0].message).toBe("'Database has feature(s) supports_select_union'");
    const importError = findTestResults('queries.test_missing (unittest.loader._FailedTest)', results);
    expect(importError[0]).toMatchObject({
      status: 'error',
      message: "ModuleNotFoundError: No module named 'queries.test_missing'",
    });
    expect(results).toHaveLength(6);
  });

  it('finds nothing in output of another runner', () => {
    expect(parseDjangoTestRunner('PASSED tests/test_x.py::test_a\n1 passed in 0.01s\n')).toEqual([]);
  });
});
