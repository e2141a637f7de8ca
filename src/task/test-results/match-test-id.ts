import type { TestResult } from './test-result.ts';

const fileExtensionPattern = /\.(py|[cm]?[jt]sx?|go)$/;

/**
 * A spelling-independent key for a test id, so that ids written by different tools for the same test compare
 * equal: pytest `tests/test_x.py::TestK::test_a[1]`, JUnit `tests.test_x.TestK::test_a[1]`, vitest
 * `src/a.test.ts > Suite > name` and JUnit `src/a.test.ts::Suite > name`.
 *
 * The part before the first `[` (parameters are kept verbatim) is split on `::` and ` > `; when there are several
 * segments, the first is a file or module: backslashes become `/`, a leading `./` and a source file extension are
 * dropped and `/` becomes `.`. Segments are joined with `.`. A single segment (Go's `TestDiv/by_zero`) is kept.
 */
export function canonicalTestId(id: string): string {
  const trimmed = id.trim();
  const bracket = trimmed.indexOf('[');
  const head = bracket === -1 ? trimmed : trimmed.slice(0, bracket);
  const parameters = bracket === -1 ? '' : trimmed.slice(bracket);
  const [first = '', ...rest] = head.split(/::| > /).map((segment) => segment.trim());
  if (rest.length === 0) return first + parameters;
  const file = first
    .replaceAll('\\', '/')
    .replace(/^\.\//, '')
    .replace(fileExtensionPattern, '')
    .replaceAll('/', '.');
  return [file, ...rest].filter((segment) => segment !== '').join('.') + parameters;
}

/**
 * The results that report the test `wanted`, trying in order (the first tier with a match wins):
 * the exact id or an alias; the same {@link canonicalTestId}; then a canonical id that ends with the other at a
 * segment boundary (`test_a` ~ `tests.test_x.test_a`, or a JUnit classname without its directory). Several results
 * can match (a test reported twice, or a short id that is ambiguous); callers combine them.
 */
export function findTestResults(wanted: string, results: readonly TestResult[]): TestResult[] {
  const spellings = (result: TestResult) => [result.id, ...(result.aliases ?? [])];
  const exact = results.filter((result) => spellings(result).includes(wanted));
  if (exact.length > 0) return exact;

  const wantedKey = canonicalTestId(wanted);
  if (wantedKey === '') return [];
  const keys = results.map((result) => spellings(result).map(canonicalTestId));
  const canonical = results.filter((_, index) => keys[index].includes(wantedKey));
  if (canonical.length > 0) return canonical;

  return results.filter((_, index) =>
    keys[index].some((key) => key.endsWith(`.${wantedKey}`) || wantedKey.endsWith(`.${key}`)),
  );
}
