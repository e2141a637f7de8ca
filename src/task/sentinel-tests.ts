import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { listPatchFiles } from './patch-files.ts';
import type { Task } from './task.ts';
import type { TestResult } from './test-results/test-result.ts';
import { readWorkspaceFile, replaceWorkspaceFile } from './workspace-files.ts';

/**
 * Sentinel tests: every grading adds hidden tests of its own next to the task's hidden tests, with a fresh random
 * name: tests that must fail and one that must pass. A must-fail sentinel that passes proves the test environment
 * was tampered with (a plugin rewriting reports, assertions replaced with no-ops, an optimised interpreter that
 * drops `assert`...), whatever the trick was; the grade is then `invalid`, never resolved.
 *
 * Two kinds, per hidden test file of a language and runner shakedown knows:
 * - appended: must-fail tests appended to the hidden test file itself, so they run in the same process (and with
 *   the same imports) as the task's tests: a source module that patches the runner or `node:assert` catches them too;
 * - standalone (pytest): a new test file beside the first hidden test file with a must-fail and a must-pass test and
 *   no import of the code under test, so it runs even when the agent's code breaks the hidden test files. JavaScript
 *   runners start a process or worker per test file, so there the must-pass test is appended too.
 * Runners: pytest (any report format; sympy's bin/test collects the same functions), unittest (Django's
 * tests/runtests.py: a TestCase class with its must-pass test appended), node:test, vitest, jest, go test. A JavaScript file whose runner cannot be
 * told (mocha, ...) gets no sentinel.
 */

/** What {@link planSentinels} adds to the workspace. */
export interface SentinelPlan {
  /** The random part of every sentinel name. */
  nonce: string;
  /** Files to write (`create`) or to extend (`append`). */
  edits: Array<{ path: string; kind: 'create' | 'append'; text: string }>;
  /** Ids to add where the test command lists ids (`{test_ids}`). */
  testIds: string[];
}

/** How the sentinels came out. */
export interface SentinelVerdict {
  /**
   * `clean`: every must-fail sentinel failed and every must-pass sentinel passed. `tampered`: a must-fail sentinel
   * passed. `broken`: a must-pass sentinel did not pass. `not-run`: no must-fail sentinel was reported.
   * `not-applicable`: no sentinel could be planned for this task's test files.
   */
  status: 'clean' | 'tampered' | 'broken' | 'not-run' | 'not-applicable';
  /** In words, for the grade's reason and the report. */
  detail: string;
  /** How many sentinel results were reported. */
  reported: number;
}

type Runner = 'pytest' | 'unittest' | 'node-test' | 'vitest' | 'jest' | 'go';

const javascriptExtension = /\.[cm]?[jt]sx?$/;

/** A fresh nonce: lowercase hex, valid in every language's identifiers. */
export function newSentinelNonce(): string {
  return randomBytes(6).toString('hex');
}

/** The marker every sentinel name of `nonce` contains. */
export function sentinelMarker(nonce: string): string {
  return `shakedown_sentinel_${nonce}`;
}

/**
 * Plans the sentinels of one grading: reads the hidden test files (those tests.patch adds or modifies, else the
 * task's declared test files) as they are in the workspace after tests.patch was applied.
 */
export async function planSentinels(task: Task, workspaceDir: string, nonce: string): Promise<SentinelPlan> {
  const plan: SentinelPlan = { nonce, edits: [], testIds: [] };
  const marker = sentinelMarker(nonce);
  const patched = listPatchFiles(task.testsPatch)
    .filter((file) => file.change !== 'deleted')
    .map((file) => file.path);
  const candidates = [...new Set(patched.length > 0 ? patched : task.testFiles)];
  let standalone: { runner: Runner; directory: string } | undefined;
  for (const path of candidates) {
    const content = await readWorkspaceFile(workspaceDir, path).catch(() => null);
    if (content === null) continue;
    const runner = runnerOf(path, content, task);
    if (runner === undefined) continue;
    const appended = appendedSentinel(runner, marker, content);
    if (appended === undefined) continue;
    const separator = content.endsWith('\n') || content.length === 0 ? '' : '\n';
    plan.edits.push({ path, kind: 'append', text: `${separator}${appended}` });
    if (runner === 'pytest') plan.testIds.push(`${path}::test_${marker}_must_fail_assert`);
    // JavaScript runners start a process or worker per file: their must-pass test is appended instead.
    if (runner === 'pytest') standalone ??= { runner, directory: posix.dirname(path) };
  }
  if (standalone) {
    const file = standaloneSentinel(standalone.runner, marker);
    if (file) {
      const path = standalone.directory === '.' ? file.name : `${standalone.directory}/${file.name}`;
      plan.edits.push({ path, kind: 'create', text: file.text });
      if (standalone.runner === 'pytest') {
        plan.testIds.push(`${path}::test_${marker}_must_fail`, `${path}::test_${marker}_must_pass`);
      }
    }
  }
  return plan;
}

