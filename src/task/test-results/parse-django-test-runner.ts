import type { TestResult, TestStatus } from './test-result.ts';
import { truncateMessage } from './truncate-message.ts';
import { worstStatus } from './worst-status.ts';

/** `test_x (app.tests.TestCase)` (Python < 3.11) or `test_x (app.tests.TestCase.test_x)` (Python >= 3.11). */
const descriptionPattern = /^([\w.]+) \(([\w.]+)\)/;
const resultPattern =
  /^(.*?) \.\.\. ?(ok|OK|FAIL|ERROR|skipped(?: .*)?|expected failure|unexpected success)$/;
const bareStatusPattern = /^(ok|FAIL|ERROR)$/;
const sectionPattern = /^(FAIL|ERROR): ([\w.]+) \(([\w.]+)\)/;

const statusOf = (word: string): TestStatus => {
  if (word === 'ok' || word === 'OK' || word === 'unexpected success') return 'passed';
  if (word === 'FAIL') return 'failed';
  if (word === 'ERROR') return 'error';
  return 'skipped';
};

/** The test a description names, in Python < 3.11's spelling, with the other spellings. */
function describedTest(name: string, owner: string): { id: string; aliases: string[] } {
  const className = owner.endsWith(`.${name}`) ? owner.slice(0, -(name.length + 1)) : owner;
  return {
    id: `${name} (${className})`,
    aliases: [`${className}.${name}`, `${name} (${className}.${name})`],
  };
}

/**
 * Parses the verbose output (`--verbosity 2`) of Django's `tests/runtests.py`, which is unittest's text runner:
 * `test_x (app.tests.TestCase) ... ok` (`FAIL`, `ERROR`, `skipped 'why'`, `expected failure`, `unexpected
 * success`), a test with a docstring on two lines (`test_x (app.tests.TestCase)` then `First docstring line ... ok`),
 * a result pushed to its own line by output the test printed (`ok`), and the `FAIL: ...` / `ERROR: ...` sections
 * whose traceback's last line becomes the message.
 *
 * Ids are Python < 3.11's `test_x (app.tests.TestCase)`, the form SWE-bench's FAIL_TO_PASS lists use; aliases are
 * the dotted label `app.tests.TestCase.test_x`, Python >= 3.11's `test_x (app.tests.TestCase.test_x)` and the
 * docstring line (which SWE-bench's parser takes as the id of a test with a docstring). A module that does not
 * import is an `error` named `app.tests (unittest.loader._FailedTest)`. Expected failures are `skipped`, unexpected
 * successes `passed`, as in pytest's parser.
 */
export function parseDjangoTestRunner(output: string): TestResult[] {
  const results = new Map<string, TestResult>();
  const record = (test: { id: string; aliases: string[] }, status: TestStatus, message?: string) => {
    const existing = results.get(test.id);
    if (existing) {
      for (const alias of test.aliases) if (!existing.aliases?.includes(alias)) existing.aliases?.push(alias);
      const merged = worstStatus(existing.status, status);
      if (merged !== existing.status || (message && !existing.message)) {
        existing.status = merged;
        if (message) existing.message = truncateMessage(message);
      }
      return;
    }
    const result: TestResult = { id: test.id, status, aliases: [...test.aliases] };
    if (message) result.message = truncateMessage(message);
    results.set(test.id, result);
  };

  const lines = output.split(/\r?\n/).map((line) => line.trimEnd());
  let described: { id: string; aliases: string[] } | undefined;
  let awaiting: { id: string; aliases: string[] } | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const section = sectionPattern.exec(line);
    if (section) {
      const test = describedTest(section[2], section[3]);
      // The traceback runs from after the dashes to the next separator; its last line says what went wrong.
      let end = index + 1;
      while (end < lines.length && !/^-{20,}$/.test(lines[end])) end++;
      end++;
      const traceback: string[] = [];
      while (end < lines.length && !/^(={20,}|-{20,})$/.test(lines[end])) traceback.push(lines[end++]);
      const message = traceback
        .filter((text) => text.trim() !== '')
        .at(-1)
        ?.trim();
      record(test, section[1] === 'FAIL' ? 'failed' : 'error', message);
      index = end - 1;
      continue;
    }
    const result = resultPattern.exec(line);
    if (result) {
      const head = descriptionPattern.exec(result[1]);
      const test =
        head && head[0] === result[1]
          ? describedTest(head[1], head[2])
          : described && { id: described.id, aliases: [...described.aliases, result[1].trim()] };
      described = undefined;
      awaiting = undefined;
      if (!test) continue;
      const word = result[2];
      const reason = word.startsWith('skipped') ? word.slice('skipped'.length).trim() : undefined;
      record(test, statusOf(word.split(' ')[0] === 'skipped' ? 'skipped' : word), reason || undefined);
      continue;
    }
    const bare = bareStatusPattern.exec(line.trim());
    if (bare && awaiting) {
      record(awaiting, statusOf(bare[1]));
      awaiting = undefined;
      continue;
    }
    const description = descriptionPattern.exec(line);
    if (description && description[0] === line) {
      described = describedTest(description[1], description[2]);
      continue;
    }
    if (description && line.startsWith(`${description[0]} ... `)) {
      // Output the test printed came between "..." and its result, which follows on a later line.
      awaiting = describedTest(description[1], description[2]);
      described = undefined;
    }
  }
  return [...results.values()];
}
