import { parseDjangoTestRunner } from './parse-django-test-runner.ts';
import { parseGoTestJson } from './parse-go-test-json.ts';
import { parseJestJson, parseVitestJson } from './parse-jest-json.ts';
import { parseJunitXml } from './parse-junit-xml.ts';
import { parsePytest } from './parse-pytest.ts';
import { parseSympyTestRunner } from './parse-sympy-test-runner.ts';
import { parseTap } from './parse-tap.ts';
import type { ParseTestOutputOptions, TestOutputFormat, TestResult } from './test-result.ts';

/**
 * Parses a test report in `format`. Returns an empty list when the text is in the format but reports no test;
 * throws {@link TestOutputParseError} when a document format (JUnit XML, JSON) is malformed or absent.
 */
export function parseTestOutput(
  format: TestOutputFormat,
  text: string,
  options: ParseTestOutputOptions = {},
): TestResult[] {
  switch (format) {
    case 'junit-xml':
      return parseJunitXml(text);
    case 'tap':
      return parseTap(text);
    case 'pytest':
      return parsePytest(text);
    case 'vitest-json':
      return parseVitestJson(text, options);
    case 'jest-json':
      return parseJestJson(text, options);
    case 'go-test-json':
      return parseGoTestJson(text);
    case 'django':
      return parseDjangoTestRunner(text);
    case 'sympy':
      return parseSympyTestRunner(text);
  }
}

/** Whether the format is a single document (read from stdout only) rather than lines (stdout and stderr). */
export function isDocumentFormat(format: TestOutputFormat): boolean {
  return format === 'junit-xml' || format === 'vitest-json' || format === 'jest-json';
}
