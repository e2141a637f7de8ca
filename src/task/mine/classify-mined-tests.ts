import { classifyTests } from '../test-outcomes.ts';
import type { TestResult } from '../test-results/test-result.ts';

/** The runs of one candidate: repeated focused runs (the changed test files) and at most one whole-suite run a side. */
export interface MinedRuns {
  focused: { base: TestResult[][]; gold: TestResult[][] };
  /** Absent when the focused runs were whole-suite runs already. */
  full?: { base: TestResult[]; gold: TestResult[] };
}

/** The tests of a candidate, sorted. */
export interface MinedTests {
  failToPass: string[];
  passToPass: string[];
  /** Outcome differed between runs (or between the focused and the whole-suite run): dropped. */
  flaky: string[];
  /** Failed at the base and passed with the commit in the single whole-suite run only (not repeated): dropped. */
  unconfirmed: string[];
  /** FAIL_TO_PASS tests that fail at the base only because their module does not import there, by that module. */
  importFailures: Map<string, string[]>;
}

/**
 * Sorts a candidate's tests. The focused runs are repeated, so they decide FAIL_TO_PASS (and flakiness) for the tests
 * they cover; the whole-suite run settles PASS_TO_PASS for the rest. A covered test whose whole-suite outcome
 * contradicts the focused runs is flaky. A test outside the focused files that flips in the single whole-suite run is
 * unconfirmed (one observation cannot rule out flakiness) and dropped.
 */
export function classifyMinedTests(runs: MinedRuns, testFiles: readonly string[] = []): MinedTests {
  const idsOf = (results: TestResult[][]) => [...new Set(results.flat().map((test) => test.id))];
  const focusedIds = idsOf([...runs.focused.base, ...runs.focused.gold]);
  const focused = classifyTests(focusedIds, runs.focused.base, runs.focused.gold);
  const tests: MinedTests = {
    failToPass: focused.failToPass,
    passToPass: focused.passToPass,
    flaky: focused.flaky,
    unconfirmed: [],
    importFailures: new Map(),
  };
  if (runs.full) {
    const covered = new Set(focusedIds);
    const fullIds = idsOf([runs.full.base, runs.full.gold]);
    const full = classifyTests(fullIds, [runs.full.base], [runs.full.gold]);
    const fullCategory = new Map<string, string>();
    for (const [category, ids] of Object.entries(full)) for (const id of ids) fullCategory.set(id, category);
    const contradicted = (id: string, category: string) =>
      fullCategory.has(id) && fullCategory.get(id) !== category;
    const flaky = new Set(tests.flaky);
    for (const id of [...tests.failToPass.filter((id) => contradicted(id, 'failToPass'))]) flaky.add(id);
    for (const id of [...tests.passToPass.filter((id) => contradicted(id, 'passToPass'))]) flaky.add(id);
    tests.flaky = [...flaky];
    tests.failToPass = tests.failToPass.filter((id) => !flaky.has(id));
    tests.passToPass = [
      ...tests.passToPass.filter((id) => !flaky.has(id)),
      ...full.passToPass.filter((id) => !covered.has(id)),
    ];
    tests.unconfirmed = full.failToPass.filter((id) => !covered.has(id));
  }
  const baseRuns = [...runs.focused.base, ...(runs.full ? [runs.full.base] : [])];
  for (const id of tests.failToPass) {
    const module = failedImportOf(id, baseRuns, testFiles);
    if (module === undefined) continue;
    tests.importFailures.set(module, [...(tests.importFailures.get(module) ?? []), id]);
  }
  return tests;
}

/**
 * The test file whose failure to load at the base makes test `id` fail there; undefined when the test itself ran.
 * pytest reports a collection error against the file (`tests/test_x.py`); `node --test` reports a failed test named
 * by the file's absolute path, and its ids do not name their file, so an unreported test is put down to it.
 */
function failedImportOf(
  id: string,
  baseRuns: TestResult[][],
  testFiles: readonly string[],
): string | undefined {
  if (baseRuns.some((results) => results.some((test) => test.id === id))) return undefined;
  const prefix = id.includes('::') ? id.slice(0, id.indexOf('::')) : '';
  const pytestFile = prefix.endsWith('.py') ? prefix : undefined;
  for (const results of baseRuns) {
    for (const test of results) {
      if (test.status === 'passed' || test.status === 'skipped') continue;
      if (pytestFile !== undefined) {
        if (test.id === pytestFile) return pytestFile;
        continue;
      }
      const file = testFiles.find((path) => test.id.endsWith(`/${path}`));
      if (file !== undefined) return file;
    }
  }
  return undefined;
}
