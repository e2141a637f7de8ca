import { describe, expect, it } from 'vitest';
import { parseJestJson, parseVitestJson } from './parse-jest-json.ts';
import { TestOutputParseError } from './test-result.ts';

// Printed by vitest 3 `vitest run --reporter=json` (stack trimmed): a describe tree, skip, todo, and a file that
// failed to import.
const vitestReport = JSON.stringify({
  numTotalTestSuites: 4,
  numTotalTests: 5,
  startTime: 1795700356555,
  success: false,
  testResults: [
    {
      assertionResults: [
        {
          ancestorTitles: ['Math', 'add'],
          fullName: 'Math add adds',
          status: 'passed',
          title: 'adds',
          duration: 1.421,
          failureMessages: [],
          meta: {},
        },
        {
          ancestorTitles: ['Math', 'add'],
          fullName: 'Math add fails',
          status: 'failed',
          title: 'fails',
          duration: 7.88,
          failureMessages: [
            'AssertionError: expected 1 to be 2 // Object.is equality\n    at /tmp/probe/vt/src/a.test.ts:2:117',
          ],
          meta: {},
        },
        {
          ancestorTitles: ['Math', 'add'],
          fullName: 'Math add skipped',
          status: 'skipped',
          title: 'skipped',
          failureMessages: [],
          meta: {},
        },
        {
          ancestorTitles: ['Math', 'add'],
          fullName: 'Math add todo',
          status: 'todo',
          title: 'todo',
          failureMessages: [],
          meta: {},
        },
        {
          ancestorTitles: [],
          fullName: 'top',
          status: 'passed',
          title: 'top',
          duration: 0.16,
          failureMessages: [],
          meta: {},
        },
      ],
      startTime: 1795700356819,
      endTime: 1795700356829.1628,
      status: 'failed',
      message: '',
      name: '/tmp/probe/vt/src/a.test.ts',
    },
    {
      assertionResults: [],
      startTime: 1795700356555,
      endTime: 1795700356555,
      status: 'failed',
      message: "Cannot find package 'nonexistent-module-x' imported from '/tmp/probe/vt/src/b.test.ts'",
      name: '/tmp/probe/vt/src/b.test.ts',
    },
  ],
});

// `jest --json` (jest 29): "pending" for skipped tests, file path outside rootDir.
const jestReport = `Determining test suites to run...
{"numFailedTestSuites":0,"numTotalTests":2,"success":true,"testResults":[{"assertionResults":[{"ancestorTitles":["Calc"],"duration":3,"failureDetails":[],"failureMessages":[],"fullName":"Calc adds","invocations":1,"location":null,"numPassingAsserts":1,"retryReasons":[],"status":"passed","title":"adds"},{"ancestorTitles":["Calc"],"duration":null,"failureDetails":[],"failureMessages":[],"fullName":"Calc later","invocations":1,"location":null,"numPassingAsserts":0,"retryReasons":[],"status":"pending","title":"later"}],"endTime":1700000000500,"message":"","name":"/repo/src/calc.test.js","startTime":1700000000000,"status":"passed","summary":""}],"wasInterrupted":false}
`;

describe('parseVitestJson', () => {
  it('builds "file > suite > test" ids relative to the root and maps statuses', () => {
    const results = parseVitestJson(vitestReport, { rootDir: '/tmp/probe/vt' });
    expect(results.map((result) => [result.id, result.status])).toEqual([
      ['src/a.test.ts > Math > add > adds', 'passed'],
      ['src/a.test.ts > Math > add > fails', 'failed'],
      ['src/a.test.ts > Math > add > skipped', 'skipped'],
      ['src/a.test.ts > Math > add > todo', 'skipped'],
      ['src/a.test.ts > top', 'passed'],
      ['src/b.test.ts', 'error'],
    ]);
    expect(results[1].message).toMatch(/^AssertionError: expected 1 to be 2/);
    expect(results[0].durationMs).toBe(1.421);
    expect(results[5].message).toContain('nonexistent-module-x');
  });
});

describe('parseJestJson', () => {
  it('tolerates log lines around the document and keeps paths outside rootDir as printed', () => {
    const results = parseJestJson(jestReport, { rootDir: '/elsewhere' });
    expect(results).toEqual([
      { id: '/repo/src/calc.test.js > Calc > adds', status: 'passed', durationMs: 3 },
      { id: '/repo/src/calc.test.js > Calc > later', status: 'skipped' },
    ]);
  });

  it('rejects output without a report', () => {
    expect(() => parseJestJson('FAIL src/calc.test.js\nSyntaxError')).toThrow(TestOutputParseError);
    expect(() => parseJestJson('{"numTotalTests": 0}')).toThrow(
      /jest-json: JSON report has no "testResults" array/,
    );
    expect(() => parseVitestJson('{ broken')).toThrow(/vitest-json/);
  });
});
