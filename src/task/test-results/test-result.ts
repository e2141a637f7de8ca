/** Outcome of one test as reported by a test runner. */
export type TestStatus = 'passed' | 'failed' | 'skipped' | 'error';

/** One test case parsed from a runner's report. */
export interface TestResult {
  /** Canonical id in the format's own convention (see each parser). */
  id: string;
  status: TestStatus;
  /** Other spellings of the same test (e.g. `file::name` for a JUnit case that has a `file` attribute). */
  aliases?: string[];
  durationMs?: number;
  /** Failure, error or skip message, when the runner gives one. */
  message?: string;
}

/** The report formats a task's `test_output.format` may name. */
export const testOutputFormats = [
  'junit-xml',
  'tap',
  'pytest',
  'vitest-json',
  'jest-json',
  'go-test-json',
  'django',
  'sympy',
] as const;

/** One of {@link testOutputFormats}. */
export type TestOutputFormat = (typeof testOutputFormats)[number];

/** Options shared by the parsers. */
export interface ParseTestOutputOptions {
  /**
   * Absolute directory test file paths are made relative to (JSON reporters print absolute file paths).
   * Paths outside it are kept as printed.
   */
  rootDir?: string;
}

/** A report that is not in the expected format at all (as opposed to a report with zero tests). */
export class TestOutputParseError extends Error {
  readonly format: TestOutputFormat;
  constructor(format: TestOutputFormat, message: string) {
    super(`${format}: ${message}`);
    this.name = 'TestOutputParseError';
    this.format = format;
  }
}
