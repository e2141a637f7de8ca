import { findTestResults } from './test-results/match-test-id.ts';
import type { TestResult } from './test-results/test-result.ts';

/** Whether the test `id` passed in one run: reported at least once, and every report of it passed. */
export function testPassed(id: string, results: readonly TestResult[]): boolean {
  const matches = findTestResults(id, results);
  return matches.length > 0 && matches.every((match) => match.status === 'passed');
}

/** How each test behaved over repeated base and gold runs. */
export interface ClassifiedTests {
  /** Consistent over runs: never passes at base, always passes with gold. */
  failToPass: string[];
  /** Consistent over runs: always passes at base and with gold. */
  passToPass: string[];
  /** Tests whose pass/fail outcome differed between runs of the same side. */
  flaky: string[];
  /** Consistent, and passing at base but failing with gold (gold breaks them). */
  broken: string[];
  /** Consistent, never passing on either side. */
  failing: string[];
}

/**
 * Classifies `ids` from repeated runs' results at the base (tests applied) and with gold (tests applied): a test
 * whose pass/fail outcome differs between two runs of the same side is flaky; the others are sorted by their
 * (consistent) base and gold outcome.
 */
export function classifyTests(
  ids: readonly string[],
  baseRuns: readonly (readonly TestResult[])[],
  goldRuns: readonly (readonly TestResult[])[],
): ClassifiedTests {
  const classified: ClassifiedTests = { failToPass: [], passToPass: [], flaky: [], broken: [], failing: [] };
  for (const id of ids) {
    const base = baseRuns.map((results) => testPassed(id, results));
    const gold = goldRuns.map((results) => testPassed(id, results));
    if (new Set(base).size > 1 || new Set(gold).size > 1) classified.flaky.push(id);
    else if (gold[0] && !base[0]) classified.failToPass.push(id);
    else if (gold[0] && base[0]) classified.passToPass.push(id);
    else if (base[0]) classified.broken.push(id);
    else classified.failing.push(id);
  }
  return classified;
}