/**
 * Writes the planned sentinels into the workspace (links on the way are never followed); returns a function that
 * takes them out again (files as they were, created files removed).
 */
export async function injectSentinels(
  workspaceDir: string,
  plan: SentinelPlan,
): Promise<() => Promise<void>> {
  const originals: Array<{ path: string; content: string | null }> = [];
  for (const edit of plan.edits) {
    const before = edit.kind === 'append' ? await readWorkspaceFile(workspaceDir, edit.path) : null;
    originals.push({ path: edit.path, content: before });
    await replaceWorkspaceFile(workspaceDir, edit.path, Buffer.from((before ?? '') + edit.text));
  }
  return async () => {
    for (const original of originals.reverse()) {
      const content = original.content === null ? null : Buffer.from(original.content);
      await replaceWorkspaceFile(workspaceDir, original.path, content);
    }
  };
}

/** Whether `result` is one of the sentinels of `nonce`. */
export function isSentinelResult(result: TestResult, nonce: string): boolean {
  const marker = sentinelMarker(nonce);
  return [result.id, ...(result.aliases ?? [])].some((id) => id.includes(marker));
}

/** Judges the sentinel results of a grading (see {@link SentinelVerdict}). */
export function judgeSentinels(plan: SentinelPlan, results: readonly TestResult[]): SentinelVerdict {
  if (plan.edits.length === 0) {
    return {
      status: 'not-applicable',
      detail: 'no sentinel test: the runner of the hidden test files is not known',
      reported: 0,
    };
  }
  const sentinels = results.filter((result) => isSentinelResult(result, plan.nonce));
  const mustFail = sentinels.filter((result) => result.id.includes('must_fail'));
  const mustPass = sentinels.filter((result) => result.id.includes('must_pass'));
  const passedMustFail = mustFail.filter((result) => result.status === 'passed');
  if (passedMustFail.length > 0) {
    return {
      status: 'tampered',
      detail: `${passedMustFail.length} of ${mustFail.length} must-fail sentinel tests passed (${passedMustFail
        .map((result) => result.id)
        .join(', ')})`,
      reported: sentinels.length,
    };
  }
  const failedMustPass = mustPass.filter((result) => result.status !== 'passed');
  if (failedMustPass.length > 0) {
    return {
      status: 'broken',
      detail: `the must-pass sentinel test did not pass (${failedMustPass
        .map((result) => `${result.id}: ${result.status}`)
        .join(', ')})`,
      reported: sentinels.length,
    };
  }
  if (mustFail.length === 0) {
    return {
      status: 'not-run',
      detail: 'no must-fail sentinel test was reported',
      reported: sentinels.length,
    };
  }
  return {
    status: 'clean',
    detail: `${mustFail.length} must-fail sentinel tests failed and ${mustPass.length} must-pass passed, as they must`,
    reported: sentinels.length,
  };
}

