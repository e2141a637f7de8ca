import { describe, expect, it } from 'vitest';
import { canonicalTestId, findTestResults } from './match-test-id.ts';
import type { TestResult } from './test-result.ts';

describe('canonicalTestId', () => {
  it('gives pytest node ids and JUnit classname::name the same key', () => {
    expect(canonicalTestId('tests/test_x.py::TestK::test_p[a/b::c]')).toBe(
      'tests.test_x.TestK.test_p[a/b::c]',
    );
    expect(canonicalTestId('tests.test_x.TestK::test_p[a/b::c]')).toBe('tests.test_x.TestK.test_p[a/b::c]');
  });

  it('gives vitest ids and their JUnit spelling the same key', () => {
    expect(canonicalTestId('src/a.test.ts > Math > adds')).toBe('src.a.test.Math.adds');
    expect(canonicalTestId('./src/a.test.ts::Math > adds')).toBe('src.a.test.Math.adds');
    expect(canonicalTestId('src\\a.test.ts > Math > adds')).toBe('src.a.test.Math.adds');
  });
});

describe('findTestResults', () => {
  const results: TestResult[] = [
    { id: 'tests.test_x::test_a', status: 'passed', aliases: ['tests/test_x.py::test_a'] },
    { id: 'tests.test_x::test_ab', status: 'failed' },
    { id: 'tests.test_y.TestK::test_b', status: 'failed' },
    { id: 'test::adds', status: 'passed', aliases: ['math > adds'] },
    { id: 'example.com/calc::TestDiv/by_zero', status: 'failed' },
  ];

  it('prefers exact ids and aliases', () => {
    expect(findTestResults('math > adds', results)).toEqual([results[3]]);
    expect(findTestResults('tests/test_x.py::test_a', results)).toEqual([results[0]]);
  });

  it('matches canonical spellings', () => {
    expect(findTestResults('tests/test_y.py::TestK::test_b', results)).toEqual([results[2]]);
  });

  it('matches a shorter or longer id at a segment boundary only', () => {
    expect(findTestResults('TestDiv/by_zero', results)).toEqual([results[4]]);
    expect(findTestResults('TestK::test_b', results)).toEqual([results[2]]);
    expect(findTestResults('root/tests/test_y.py::TestK::test_b', results)).toEqual([results[2]]);
    expect(findTestResults('b', results)).toEqual([]);
    expect(findTestResults('tests/test_x.py::test_c', results)).toEqual([]);
    expect(findTestResults('', results)).toEqual([]);
  });
});
