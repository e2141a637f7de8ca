import type { TestFileLanguage } from '../is-test-file.ts';
import type { TestOutputFormat } from '../test-results/test-result.ts';

/** A test command and how to read its report. */
export interface TestCommand {
  command: string;
  format: TestOutputFormat;
  /** Report file the command writes, relative to the workspace; stdout when absent. */
  outputPath?: string;
}

/**
 * The default test command for a language: pytest (every result in the summary, collection errors do not stop the
 * run), `node --test` with a JUnit reporter, or `go test -json ./...`. Undefined for an unknown language.
 */
export function detectTestCommand(language: TestFileLanguage | undefined): TestCommand | undefined {
  switch (language) {
    case 'python':
      return {
        command: 'python3 -m pytest -rA -p no:cacheprovider --continue-on-collection-errors {test_ids}',
        format: 'pytest',
      };
    case 'javascript':
      return {
        command: 'node --test --test-reporter=junit --test-reporter-destination=.shakedown-test-report.xml',
        format: 'junit-xml',
        outputPath: '.shakedown-test-report.xml',
      };
    case 'go':
      return { command: 'go test -json ./...', format: 'go-test-json' };
    default:
      return undefined;
  }
}