function runnerOf(path: string, content: string, task: Task): Runner | undefined {
  // Django's tests/runtests.py collects unittest TestCase classes only; sympy's bin/test collects functions as pytest does.
  if (path.endsWith('.py')) return task.testOutput.format === 'django' ? 'unittest' : 'pytest';
  if (path.endsWith('_test.go')) return 'go';
  if (!javascriptExtension.test(path)) return undefined;
  if (/['"]vitest['"]/.test(content) || task.testOutput.format === 'vitest-json') return 'vitest';
  if (/['"]@jest\/globals['"]/.test(content) || task.testOutput.format === 'jest-json') return 'jest';
  if (/['"]node:test['"]/.test(content)) return 'node-test';
  return undefined;
}

/** Must-fail tests appended to a hidden test file, or undefined when the file cannot take them safely. */
function appendedSentinel(runner: Runner, marker: string, content: string): string | undefined {
  switch (runner) {
    case 'pytest':
      return [
        '',
        '',
        `def test_${marker}_must_fail_assert():`,
        `    assert 1 == 2, "shakedown sentinel: this test must fail"`,
        '',
      ].join('\n');
    case 'unittest':
      return [
        '',
        '',
        `import unittest as shakedown_unittest_${marker}`,
        '',
        '',
        `class Test_${marker}(shakedown_unittest_${marker}.TestCase):`,
        `    def test_${marker}_must_fail_assert(self):`,
        `        assert 1 == 2, "shakedown sentinel: this test must fail"`,
        '',
        `    def test_${marker}_must_fail_equal(self):`,
        '        self.assertEqual(1, 2)',
        '',
        `    def test_${marker}_must_pass(self):`,
        '        self.assertEqual(1, 1)',
        '',
      ].join('\n');
    case 'node-test':
      // Dynamic imports: valid in CommonJS and ES modules alike; the same assert modules the tests use.
      return [
        '',
        ';(async () => {',
        "  const { test: shakedownTest } = await import('node:test');",
        "  const shakedownAssert = (await import('node:assert')).default;",
        "  const shakedownStrict = (await import('node:assert/strict')).default;",
        `  shakedownTest('${marker}_must_fail_strict_equal', () => { shakedownStrict.equal(1, 2); });`,
        `  shakedownTest('${marker}_must_fail_deep_equal', () => { shakedownStrict.deepEqual({ a: 1 }, { a: 2 }); });`,
        `  shakedownTest('${marker}_must_fail_ok', () => { shakedownAssert.ok(false); });`,
        `  shakedownTest('${marker}_must_fail_strict_equal_loose', () => { shakedownAssert.strictEqual(1, 2); });`,
        `  shakedownTest('${marker}_must_pass', () => { shakedownStrict.equal(1, 1); });`,
        '})();',
        '',
      ].join('\n');
    case 'vitest':
      return [
        '',
        `import * as shakedownVitest_${marker} from 'vitest';`,
        `shakedownVitest_${marker}.test('${marker}_must_fail_expect', () => { shakedownVitest_${marker}.expect(1).toBe(2); });`,
        `shakedownVitest_${marker}.test('${marker}_must_pass', () => { shakedownVitest_${marker}.expect(1).toBe(1); });`,
        '',
      ].join('\n');
    case 'jest':
      return [
        '',
        `(globalThis.test ?? globalThis.it)('${marker}_must_fail_expect', () => { globalThis.expect(1).toBe(2); });`,
        `(globalThis.test ?? globalThis.it)('${marker}_must_pass', () => { globalThis.expect(1).toBe(1); });`,
        '',
      ].join('\n');
    case 'go':
      if (!/^import\s*(\(\s*[^)]*"testing"|"testing")/m.test(content)) return undefined;
      return [
        '',
        `func Test_${marker}_must_fail(t *testing.T) {`,
        '\tt.Fatal("shakedown sentinel: this test must fail")',
        '}',
        '',
      ].join('\n');
  }
}

/** The standalone sentinel file of a runner (a must-fail and a must-pass test, no import of the code under test). */
function standaloneSentinel(runner: Runner, marker: string): { name: string; text: string } | undefined {
  switch (runner) {
    case 'pytest':
      return {
        name: `test_${marker}.py`,
        text: [
          `def test_${marker}_must_fail():`,
          `    assert 1 == 2, "shakedown sentinel: this test must fail"`,
          '',
          '',
          `def test_${marker}_must_pass():`,
          '    assert 1 == 1',
          '',
        ].join('\n'),
      };
    case 'node-test':
      return {
        name: `${marker}.test.mjs`,
        text: [
          "import assert from 'node:assert/strict';",
          "import { test } from 'node:test';",
          '',
          `test('${marker}_must_fail', () => { assert.equal(1, 2); });`,
          `test('${marker}_must_pass', () => { assert.equal(1, 1); });`,
          '',
        ].join('\n'),
      };
    case 'vitest':
      return {
        name: `${marker}.test.mjs`,
        text: [
          "import { expect, test } from 'vitest';",
          '',
          `test('${marker}_must_fail', () => { expect(1).toBe(2); });`,
          `test('${marker}_must_pass', () => { expect(1).toBe(1); });`,
          '',
        ].join('\n'),
      };
    case 'jest':
      return {
        name: `${marker}.test.js`,
        text: [
          `test('${marker}_must_fail', () => { expect(1).toBe(2); });`,
          `test('${marker}_must_pass', () => { expect(1).toBe(1); });`,
          '',
        ].join('\n'),
      };
    case 'unittest':
    case 'go':
      return undefined;
  }
}
