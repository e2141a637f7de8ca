import { describe, expect, it } from 'vitest';
import { parsePytest } from './parse-pytest.ts';

// Tail of `pytest -rA` (pytest 9).
const summary = `==================================== PASSES ====================================
=========================== short test summary info ============================
PASSED tests/test_x.py::test_a
PASSED tests/test_x.py::TestK::test_p[1]
PASSED tests/test_x.py::TestK::test_p[a b]
SKIPPED [1] tests/test_x.py:4: later
ERROR tests/test_x.py::test_e - RuntimeError: fixture boom
FAILED tests/test_x.py::test_b - AssertionError: nope
FAILED tests/test_x.py::test_c[x - y] - assert a[0] == 1
XFAIL tests/test_x.py::test_d - reason: known bug
XPASS tests/test_x.py::test_f
=============== 2 failed, 3 passed, 1 skipped, 1 error in 1.12s ================`;

// Progress lines of `pytest -v`.
const verbose = `tests/test_x.py::test_a PASSED                                           [ 16%]
tests/test_x.py::test_b FAILED                                           [ 33%]
tests/test_x.py::test_s SKIPPED (later)                                  [ 50%]
tests/test_x.py::TestK::test_p[a b] PASSED                               [ 83%]`;

describe('parsePytest', () => {
  it('reads the -rA short summary', () => {
    const results = parsePytest(summary);
    expect(results.map((result) => [result.id, result.status, result.message])).toEqual([
      ['tests/test_x.py::test_a', 'passed', undefined],
      ['tests/test_x.py::TestK::test_p[1]', 'passed', undefined],
      ['tests/test_x.py::TestK::test_p[a b]', 'passed', undefined],
      ['tests/test_x.py:4', 'skipped', 'later'],
      ['tests/test_x.py::test_e', 'error', 'RuntimeError: fixture boom'],
      ['tests/test_x.py::test_b', 'failed', 'AssertionError: nope'],
      ['tests/test_x.py::test_c[x - y]', 'failed', 'assert a[0] == 1'],
      ['tests/test_x.py::test_d', 'skipped', 'reason: known bug'],
      ['tests/test_x.py::test_f', 'passed', undefined],
    ]);
  });

  it('reads -v progress lines, which name skipped tests, and keeps the worse of two reports', () => {
    const results = parsePytest(`${verbose}\n${summary}\nERROR tests/test_x.py::test_a - teardown failed`);
    const byId = new Map(results.map((result) => [result.id, result]));
    expect(byId.get('tests/test_x.py::test_s')).toEqual({
      id: 'tests/test_x.py::test_s',
      status: 'skipped',
      message: 'later',
    });
    expect(byId.get('tests/test_x.py::test_a')?.status).toBe('error');
    expect(byId.get('tests/test_x.py::test_a')?.message).toBe('teardown failed');
    expect(byId.get('tests/test_x.py::TestK::test_p[a b]')?.status).toBe('passed');
  });

  it('reports a collection error against the file', () => {
    const results = parsePytest(
      '=========================== short test summary info ============================\nERROR tests/test_z.py\n!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!',
    );
    expect(results).toEqual([{ id: 'tests/test_z.py', status: 'error' }]);
  });

  it('finds nothing in a crash', () => {
    expect(parsePytest('bash: pytest: command not found')).toEqual([]);
  });

  // `pytest -rA -v` (pytest 9.0.3) on a unittest case whose subTest i=2 fails, a passing one, and a test using the
  // `subtests` fixture: the unittest case is still reported PASSED.
  const subtests = `test_sub.py::T::test_cases SUBPASSED(i=0)                                [ 33%]
test_sub.py::T::test_cases SUBPASSED(i=1)                                [ 33%]
test_sub.py::T::test_cases SUBFAILED(i=2)                                [ 33%]
test_sub.py::T::test_cases PASSED                                        [ 33%]
test_sub.py::T::test_ok SUBPASSED(i=0)                                   [ 66%]
test_sub.py::T::test_ok PASSED                                           [ 66%]
test_sub.py::test_pytest_subtests SUBPASSED[x] (i=0)                     [100%]
test_sub.py::test_pytest_subtests SUBFAILED[x] (i=1)                     [100%]
test_sub.py::test_pytest_subtests FAILED                                 [100%]
=========================== short test summary info ============================
PASSED test_sub.py::T::test_cases
PASSED test_sub.py::T::test_ok
SUBFAILED(i=2) test_sub.py::T::test_cases - AssertionError: 2 not less than 2
SUBFAILED[x] (i=1) test_sub.py::test_pytest_subtests - assert 1 == 0
FAILED test_sub.py::test_pytest_subtests - contains 1 failed subtest
========================= 3 failed, 2 passed in 0.46s ==========================`;

  it('fails a test whose subtest failed although pytest reports it PASSED', () => {
    const results = parsePytest(subtests);
    expect(results.map((result) => [result.id, result.status])).toEqual([
      ['test_sub.py::T::test_cases', 'failed'],
      ['test_sub.py::T::test_ok', 'passed'],
      ['test_sub.py::test_pytest_subtests', 'failed'],
    ]);
    expect(results[0]?.message).toBe('subtest (i=2) failed');
  });

  it('fails the test from the summary line alone, with the subtest and its message', () => {
    const summaryOnly = subtests.split('\n').slice(9).join('\n');
    const results = parsePytest(summaryOnly);
    expect(results.find((result) => result.id === 'test_sub.py::T::test_cases')).toEqual({
      id: 'test_sub.py::T::test_cases',
      status: 'failed',
      message: 'subtest (i=2) failed: AssertionError: 2 not less than 2',
    });
    expect(results.find((result) => result.id === 'test_sub.py::test_pytest_subtests')?.status).toBe(
      'failed',
    );
  });

  it('reads the older pytest-subtests plugin words (SUBFAIL, SUBPASS)', () => {
    const results = parsePytest(
      [
        'tests/test_a.py::test_x [custom] (i=1) SUBFAIL                        [ 50%]',
        'tests/test_a.py::test_x [custom] (i=0) SUBPASS                        [ 50%]',
        'tests/test_a.py::test_x PASSED                                          [ 50%]',
        'tests/test_a.py::test_y [custom] (i=0) SUBPASS                        [100%]',
        'tests/test_a.py::test_y PASSED                                          [100%]',
      ].join('\n'),
    );
    expect(results.map((result) => [result.id, result.status])).toEqual([
      ['tests/test_a.py::test_x', 'failed'],
      ['tests/test_a.py::test_y', 'passed'],
    ]);
  });
});
