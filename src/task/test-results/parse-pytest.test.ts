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
});
