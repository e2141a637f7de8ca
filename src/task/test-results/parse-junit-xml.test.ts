import { describe, expect, it } from 'vitest';
import { parseJunitXml } from './parse-junit-xml.ts';
import { TestOutputParseError } from './test-result.ts';

// Written by pytest 9 `--junitxml` for a file with a pass, a failure, a skip, a parametrized class and a setup error.
const pytestJunit = `<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="6" time="0.066" timestamp="2026-11-26T13:39:09.351636+00:00" hostname="vm"><testcase classname="tests.test_x" name="test_a" time="0.001" /><testcase classname="tests.test_x" name="test_b" time="0.001"><failure message="AssertionError: nope&#10;assert 1 == 2">&gt;   def test_b(): assert 1 == 2, "nope"
E   AssertionError: nope

tests/test_x.py:3: AssertionError</failure></testcase><testcase classname="tests.test_x" name="test_s" time="0.000"><skipped type="pytest.skip" message="later">/tmp/probe/tests/test_x.py:4: later</skipped></testcase><testcase classname="tests.test_x.TestK" name="test_p[1]" time="0.001" /><testcase classname="tests.test_x.TestK" name="test_p[a b]" time="0.000" /><testcase classname="tests.test_x" name="test_e" time="0.000"><error message="failed on setup with &quot;RuntimeError: fixture boom&quot;">E   RuntimeError: fixture boom</error></testcase></testsuite></testsuites>`;

// Written by Node 20 `node --test --test-reporter=junit` (describe blocks become nested <testsuite>s).
const nodeJunit = `<?xml version="1.0" encoding="utf-8"?>
<testsuites>
	<testsuite name="math" time="0.003009" disabled="0" errors="0" tests="4" failures="1" skipped="2" hostname="vm">
		<testcase name="adds" time="0.000734" classname="test"/>
		<testcase name="fails" time="0.001003" classname="test" failure="1 == 2">
			<failure type="testCodeFailure" message="1 == 2">
Error [ERR_TEST_FAILURE]: 1 == 2
    at TestContext.&lt;anonymous> (file:///tmp/probe/js/a.test.mjs:3:95)
			</failure>
		</testcase>
		<testcase name="skipped" time="0.000111" classname="test">
			<skipped type="skipped" message="later"/>
		</testcase>
		<testsuite name="nested" time="0.0001" tests="1">
			<testcase name="deep" time="0.00002" classname="test"/>
		</testsuite>
	</testsuite>
	<testcase name="top" time="0.000094" classname="test"/>
	<!-- tests 5 -->
</testsuites>`;

describe('parseJunitXml', () => {
  it('reads pytest junit with classname::name ids and every outcome', () => {
    const results = parseJunitXml(pytestJunit);
    expect(results.map((result) => [result.id, result.status])).toEqual([
      ['tests.test_x::test_a', 'passed'],
      ['tests.test_x::test_b', 'failed'],
      ['tests.test_x::test_s', 'skipped'],
      ['tests.test_x.TestK::test_p[1]', 'passed'],
      ['tests.test_x.TestK::test_p[a b]', 'passed'],
      ['tests.test_x::test_e', 'error'],
    ]);
    expect(results[1].message).toBe('AssertionError: nope\nassert 1 == 2');
    expect(results[1].durationMs).toBeCloseTo(1);
    expect(results[2].message).toBe('later');
    expect(results[5].message).toContain('RuntimeError: fixture boom');
  });

  it('reads node junit with nested suites as " > " aliases', () => {
    const results = parseJunitXml(nodeJunit);
    expect(results.map((result) => [result.id, result.aliases, result.status])).toEqual([
      ['test::top', undefined, 'passed'],
      ['test::adds', ['math > adds'], 'passed'],
      ['test::fails', ['math > fails'], 'failed'],
      ['test::skipped', ['math > skipped'], 'skipped'],
      ['test::deep', ['math > nested > deep'], 'passed'],
    ]);
    expect(results[2].message).toBe('1 == 2');
  });

  it('accepts a bare <testsuite> root and a file attribute', () => {
    const results = parseJunitXml(
      '<testsuite name="jest"><testcase classname="Calc adds" name="adds" file="src/calc.test.js"><failure>boom</failure></testcase></testsuite>',
    );
    expect(results).toEqual([
      {
        id: 'Calc adds::adds',
        status: 'failed',
        aliases: ['src/calc.test.js::adds', 'jest > adds'],
        message: 'boom',
      },
    ]);
  });

  it('returns no results for an empty report and rejects malformed XML', () => {
    expect(parseJunitXml('<testsuites></testsuites>')).toEqual([]);
    expect(() => parseJunitXml('<testsuites><testcase name="a"></testsuites>')).toThrow(TestOutputParseError);
    expect(() => parseJunitXml('Traceback: no such file')).toThrow(/junit-xml: no XML found/);
    expect(() => parseJunitXml('<html></html>')).toThrow(/neither <testsuites> nor <testsuite>/);
  });
});
