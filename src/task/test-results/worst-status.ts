import type { TestStatus } from './test-result.ts';

const severity: Record<TestStatus, number> = { passed: 0, skipped: 1, failed: 2, error: 3 };

/** The more severe of two statuses (error > failed > skipped > passed), for a test reported more than once. */
export function worstStatus(first: TestStatus, second: TestStatus): TestStatus {
  return severity[second] > severity[first] ? second : first;
}
