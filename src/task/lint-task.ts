import { isTestFile } from './is-test-file.ts';
import { listPatchFiles } from './patch-files.ts';
import type { Task } from './task.ts';

/** One finding of a task check; errors make the task invalid, warnings do not. */
export interface TaskCheckProblem {
  severity: 'error' | 'warning';
  /** Which check found it: `lint`, `setup`, `tests-patch`, `gold-patch`, `base`, `gold` or `constraints`. */
  check: 'lint' | 'setup' | 'tests-patch' | 'gold-patch' | 'base' | 'gold' | 'constraints';
  message: string;
  /** The test a base or gold problem is about, as it last ran: status (`missing` when not reported) and key message. */
  test?: { id: string; status: string; message?: string };
}

const minimumLeakedLineLength = 12;

/**
 * Static checks of a loaded task: the instruction must not name test ids nor contain gold.patch's added code;
 * FAIL_TO_PASS and PASS_TO_PASS ids are unique; tests.patch touches only test-looking files (warning) and gold.patch
 * touches no test file (error).
 */
export function lintTask(task: Task): TaskCheckProblem[] {
  const problems: TaskCheckProblem[] = [];
  const error = (message: string) => problems.push({ severity: 'error', check: 'lint', message });
  const warning = (message: string) => problems.push({ severity: 'warning', check: 'lint', message });
  const instruction = task.instruction;

  for (const [name, ids] of [
    ['fail_to_pass', task.failToPass],
    ['pass_to_pass', task.passToPass],
  ] as const) {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) error(`${name} lists "${id}" more than once`);
      seen.add(id);
    }
  }

  for (const id of [...task.failToPass, ...task.passToPass]) {
    if (instruction.includes(id)) {
      error(`instruction.md names the test id "${id}"`);
      continue;
    }
    const name = /([A-Za-z_][\w]*)(?:\[.*\])?$/.exec(id)?.[1];
    if (name && /^(test_?|Test)\w{3,}/.test(name) && new RegExp(`\\b${name}\\b`).test(instruction)) {
      warning(`instruction.md names the test function "${name}"`);
    }
  }

  const addedLines = [
    ...new Set(addedPatchLines(task.goldPatch).filter((line) => line.length >= minimumLeakedLineLength)),
  ];
  const leaked = addedLines.filter((line) => instruction.includes(line));
  const threshold = Math.min(2, addedLines.length);
  if (/^diff --git |^@@ -\d/m.test(instruction)) error('instruction.md contains a diff');
  else if (threshold > 0 && leaked.length >= threshold) {
    error(
      `instruction.md contains ${leaked.length} of the ${addedLines.length} lines gold.patch adds (e.g. "${leaked[0]}")`,
    );
  }

  const testsPatchFiles = listPatchFiles(task.testsPatch);
  for (const file of testsPatchFiles) {
    if (!isTestFile(file.path))
      warning(`tests.patch touches ${file.path}, which does not look like a test file`);
  }
  const hiddenTestFiles = new Set([...task.testFiles, ...testsPatchFiles.map((file) => file.path)]);
  for (const file of listPatchFiles(task.goldPatch)) {
    if (hiddenTestFiles.has(file.path))
      error(`gold.patch touches the test file ${file.path} (it is restored before grading)`);
    else if (isTestFile(file.path)) error(`gold.patch touches ${file.path}, which looks like a test file`);
  }
  return problems;
}

function addedPatchLines(patch: string): string[] {
  return patch
    .split('\n')
    .filter((line) => line.startsWith('+') && !line.startsWith('+++'))
    .map((line) => line.slice(1).trim());
}
