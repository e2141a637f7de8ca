import { describe, expect, it } from 'vitest';
import { findTestResults } from './match-test-id.ts';
import { parseSympyTestRunner } from './parse-sympy-test-runner.ts';

// Format: sympy's `bin/test -C --verbose` (sympy/testing/runtests.py, PyTestReporter: entering_filename writes
// `path[n] `, entering_test `\ntest_x `, then test_pass "ok", test_fail "F", test_exception "E", test_xfail "f",
// test_xpass "X", test_skip "<message> s" or " - s"; leaving_filename a right-aligned "[OK]"/"[FAIL]";
// import_error `path[?]   Failed to import`; finish() a `____ path:test_x ____` section per failure, the summary
// and "DO *NOT* COMMIT!"). The first file's lines are from test-support/own-runner-histories.ts's miniature;
// the others are written to the reporter's format above, which SWE-bench's parse_log_sympy reads
// (swebench/harness/log_parsers/python.py).
const output = `============================= test process starts ==============================
executable:         /opt/miniconda3/envs/testbed/bin/python  (3.9.19-final-0) [CPython]
architecture:       64-bit
cache:              no
ground types:       python
numpy:              None
random seed:        27144123
hash randomization: on (PYTHONHASHSEED=1804337441)

minisym/core/tests/test_numbers.py[3] 
test_gcd ok
test_gcd_of_coprimes ok
test_lcm E                         [FAIL]

sympy/core/tests/test_basic.py[4] 
test__aresame ok
test_structure F
test_slow_thing Slow w
test_known_bug f                                                          [FAIL]

sympy/core/tests/test_broken.py[?]   Failed to import                    [FAIL]

________________________________________________________________________________
_________________ minisym/core/tests/test_numbers.py:test_lcm __________________
Traceback (most recent call last):
  File "/tmp/ort/minisym/minisym/core/tests/test_numbers.py", line 13, in test_lcm
    assert numbers.lcm(4, 6) == 12
AttributeError: module 'minisym.core.numbers' has no attribute 'lcm'
________________________________________________________________________________
______________________ sympy/core/tests/test_broken.py _________________________
Traceback (most recent call last):
ImportError: cannot import name 'Missing' from 'sympy.core'

________________________________________________________________________________
_________________ sympy/core/tests/test_basic.py:test_structure ________________
Traceback (most recent call last):
  File "/testbed/sympy/core/tests/test_basic.py", line 40, in test_structure
    assert bool(b1)
AssertionError

== tests finished: 3 passed, 1 failed, 1 skipped, 1 expected to fail, 2 exceptions, in 0.05 seconds ==
DO *NOT* COMMIT!
`;

describe('parseSympyTestRunner', () => {
  it('reads every mark under path::name ids with the bare name SWE-bench uses as an alias', () => {
    const results = parseSympyTestRunner(output);
    expect(results.map((result) => [result.id, result.status])).toEqual([
      ['minisym/core/tests/test_numbers.py::test_gcd', 'passed'],
      ['minisym/core/tests/test_numbers.py::test_gcd_of_coprimes', 'passed'],
      ['minisym/core/tests/test_numbers.py::test_lcm', 'error'],
      ['sympy/core/tests/test_basic.py::test__aresame', 'passed'],
      ['sympy/core/tests/test_basic.py::test_structure', 'failed'],
      ['sympy/core/tests/test_basic.py::test_slow_thing', 'skipped'],
      ['sympy/core/tests/test_basic.py::test_known_bug', 'skipped'],
      ['sympy/core/tests/test_broken.py', 'error'],
    ]);
    expect(findTestResults('test_lcm', results)[0].message).toBe(
      "AttributeError: module 'minisym.core.numbers' has no attribute 'lcm'",
    );
    expect(findTestResults('test_structure', results)[0]).toMatchObject({
      status: 'failed',
      message: 'AssertionError',
    });
    expect(findTestResults('test_slow_thing', results)[0].message).toBe('Slow');
    expect(findTestResults('sympy/core/tests/test_broken.py', results)[0].message).toBe(
      "ImportError: cannot import name 'Missing' from 'sympy.core'",
    );
  });

  it('finds nothing in output of another runner', () => {
    expect(parseSympyTestRunner('test_a (app.tests.Case) ... ok\n')).toEqual([]);
  });
});
