import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxOptions } from '../sandbox/types.ts';
import { assessInstruction } from './assess-instruction.ts';
import type { ConstraintResult } from './check-constraints.ts';
import { keyErrorLine } from './explain-test-failure.ts';
import { lintTask, type TaskCheckProblem } from './lint-task.ts';
import { runTaskTests, type TaskTestRun, type TaskTestSide } from './run-task-tests.ts';
import type { Task } from './task.ts';
import { classifyTests } from './test-outcomes.ts';
import { findTestResults } from './test-results/match-test-id.ts';
import type { TestResult } from './test-results/test-result.ts';

/** Options of {@link checkTask}. */
export interface CheckTaskOptions {
  /** How many times the base and the gold runs are repeated to find flaky tests (default 3). */
  runs?: number;
  sandbox?: SandboxOptions;
  cacheDir?: string;
  /** Scratch directory for workspaces (default: a temporary directory, removed afterwards). */
  workDir?: string;
  testTimeoutMs?: number;
  setupTimeoutMs?: number;
  /** Receives one line per step. */
  onProgress?: (message: string) => void;
}

/** What {@link checkTask} found. */
export interface TaskCheckReport {
  taskId: string;
  directory: string;
  /** No error, and at least one FAIL_TO_PASS and one PASS_TO_PASS test left after dropping flaky ones. */
  valid: boolean;
  problems: TaskCheckProblem[];
  /** Declared tests whose outcome differed between runs; dropped from the lists below. */
  flaky: string[];
  /** The declared FAIL_TO_PASS tests without the flaky ones. */
  failToPass: string[];
  /** The declared PASS_TO_PASS tests without the flaky ones. */
  passToPass: string[];
  runs: number;
  /** Why instruction.md may not state the behaviour the hidden tests check (see `assessInstruction`); empty if fine. */
  underspecified: string[];
  /** Who wrote instruction.md (task.yaml `instruction_source`, `instruction_model`), when the task says. */
  instructionSource?: { source: 'commit' | 'model'; model?: string };
  durationMs: number;
}

/**
 * Checks that a task is sound: {@link lintTask}'s static checks, then `runs` times each: the tests at the base
 * (tests.patch applied) where every FAIL_TO_PASS test must fail and every PASS_TO_PASS test pass, and with gold.patch
 * applied where all must pass. Tests whose outcome differs between runs are flaky: reported (warning) and dropped
 * from the returned lists. Setup failures, a patch that does not apply or a run without results are errors, and so
 * is a task constraint violated with gold.patch applied (checked after each gold run, as after an attempt).
 */
