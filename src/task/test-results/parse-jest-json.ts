import { isAbsolute, relative, sep } from 'node:path';
import {
  type ParseTestOutputOptions,
  type TestOutputFormat,
  TestOutputParseError,
  type TestResult,
  type TestStatus,
} from './test-result.ts';
import { truncateMessage } from './truncate-message.ts';

interface AssertionResult {
  ancestorTitles?: unknown;
  title?: unknown;
  fullName?: unknown;
  status?: unknown;
  duration?: unknown;
  failureMessages?: unknown;
}

const assertionStatus: Record<string, TestStatus> = {
  passed: 'passed',
  failed: 'failed',
  pending: 'skipped',
  skipped: 'skipped',
  todo: 'skipped',
  disabled: 'skipped',
  focused: 'passed',
};

/**
 * Parses the JSON report of `vitest run --reporter=json` or `jest --json` (same shape: `testResults[]` per file,
 * each with `assertionResults[]`). Text before/after the JSON document (logs on stdout) is tolerated.
 *
 * The id is `relative/file.test.ts > Suite > test name` (the file relative to `rootDir` when given and inside it,
 * with `/` separators). Status `pending`, `skipped`, `todo`, `disabled` map to `skipped`. A file that failed as a
 * whole (import error, syntax error) with no assertion results becomes one `error` result whose id is the file.
 */
export function parseJestJson(
  output: string,
  options: ParseTestOutputOptions = {},
  format: TestOutputFormat = 'jest-json',
): TestResult[] {
  const report = extractJson(output, format);
  if (
    typeof report !== 'object' ||
    report === null ||
    !Array.isArray((report as { testResults?: unknown }).testResults)
  ) {
    throw new TestOutputParseError(format, 'JSON report has no "testResults" array');
  }
  const results: TestResult[] = [];
  for (const fileResult of (report as { testResults: unknown[] }).testResults) {
    if (typeof fileResult !== 'object' || fileResult === null) continue;
    const file = fileResult as {
      name?: unknown;
      testFilePath?: unknown;
      assertionResults?: unknown;
      status?: unknown;
      message?: unknown;
      failureMessage?: unknown;
    };
    const rawPath =
      typeof file.name === 'string'
        ? file.name
        : typeof file.testFilePath === 'string'
          ? file.testFilePath
          : '';
    const filePath = displayPath(rawPath, options.rootDir);
    const assertions = Array.isArray(file.assertionResults)
      ? (file.assertionResults as AssertionResult[])
      : [];
    for (const assertion of assertions) {
      const ancestors = Array.isArray(assertion.ancestorTitles) ? assertion.ancestorTitles.map(String) : [];
      const title = typeof assertion.title === 'string' ? assertion.title : String(assertion.fullName ?? '');
      const id = [filePath, ...ancestors, title].filter((part) => part !== '').join(' > ');
      const status = assertionStatus[String(assertion.status)] ?? 'error';
      const result: TestResult = { id, status };
      if (typeof assertion.duration === 'number') result.durationMs = assertion.duration;
      if (Array.isArray(assertion.failureMessages) && assertion.failureMessages.length > 0) {
        result.message = truncateMessage(assertion.failureMessages.map(String).join('\n'));
      }
      results.push(result);
    }
    if (assertions.length === 0 && file.status === 'failed') {
      const message =
        typeof file.message === 'string' && file.message ? file.message : String(file.failureMessage ?? '');
      const result: TestResult = { id: filePath, status: 'error' };
      if (message) result.message = truncateMessage(message);
      results.push(result);
    }
  }
  return results;
}

/** {@link parseJestJson} for vitest's `--reporter=json` output (the same format). */
export function parseVitestJson(output: string, options: ParseTestOutputOptions = {}): TestResult[] {
  return parseJestJson(output, options, 'vitest-json');
}

function extractJson(output: string, format: TestOutputFormat): unknown {
  const trimmed = output.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    // Logs around the document: try the span from the first line that opens an object to the last closing brace.
  }
  const start = trimmed.search(/^\{/m);
  const end = trimmed.lastIndexOf('}');
  if (start === -1 || end <= start) {
    throw new TestOutputParseError(format, 'no JSON document found');
  }
  try {
    return JSON.parse(trimmed.slice(start, end + 1));
  } catch (error) {
    throw new TestOutputParseError(format, `invalid JSON: ${(error as Error).message}`);
  }
}

function displayPath(path: string, rootDir: string | undefined): string {
  if (rootDir && isAbsolute(path)) {
    const inside = relative(rootDir, path);
    if (inside && !inside.startsWith('..') && !isAbsolute(inside)) return inside.split(sep).join('/');
  }
  return path.split(sep).join('/');
}
