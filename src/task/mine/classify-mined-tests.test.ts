import { describe, expect, it } from 'vitest';
import type { TestResult } from '../test-results/test-result.ts';
import { classifyMinedTests } from './classify-mined-tests.ts';

const pass = (id: string): TestResult => ({ id, status: 'passed' });
const fail = (id: string): TestResult => ({ id, status: 'failed' });

describe('classifyMinedTests', () => {
  it('takes FAIL_TO_PASS from the repeated focused runs and PASS_TO_PASS from the whole suite too', () => {
    const tests = classifyMinedTests({
      focused: {
        base: [
          [fail('a.py::new'), pass('a.py::old'), fail('a.py::shaky')],
          [fail('a.py::new'), pass('a.py::old'), pass('a.py::shaky')],
        ],
        gold: [
          [pass('a.py::new'), pass('a.py::old'), pass('a.py::shaky')],
          [pass('a.py::new'), pass('a.py::old'), pass('a.py::shaky')],
        ],
      },
      full: {
        base: [fail('a.py::new'), fail('a.py::old'), pass('b.py::other'), fail('b.py::flip')],
        gold: [pass('a.py::new'), pass('a.py::old'), pass('b.py::other'), pass('b.py::flip')],
      },
    });
    expect(tests.failToPass).toEqual(['a.py::new']);
    expect(tests.passToPass).toEqual(['b.py::other']);
    expect(tests.flaky.sort()).toEqual(['a.py::old', 'a.py::shaky']);
    expect(tests.unconfirmed).toEqual(['b.py::flip']);
    expect(tests.importFailures.size).toBe(0);
  });

  it('traces FAIL_TO_PASS tests to a module that does not import at the base', () => {
    const tests = classifyMinedTests({
      focused: {
        base: [[{ id: 't.py', status: 'error' }, pass('u.py::keep')]],
        gold: [[pass('t.py::one'), pass('t.py::two'), pass('u.py::keep'), pass('u.py::fixed')]],
      },
    });
    expect(tests.failToPass).toEqual(['t.py::one', 't.py::two', 'u.py::fixed']);
    expect([...tests.importFailures]).toEqual([['t.py', ['t.py::one', 't.py::two']]]);
  });
});

describe('classifyMinedTests with node --test ids', () => {
  it('puts tests unreported at the base down to a test file that failed to load there', () => {
    const tests = classifyMinedTests(
      {
        focused: {
          base: [[{ id: 'test::/tmp/work/base-1/test/math.test.js', status: 'failed' }]],
          gold: [[pass('test::add sums'), pass('test::mul multiplies')]],
        },
      },
      ['test/math.test.js'],
    );
    expect(tests.failToPass).toEqual(['test::add sums', 'test::mul multiplies']);
    expect([...tests.importFailures]).toEqual([
      ['test/math.test.js', ['test::add sums', 'test::mul multiplies']],
    ]);
  });
});
