import type { Sandbox, SandboxExecResult } from '../sandbox/types.ts';
import { applyPatch } from './apply-patch.ts';
import { createBaseFileReader, type ReadBaseFile } from './base-file-reader.ts';
import { listPatchFiles } from './patch-files.ts';
import {
  injectSentinels,
  isSentinelResult,
  judgeSentinels,
  newSentinelNonce,
  planSentinels,
  type SentinelVerdict,
} from './sentinel-tests.ts';
import type { Task } from './task.ts';
import { findTestResults } from './test-results/match-test-id.ts';
import { isDocumentFormat, parseTestOutput } from './test-results/parse-test-output.ts';
import type { TestResult, TestStatus } from './test-results/test-result.ts';
import { worstStatus } from './test-results/worst-status.ts';
import { readWorkspaceFile, replaceWorkspaceFile } from './workspace-files.ts';

/** How a required test came out; `missing` when no result reported it. */
export type GradedTestStatus = TestStatus | 'missing';

/** One FAIL_TO_PASS or PASS_TO_PASS test as graded. */
export interface GradedTest {
  id: string;
  status: GradedTestStatus;
  /** Whether any result reported this test. */
  found: boolean;
  /** Ids of the results that matched (several for a duplicated or ambiguous id). */
  matchedIds: string[];
  message?: string;
}

/**
 * `resolved`: every FAIL_TO_PASS and PASS_TO_PASS test passed. `unresolved`: the suite ran and some did not.
 * `invalid`: no evidence the suite ran (tests.patch did not apply, the command could not start, or no test result
 * could be parsed), or the test environment was tampered with (a must-fail sentinel passed) — never a pass.
 */
export type GradeStatus = 'resolved' | 'unresolved' | 'invalid';

/** Signs that the agent tried to influence its own grading (shown as "tampering detected"). */
export interface TamperingReport {
  detected: boolean;
  /** What was found, one line each. */
  reasons: string[];
}

/** The outcome of grading one attempt. */
export interface GradeResult {
  status: GradeStatus;
  failToPass: GradedTest[];
  passToPass: GradedTest[];
  /** Share of FAIL_TO_PASS tests passing (0 when invalid). */
  partialScore: number;
  /** Why the attempt is invalid or unresolved, in words. */
  reason?: string;
  /** Exit code of the test command (null when killed or not run). */
  exitCode: number | null;
  /** Every parsed result, for diagnosis. */
  testResults: TestResult[];
  /** The last part of the test command's stdout and stderr. */
  testOutputTail: string;
  durationMs: number;
  /** How the sentinel tests came out (absent when the suite did not run). */
  sentinel?: SentinelVerdict;
  /** Tampering found by this grading (sentinels) and, on a clean copy, by the dropped changes. */
  tampering: TamperingReport;
}

/** Input of {@link gradeAttempt}. */
export interface GradeAttemptInput {
  task: Task;
  /** Host path of the attempt's workspace (the agent has stopped). */
  workspaceDir: string;
  sandbox: Sandbox;
  testTimeoutMs: number;
  /** Where base content of test files comes from; default: the task's own repository ({@link createBaseFileReader}). */
  readBaseFile?: ReadBaseFile;
  /** Cap on captured test output (default 32 MiB). */
  outputLimitBytes?: number;
  /** Add the sentinel tests (default true; see sentinel-tests.ts). */
  sentinels?: boolean;
}

const outputTailLength = 4000;
const defaultOutputLimitBytes = 32 * 1024 * 1024;

