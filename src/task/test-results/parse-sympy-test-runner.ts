import type { TestResult, TestStatus } from './test-result.ts';
import { truncateMessage } from './truncate-message.ts';
import { worstStatus } from './worst-status.ts';

const fileHeaderPattern = /^(\S+\.py)\[(\d+|\?)\]\s*(.*?)\s*(?:\[(?:OK|FAIL)\])?$/;
const testLinePattern = /^(test_\w*) (.*?)\s*(?:\[(?:OK|FAIL)\])?$/;
const tracebackHeaderPattern = /^_+ (\S+\.py)(?::(\w+))? _+$/;
const separatorPattern = /^(_{10,}|=+ tests finished.*)$/;

/** The status of the mark sympy's reporter writes after a test's name. */
function statusOf(mark: string): TestStatus | undefined {
  if (mark === 'ok' || mark === 'X') return 'passed';
  if (mark === 'F') return 'failed';
  if (mark === 'E' || mark === 'T') return 'error';
  // xfail (`f`), skip (`s`, or `w` for slow and `K` for interrupted, after the skip message or " - ").
  if (/^(f|[swK]|.*\s[swKT])$/.test(mark)) return 'skipped';
  return undefined;
}

/**
 * Parses the verbose output of sympy's `bin/test -C --verbose` (sympy/testing/runtests.py, PyTestReporter): a file
 * header `sympy/core/tests/test_basic.py[3] `, one line per test function (`test_x ok`, `F` failed, `E` or `T`
 * (timeout) error, `f` expected failure, `X` unexpected pass, a skip ending in `s`, `w` or `K`), `[OK]` / `[FAIL]`
 * after the file's last test, `path[?]   Failed to import` for a module that does not import, then one section per
 * failure or exception (`____ path:test_x ____`, or `____ path ____` for an import failure, and its traceback, whose last line becomes the message).
 *
 * Ids are `path::test_x`, with the bare function name `test_x` (the form SWE-bench's FAIL_TO_PASS lists use) as an
 * alias; a module that does not import is an `error` with the path as id. Expected failures are `skipped`,
 * unexpected passes `passed`, as in pytest's parser.
 */
export function parseSympyTestRunner(output: string): TestResult[] {
  const results = new Map<string, TestResult>();
  const record = (id: string, name: string | undefined, status: TestStatus, message?: string) => {
    const existing = results.get(id);
    if (existing) {
      const merged = worstStatus(existing.status, status);
      if (merged !== existing.status || (message && !existing.message)) {
        existing.status = merged;
        if (message) existing.message = truncateMessage(message);
      }
      return;
    }
    const result: TestResult = { id, status };
    if (name) result.aliases = [name];
    if (message) result.message = truncateMessage(message);
    results.set(id, result);
  };

  const lines = output.split(/\r?\n/).map((line) => line.trimEnd());
  let file: string | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const traceback = tracebackHeaderPattern.exec(line);
    if (traceback) {
      const body: string[] = [];
      let end = index + 1;
      while (end < lines.length && !separatorPattern.test(lines[end])) body.push(lines[end++]);
      const message = body
        .filter((text) => text.trim() !== '')
        .at(-1)
        ?.trim();
      // A section without a test name is a module that did not import.
      const id = traceback[2] ? `${traceback[1]}::${traceback[2]}` : traceback[1];
      const existing = results.get(id);
      record(id, traceback[2], existing?.status ?? (traceback[2] ? 'failed' : 'error'));
      // The traceback's last line says more than "Failed to import".
      const entry = results.get(id);
      if (entry && message) entry.message = truncateMessage(message);
      index = end - 1;
      continue;
    }
    const header = fileHeaderPattern.exec(line);
    if (header) {
      file = header[1];
      if (header[2] === '?') {
        record(file, undefined, 'error', header[3] || 'Failed to import');
      }
      continue;
    }
    const test = testLinePattern.exec(line);
    if (test && file) {
      const status = statusOf(test[2].trim());
      if (status) {
        const mark = test[2].trim();
        const skipReason = status === 'skipped' && mark.length > 1 ? mark.slice(0, -1).trim() : '';
        record(
          `${file}::${test[1]}`,
          test[1],
          status,
          skipReason && skipReason !== '-' ? skipReason : undefined,
        );
      }
    }
  }
  return [...results.values()];
}
