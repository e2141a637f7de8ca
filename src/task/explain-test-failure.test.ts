import { describe, expect, it } from 'vitest';
import { describeFirstFailure, keyErrorLine } from './explain-test-failure.ts';

describe('keyErrorLine', () => {
  it('picks the last pytest E line, else the last error line, else the first line', () => {
    expect(
      keyErrorLine(
        "Traceback:\ntests/test_a.py:1: in <module>\n    import mypkg\nE   ModuleNotFoundError: No module named 'mypkg'\n",
      ),
    ).toBe("ModuleNotFoundError: No module named 'mypkg'");
    expect(keyErrorLine('at foo\nTypeError: x is not a function\n  at bar')).toBe(
      'TypeError: x is not a function',
    );
    expect(keyErrorLine('\nassert 1 == 2\n')).toBe('assert 1 == 2');
    expect(keyErrorLine(undefined)).toBeUndefined();
  });
});

describe('describeFirstFailure', () => {
  it('names the first errored test and explains it from the output when it has no message', () => {
    expect(
      describeFirstFailure(
        [
          { id: 'tests/test_b.py::test_x', status: 'failed', message: 'assert 1 == 2' },
          { id: 'tests/test_a.py', status: 'error' },
        ],
        "E   ImportError: cannot import name 'mul' from 'calc'",
      ),
    ).toBe("tests/test_a.py errored: ImportError: cannot import name 'mul' from 'calc'");
    expect(describeFirstFailure([{ id: 'a', status: 'passed' }])).toBeUndefined();
  });
});
