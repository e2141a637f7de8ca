import type { TestResult } from './test-results/test-result.ts';

/**
 * The most telling line of a failure: the last `E   SomeError: ...` line of a pytest traceback, else the last
 * `SomeError: ...` / `Error: ...` line, else the first non-empty line. Undefined for no text.
 */
export function keyErrorLine(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const pytestError = lines.filter((line) => /^E\s+\S*(Error|Exception|Exit)\b/.test(line)).at(-1);
  if (pytestError) return pytestError.replace(/^E\s+/, '');
  const error = lines.filter((line) => /^([\w.]*(Error|Exception)|panic|FAIL)\b:?/.test(line)).at(-1);
  return error ?? lines[0];
}

/**
 * One line saying why the tests failed: the status and id of the first failing test and its key error line, taken
 * from its message or, for a collection error without one, from the output tail (`ModuleNotFoundError: ...`).
 */
export function describeFirstFailure(results: readonly TestResult[], outputTail = ''): string | undefined {
  const failing =
    results.find((test) => test.status === 'error') ?? results.find((test) => test.status === 'failed');
  if (!failing) return undefined;
  const detail = keyErrorLine(failing.message) ?? keyErrorLine(outputTail);
  return `${failing.id} ${failing.status === 'error' ? 'errored' : 'failed'}${detail ? `: ${detail}` : ''}`;
}