/**
 * Grades an attempt with SWE-bench rules, hardened against an agent that edits or deletes tests:
 * 1. every file tests.patch touches (and every declared test file) is restored to its base content, or deleted
 *    when the base lacks it, so agent edits to tests are discarded;
 * 2. tests.patch is applied with `git apply` in an isolated git environment (failure: invalid);
 * 3. a stale report file is removed, `test_command` runs in the sandbox (`{test_ids}` replaced by the quoted
 *    FAIL_TO_PASS and PASS_TO_PASS ids) and its report is parsed;
 * 4. resolved = every FAIL_TO_PASS and PASS_TO_PASS test passed; a missing or skipped test counts as failed.
 * No parseable result, or a command that could not start, is `invalid`. A timeout is `unresolved` (the code under
 * test may hang), graded on whatever was reported.
 *
 * Sentinel tests (sentinel-tests.ts) are added with the hidden tests and removed from the results: a must-fail
 * sentinel that passes makes the grade `invalid` ("test environment tampered"); a must-pass sentinel that fails, or
 * sentinels that were not reported, turn a would-be `resolved` into `invalid` (the report cannot be trusted) and
 * leave a failing grade as it is.
 */
export async function gradeAttempt(input: GradeAttemptInput): Promise<GradeResult> {
  const started = performance.now();
  const { task, workspaceDir, sandbox } = input;
  const elapsed = () => performance.now() - started;
  const invalid = (reason: string, partial: Partial<GradeResult> = {}): GradeResult => ({
    status: 'invalid',
    failToPass: task.failToPass.map(missingTest),
    passToPass: task.passToPass.map(missingTest),
    partialScore: 0,
    reason,
    exitCode: null,
    testResults: [],
    testOutputTail: '',
    tampering: { detected: false, reasons: [] },
    ...partial,
    durationMs: elapsed(),
  });

  try {
    await restoreTestFiles(task, workspaceDir, input.readBaseFile ?? createBaseFileReader(task));
  } catch (error) {
    return invalid(`could not restore test files: ${(error as Error).message}`);
  }
  const applyError = await applyPatch(workspaceDir, task.testsPatch);
  if (applyError !== null) return invalid(`tests.patch did not apply: ${applyError}`);
  if (task.testOutput.path !== undefined)
    await replaceWorkspaceFile(workspaceDir, task.testOutput.path, null);
  const sentinels =
    input.sentinels === false ? undefined : await planSentinels(task, workspaceDir, newSentinelNonce());
  const removeSentinels = sentinels ? await injectSentinels(workspaceDir, sentinels) : undefined;

  const command = task.testCommand.replaceAll(
    '{test_ids}',
    [...task.failToPass, ...task.passToPass, ...(sentinels?.testIds ?? [])].map(shellQuote).join(' '),
  );
  const execution = await sandbox.exec(command, {
    timeoutMs: input.testTimeoutMs,
    outputLimitBytes: input.outputLimitBytes ?? defaultOutputLimitBytes,
  });
  await removeSentinels?.();
  const testOutputTail = outputTail(execution);
  const base = { exitCode: execution.exitCode, testOutputTail };

  if (!execution.timedOut && (execution.exitCode === 126 || execution.exitCode === 127)) {
    return invalid(`test command could not start (exit code ${execution.exitCode})`, base);
  }
  let report: string | null;
  if (task.testOutput.path !== undefined) {
    report = await readWorkspaceFile(workspaceDir, task.testOutput.path);
  } else {
    report = isDocumentFormat(task.testOutput.format)
      ? execution.stdout
      : `${execution.stdout}\n${execution.stderr}`;
  }
  let allResults: TestResult[] = [];
  let parseProblem: string | undefined;
  if (report === null) {
    parseProblem = `report file ${task.testOutput.path} was not written`;
  } else {
    try {
      allResults = parseTestOutput(task.testOutput.format, report, { rootDir: sandbox.workspaceDir });
      if (allResults.length === 0)
        parseProblem = `no test results found in the ${task.testOutput.format} output`;
    } catch (error) {
      parseProblem = (error as Error).message;
    }
  }
  const sentinel = sentinels ? judgeSentinels(sentinels, allResults) : undefined;
  const testResults = sentinels
    ? allResults.filter((result) => !isSentinelResult(result, sentinels.nonce))
    : allResults;
  const tampering: TamperingReport =
    sentinel?.status === 'tampered'
      ? { detected: true, reasons: [`test environment tampered: ${sentinel.detail}`] }
      : { detected: false, reasons: [] };
  if (sentinel?.status === 'tampered') {
    return invalid(`test environment tampered: ${sentinel.detail}`, {
      ...base,
      testResults,
      sentinel,
      tampering,
    });
  }
  if (parseProblem === undefined && testResults.length === 0 && allResults.length > 0) {
    parseProblem = `only sentinel test results found in the ${task.testOutput.format} output`;
  }
  if (parseProblem !== undefined && !execution.timedOut) {
    return invalid(`${parseProblem}${describeExit(execution)}`, { ...base, sentinel, tampering });
  }

  const failToPass = task.failToPass.map((id) => gradeTest(id, testResults));
  const passToPass = task.passToPass.map((id) => gradeTest(id, testResults));
  const passing = failToPass.filter((test) => test.status === 'passed').length;
  const resolved = passing === failToPass.length && passToPass.every((test) => test.status === 'passed');
  const result: GradeResult = {
    status: resolved ? 'resolved' : 'unresolved',
    failToPass,
    passToPass,
    partialScore: failToPass.length === 0 ? 0 : passing / failToPass.length,
    ...base,
    testResults,
    durationMs: elapsed(),
    tampering,
  };
  if (sentinel) result.sentinel = sentinel;
  if (execution.timedOut) {
    result.status = 'unresolved';
    result.reason = `test command timed out after ${input.testTimeoutMs} ms`;
  } else if (!resolved) {
    result.reason = describeFailures(failToPass, passToPass);
  } else if (
    sentinel &&
    (sentinel.status === 'broken' || sentinel.status === 'not-run') &&
    failToPass.length + passToPass.length > 0
  ) {
    // Every hidden test reported passing, but not the sentinels beside them: a forged or rewritten report.
    result.status = 'invalid';
    result.partialScore = 0;
    result.reason = `test report not trusted: ${sentinel.detail}, yet every required test passed`;
    result.tampering = { detected: true, reasons: [`test report not trusted: ${sentinel.detail}`] };
  }
  return result;
}

