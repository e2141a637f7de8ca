import { describe, expect, it } from 'vitest';
import { isTestFile } from '../is-test-file.ts';
import { humanizeTestName, writeMinedInstruction } from './write-mined-instruction.ts';

describe('humanizeTestName', () => {
  it('turns pytest, Go and vitest ids into words', () => {
    expect(humanizeTestName('tests/test_calc.py::TestCalc::test_mul_negatives[2]')).toBe(
      'Calc: mul negatives',
    );
    expect(humanizeTestName('TestParseURL/empty_host')).toBe('Parse URL: empty host');
    expect(humanizeTestName('test::slugify makes a URL slug')).toBe('slugify makes a URL slug');
    expect(humanizeTestName('src/a.test.ts > parser > rejects empty input')).toBe(
      'parser: rejects empty input',
    );
  });
});

describe('writeMinedInstruction', () => {
  it('uses the subject, the body and the failing test names only', () => {
    expect(writeMinedInstruction('Add mul', 'Multiply.', ['t.py::test_mul', 't.py::test_mul'])).toBe(
      '# Add mul\n\nMultiply.\n\nThe following behaviour is expected:\n\n- t: mul\n',
    );
  });
});

describe('isTestFile', () => {
  it('knows each language convention', () => {
    for (const path of [
      'tests/x.py',
      'a/test_x.py',
      'x_test.py',
      'src/a.test.ts',
      'b.spec.js',
      'src/__tests__/a.js',
      'pkg/a_test.go',
    ]) {
      expect(isTestFile(path), path).toBe(true);
    }
    for (const path of ['calc.py', 'src/testing_utils.ts', 'latest.py', 'pkg/a.go'])
      expect(isTestFile(path), path).toBe(false);
    expect(isTestFile('a_test.go', 'python')).toBe(false);
  });
});