export async function checkTask(task: Task, options: CheckTaskOptions = {}): Promise<TaskCheckReport> {
  const started = performance.now();
  const runs = options.runs ?? 3;
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`runs must be a positive whole number, got ${runs}`);
  const progress = (message: string) => options.onProgress?.(`${task.id}: ${message}`);
  const problems = lintTask(task);
  const assessment = assessInstruction(task.instruction, task.failToPass);
  if (assessment.underspecified) {
    problems.push({
      severity: 'warning',
      check: 'lint',
      message: `instruction.md may be underspecified: ${assessment.reasons.join('; ')} (state the expected behaviour)`,
    });
  }
  const report = (extra: Partial<TaskCheckReport> = {}): TaskCheckReport => {
    const result: TaskCheckReport = {
      taskId: task.id,
      directory: task.directory,
      valid: false,
      problems,
      flaky: [],
      failToPass: [...task.failToPass],
      passToPass: [...task.passToPass],
      runs,
      underspecified: assessment.reasons,
      ...(task.instructionSource
        ? {
            instructionSource: {
              source: task.instructionSource.source,
              ...(task.instructionSource.model ? { model: task.instructionSource.model } : {}),
            },
          }
        : {}),
      durationMs: 0,
      ...extra,
    };
    result.valid =
      !problems.some((problem) => problem.severity === 'error') &&
      result.failToPass.length > 0 &&
      result.passToPass.length > 0;
    result.durationMs = performance.now() - started;
    return result;
  };
  progress(`lint: ${problems.length === 0 ? 'ok' : `${problems.length} finding(s)`}`);

  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'shakedown-check-')));
  try {
    const results: Record<TaskTestSide, TestResult[][]> = { base: [], gold: [] };
    const outputTails: Record<TaskTestSide, string> = { base: '', gold: '' };
    const violated = new Map<string, ConstraintResult>();
    for (let run = 1; run <= runs; run++) {
      for (const side of ['base', 'gold'] as const) {
        progress(`run ${run}/${runs}: tests ${side === 'base' ? 'at the base' : 'with gold.patch'}`);
        const outcome = await runTaskTests(task, side, { ...options, workDir });
        const failure = describeRunFailure(outcome);
        if (failure) {
          problems.push(failure);
          progress(`${failure.check}: ${failure.message}`);
          return report();
        }
        if (outcome.status !== 'graded') continue;
        results[side].push(outcome.grade.testResults);
        outputTails[side] = outcome.grade.testOutputTail;
        for (const constraint of outcome.constraints ?? []) {
          if (constraint.status === 'violated' && !violated.has(constraint.id))
            violated.set(constraint.id, constraint);
        }
      }
    }

    const declared = [...new Set([...task.failToPass, ...task.passToPass])];
    const classified = classifyTests(declared, results.base, results.gold);
    const flaky = new Set(classified.flaky);
    const error = (check: 'base' | 'gold', message: string, id?: string) => {
      if (id === undefined) return problems.push({ severity: 'error', check, message });
      const test = lastOutcome(id, results[check], outputTails[check]);
      const detail = `${test.status}${test.message ? `: ${test.message}` : ''}`;
      return problems.push({ severity: 'error', check, message: `${message} (${detail})`, test });
    };
    for (const id of task.failToPass) {
      if (flaky.has(id)) continue;
      if (classified.passToPass.includes(id) || classified.broken.includes(id)) {
        error('base', `FAIL_TO_PASS ${id} passes at the base (it must fail before the fix)`);
      }
      if (!classified.failToPass.includes(id) && !classified.passToPass.includes(id)) {
        error('gold', `FAIL_TO_PASS ${id} does not pass with gold.patch`, id);
      }
    }
    for (const id of task.passToPass) {
      if (flaky.has(id)) continue;
      if (!classified.passToPass.includes(id) && !classified.broken.includes(id)) {
        error('base', `PASS_TO_PASS ${id} does not pass at the base`, id);
      }
      if (!classified.passToPass.includes(id) && !classified.failToPass.includes(id)) {
        error('gold', `PASS_TO_PASS ${id} does not pass with gold.patch`, id);
      }
    }
    for (const id of flaky) {
      problems.push({
        severity: 'warning',
        check: 'gold',
        message: `${id} is flaky (its outcome differed between runs): dropped`,
      });
    }
    for (const constraint of violated.values()) {
      problems.push({
        severity: 'error',
        check: 'constraints',
        message: `constraint ${constraint.id} (${constraint.description}) is violated with gold.patch${
          constraint.detail ? `: ${constraint.detail}` : ''
        }`,
      });
    }
    const failToPass = task.failToPass.filter((id) => !flaky.has(id));
    const passToPass = task.passToPass.filter((id) => !flaky.has(id));
    if (failToPass.length === 0)
      problems.push({ severity: 'error', check: 'gold', message: 'no FAIL_TO_PASS test is left' });
    if (passToPass.length === 0)
      problems.push({ severity: 'error', check: 'gold', message: 'no PASS_TO_PASS test is left' });
    const result = report({ flaky: [...flaky], failToPass, passToPass });
    progress(result.valid ? 'valid' : 'INVALID');
    return result;
  } finally {
    if (!options.workDir) await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * How test `id` ended in the last run of a side: its status and key error line, or `missing` with the collection
 * error of its module (pytest reports it against the file) when it did not run.
 */
function lastOutcome(
  id: string,
  runs: TestResult[][],
  outputTail: string,
): { id: string; status: string; message?: string } {
  const results = runs.at(-1) ?? [];
  const matches = findTestResults(id, results);
  const worst =
    matches.find((match) => match.status === 'error') ??
    matches.find((match) => match.status === 'failed') ??
    matches.find((match) => match.status === 'skipped') ??
    matches[0];
  if (worst) {
    const message = keyErrorLine(worst.message);
    return { id, status: worst.status, ...(message ? { message } : {}) };
  }
  const file = id.split('::')[0];
  const moduleError = results.find((test) => test.id === file && test.status === 'error');
  if (moduleError) {
    const message = keyErrorLine(moduleError.message) ?? keyErrorLine(outputTail);
    return { id, status: 'missing', message: `${file} errored${message ? `: ${message}` : ''}` };
  }
  return { id, status: 'missing', message: 'not reported by the test command' };
}

/** The problem a run reports when it gave no usable test results; undefined when it did. */
export function describeRunFailure(outcome: TaskTestRun): TaskCheckProblem | undefined {
  const where = outcome.side === 'base' ? 'at the base' : 'with gold.patch';
  if (outcome.status === 'setup-failed')
    return { severity: 'error', check: 'setup', message: outcome.reason };
  if (outcome.status === 'gold-patch-failed')
    return { severity: 'error', check: 'gold-patch', message: outcome.reason };
  const grade = outcome.grade;
  if (grade.status !== 'invalid') return undefined;
  const check = grade.reason?.startsWith('tests.patch') ? 'tests-patch' : outcome.side;
  const tail = grade.testOutputTail ? `\n${indent(grade.testOutputTail.slice(-1500))}` : '';
  return { severity: 'error', check, message: `tests ${where}: ${grade.reason ?? 'no result'}${tail}` };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