async function restoreTestFiles(task: Task, workspaceDir: string, readBaseFile: ReadBaseFile): Promise<void> {
  const paths = new Set(task.testFiles);
  for (const file of listPatchFiles(task.testsPatch)) {
    paths.add(file.path);
    if (file.previousPath) paths.add(file.previousPath);
  }
  for (const path of paths) {
    await replaceWorkspaceFile(workspaceDir, path, await readBaseFile(path));
  }
}

function gradeTest(id: string, results: TestResult[]): GradedTest {
  const matches = findTestResults(id, results);
  if (matches.length === 0) return missingTest(id);
  const status = matches.map((match) => match.status).reduce(worstStatus);
  const graded: GradedTest = { id, status, found: true, matchedIds: matches.map((match) => match.id) };
  const message = matches.find((match) => match.status === status)?.message;
  if (message !== undefined) graded.message = message;
  return graded;
}

function missingTest(id: string): GradedTest {
  return { id, status: 'missing', found: false, matchedIds: [] };
}

function describeFailures(failToPass: GradedTest[], passToPass: GradedTest[]): string {
  const parts: string[] = [];
  const failing = failToPass.filter((test) => test.status !== 'passed');
  const broken = passToPass.filter((test) => test.status !== 'passed');
  if (failing.length > 0) parts.push(`FAIL_TO_PASS not passing: ${failing.map(describeTest).join(', ')}`);
  if (broken.length > 0) parts.push(`PASS_TO_PASS not passing: ${broken.map(describeTest).join(', ')}`);
  return parts.join('; ');
}

function describeTest(test: GradedTest): string {
  return `${test.id} (${test.status})`;
}

function describeExit(execution: SandboxExecResult): string {
  if (execution.signal) return ` (test command killed by ${execution.signal})`;
  return execution.exitCode === null ? '' : ` (test command exit code ${execution.exitCode})`;
}

function outputTail(execution: SandboxExecResult): string {
  const combined = [execution.stdout, execution.stderr].filter((text) => text.length > 0).join('\n');
  return combined.length <= outputTailLength ? combined : combined.slice(-outputTailLength);
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
