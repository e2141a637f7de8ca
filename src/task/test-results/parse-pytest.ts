import type { TestResult, TestStatus } from './test-result.ts';
import { truncateMessage } from './truncate-message.ts';
import { worstStatus } from './worst-status.ts';

const outcomeStatus: Record<string, TestStatus> = {
  PASSED: 'passed',
  XPASS: 'passed',
  FAILED: 'failed',
  ERROR: 'error',
  SKIPPED: 'skipped',
  XFAIL: 'skipped',
};
const summaryPattern = /^(PASSED|FAILED|ERROR|XFAIL|XPASS) (.+?(?:\[.*?\])?)(?: - (.*))?$/;
const skippedSummaryPattern = /^SKIPPED \[\d+\] (.+?:\d+): ?(.*)$/;
const verbosePattern =
  /^(\S+?::.+?) (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)(?: \((.*)\))?(?:\s+\[\s*\d+%\])?\s*$/;
/** A subtest's word: pytest >= 9 (`SUBFAILED`) and the older pytest-subtests plugin (`SUBFAIL`). */
const subtestWord = '(?:SUB(FAILED|FAIL|PASSED|PASS|SKIPPED|SKIP|XFAIL|XPASS))';
/** `[msg]` and `(key=value)` describing one subtest, before or after the word. */
const subtestLabel = '((?:\\[[^\\]]*\\])? ?(?:\\([^)]*\\))?)';
/** Summary line: `SUBFAILED(i=2) path::id - message`, `SUBFAILED[msg] (i=1) path::id - message`. */
const subtestSummaryPattern = new RegExp(`^${subtestWord}${subtestLabel} (\\S+?::.+?)(?: - (.*))?$`);
/** Progress line: `path::id SUBFAILED(i=2)   [ 33%]`, or the plugin's `path::id [msg] (i=1) SUBFAIL  [ 50%]`. */
const subtestVerbosePattern = new RegExp(
  `^(\\S+?::.+?) ${subtestLabel}\\s*${subtestWord}${subtestLabel}(?:\\s+\\[\\s*\\d+%\\])?\\s*$`,
);

/**
 * Parses pytest's console output. Reads the short test summary that `-rA` prints (`PASSED path::id`,
 * `FAILED path::id - message`, `ERROR path[::id] - message`, `XFAIL`, `XPASS`, `SKIPPED [n] path:line: reason`) and,
 * when `-v` was given, the per-test progress lines (`path::id PASSED   [ 50%]`), which also name skipped tests.
 *
 * Ids are pytest node ids (`tests/test_x.py::TestClass::test_a[param]`); a collection error is an `error` with the
 * file as id; a skip known only from the summary gets `path:line` as id. XFAIL is `skipped`, XPASS `passed`. A test
 * reported more than once (e.g. passed, then errored in teardown) keeps the worse status.
 *
 * Subtests (`unittest` `subTest`, pytest's `subtests` fixture): pytest >= 9 reports a test whose subtests fail as
 * `PASSED` plus `SUBFAILED` lines (the older pytest-subtests plugin: `SUBFAIL`). A failed subtest fails its test, in
 * the summary and in progress lines alike; a passed or skipped subtest changes nothing.
 */
export function parsePytest(output: string): TestResult[] {
  const results = new Map<string, TestResult>();
  const record = (id: string, status: TestStatus, message: string | undefined) => {
    const existing = results.get(id);
    if (existing) {
      const merged = worstStatus(existing.status, status);
      if (merged !== existing.status) {
        existing.status = merged;
        if (message) existing.message = truncateMessage(message);
      }
      return;
    }
    const result: TestResult = { id, status };
    if (message) result.message = truncateMessage(message);
    results.set(id, result);
  };

  const recordSubtest = (id: string, word: string, label: string, message: string | undefined) => {
    if (!word.startsWith('FAIL')) return;
    const described = label.trim() ? `subtest ${label.trim()} failed` : 'a subtest failed';
    record(id.trim(), 'failed', message ? `${described}: ${message}` : described);
  };

  for (const rawLine of output.split(/\r?\n/)) {
    const line = rawLine.trimEnd();
    const subSummary = subtestSummaryPattern.exec(line);
    if (subSummary) {
      recordSubtest(subSummary[3], subSummary[1], subSummary[2], subSummary[4]?.trim());
      continue;
    }
    const subVerbose = subtestVerbosePattern.exec(line);
    if (subVerbose) {
      recordSubtest(subVerbose[1], subVerbose[3], `${subVerbose[2]} ${subVerbose[4]}`, undefined);
      continue;
    }
    const summary = summaryPattern.exec(line);
    if (summary) {
      record(summary[2].trim(), outcomeStatus[summary[1]], summary[3]?.trim());
      continue;
    }
    const skipped = skippedSummaryPattern.exec(line);
    if (skipped) {
      record(skipped[1], 'skipped', skipped[2].trim() || undefined);
      continue;
    }
    const verbose = verbosePattern.exec(line);
    if (verbose) {
      record(verbose[1], outcomeStatus[verbose[2]], verbose[3]);
    }
  }
  return [...results.values()];
}
