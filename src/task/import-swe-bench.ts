import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { isDirectory } from '../workspace/path-kind.ts';
import { loadTask } from './load-task.ts';
import {
  detectOwnTestRunner,
  type OwnTestRunner,
  ownRunnerLabels,
  ownTestRunnerOfRepository,
  ownTestRunners,
} from './own-test-runner.ts';
import { listPatchFiles } from './patch-files.ts';
import { TaskLoadError } from './task-load-error.ts';
import type { TestOutputFormat } from './test-results/test-result.ts';
import { writeTaskFolder } from './write-task-folder.ts';

/** Options of {@link importSweBench}. */
export interface ImportSweBenchOptions {
  /** The JSONL file, one instance a line. */
  file: string;
  /** Folder holding the clones, named `owner__name` (e.g. `django__django`). */
  reposDir: string;
  /** Suite folder the task folders are written to. */
  outDir: string;
  /** Test command written to every task (default: SWE-bench's: Django's or sympy's runner where the repository has one, else pytest with `-rA`). */
  testCommand?: string;
  testFormat?: TestOutputFormat;
  /** Setup commands written to every task (the environment: installs, pinned dependencies). */
  setup?: string[];
}

/** A line that could not be imported. */
export interface SweBenchImportError {
  /** 1-based line number in the file. */
  line: number;
  instanceId?: string;
  /** The field at fault, when one is. */
  field?: string;
  message: string;
}

/** What {@link importSweBench} did. */
export interface SweBenchImportResult {
  /** Task ids written. */
  imported: string[];
  errors: SweBenchImportError[];
}

const defaultTestCommand = 'python -m pytest -rA -p no:cacheprovider {test_ids}';

/** What every imported task's task.yaml says about its environment. */
export const sweBenchEnvironmentNote =
  "SWE-bench tasks come without their environment: the repository's dependencies (pinned for its version) must be installed by setup commands (--setup) or present in the sandbox image, or the tests fail at collection.";

class LineError extends Error {
  constructor(
    readonly field: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Imports SWE-bench-style instances (instance_id, repo, base_commit, patch, test_patch, problem_statement,
 * FAIL_TO_PASS and PASS_TO_PASS as JSON-encoded string lists or arrays, version, environment_setup_commit) as task
 * folders whose repository is the local clone `reposDir/owner__name`. Each bad line is reported with its line
 * number and field and does not stop the others; each written task is loaded back to be sure it is valid.
 */
export async function importSweBench(options: ImportSweBenchOptions): Promise<SweBenchImportResult> {
  const text = await readFile(options.file, 'utf8');
  const result: SweBenchImportResult = { imported: [], errors: [] };
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '') continue;
    let instanceId: string | undefined;
    try {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch (error) {
        throw new LineError(undefined, `not valid JSON: ${(error as Error).message}`);
      }
      if (typeof record !== 'object' || record === null || Array.isArray(record))
        throw new LineError(undefined, 'must be a JSON object');
      instanceId = requiredString(record, 'instance_id');
      const taskId = await importInstance(record, instanceId, options);
      result.imported.push(taskId);
    } catch (error) {
      const failure: SweBenchImportError = { line: index + 1, message: (error as Error).message };
      if (instanceId !== undefined) failure.instanceId = instanceId;
      if (error instanceof LineError && error.field !== undefined) failure.field = error.field;
      result.errors.push(failure);
    }
  }
  return result;
}

/** Formats an import error as `FILE:LINE (instance) field: message`. */
export function formatSweBenchImportError(file: string, error: SweBenchImportError): string {
  const instance = error.instanceId ? ` (${error.instanceId})` : '';
  return `${file}:${error.line}${instance} ${error.field ? `${error.field}: ` : ''}${error.message}`;
}

async function importInstance(
  record: Record<string, unknown>,
  instanceId: string,
  options: ImportSweBenchOptions,
): Promise<string> {
  const repository = requiredString(record, 'repo');
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository))
    throw new LineError('repo', `"${repository}" must be owner/name`);
  const baseCommit = requiredString(record, 'base_commit');
  const goldPatch = requiredString(record, 'patch');
  const testsPatch = requiredString(record, 'test_patch');
  const problemStatement = requiredString(record, 'problem_statement');
  const failToPass = testList(record, 'FAIL_TO_PASS', true);
  const passToPass = testList(record, 'PASS_TO_PASS', false);
  const tags = ['swe-bench', 'needs-environment'];
  for (const field of ['version', 'environment_setup_commit'] as const) {
    const value = record[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' && typeof value !== 'number')
      throw new LineError(field, 'must be a string');
    tags.push(`${field.replaceAll('_', '-')}-${value}`);
  }

  const repositoryDir = resolve(options.reposDir, repository.replace('/', '__'));
  if (!(await isDirectory(repositoryDir))) {
    throw new LineError(
      'repo',
      `clone not found at ${repositoryDir} (git clone https://github.com/${repository} ${repositoryDir})`,
    );
  }
  const verified = await execa('git', ['rev-parse', '--verify', '--quiet', `${baseCommit}^{commit}`], {
    cwd: repositoryDir,
    reject: false,
  });
  if (verified.exitCode !== 0)
    throw new LineError('base_commit', `${baseCommit} is not a commit of ${repositoryDir}`);
  const testCommand = options.testCommand
    ? { command: options.testCommand, format: options.testFormat ?? 'pytest' }
    : await sweBenchTestCommand(repository, repositoryDir, baseCommit, testsPatch, [
        ...failToPass,
        ...passToPass,
      ]);
  if (testCommand.runner) tags.push(`test-runner-${testCommand.runner}`);

  const taskId = instanceId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (taskId === '')
    throw new LineError('instance_id', `"${instanceId}" has no letter or digit to make a task id from`);
  const directory = join(options.outDir, taskId);
  await writeTaskFolder(directory, {
    comment: `Imported from SWE-bench instance ${instanceId}.\nNOTE: ${sweBenchEnvironmentNote}`,
    definition: {
      id: taskId,
      title: instanceId,
      repo: { git: repositoryDir },
      base_commit: baseCommit,
      language: 'python',
      ...(options.setup && options.setup.length > 0 ? { setup: options.setup } : {}),
      test_command: testCommand.command,
      test_output: { format: testCommand.format },
      fail_to_pass: failToPass,
      pass_to_pass: passToPass,
      tags,
    },
    instruction: problemStatement,
    goldPatch,
    testsPatch,
  });
  try {
    await loadTask(directory);
  } catch (error) {
    if (error instanceof TaskLoadError) {
      const issue = error.issues[0];
      throw new LineError(
        undefined,
        `the written task is invalid: ${issue.file}${issue.field ? ` ${issue.field}` : ''}: ${issue.message}`,
      );
    }
    throw error;
  }
  return taskId;
}

function requiredString(record: Record<string, unknown>, field: string): string {
  const value = record[field];
  if (value === undefined || value === null) throw new LineError(field, 'is required');
  if (typeof value !== 'string') throw new LineError(field, 'must be a string');
  if (value.trim() === '') throw new LineError(field, 'must not be empty');
  return value;
}

function testList(record: Record<string, unknown>, field: string, required: boolean): string[] {
  let value = record[field];
  if (value === undefined || value === null) {
    if (required) throw new LineError(field, 'is required');
    return [];
  }
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new LineError(field, 'must be a list of test ids (or a JSON-encoded list)');
    }
  }
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.trim() !== '')) {
    throw new LineError(field, 'must be a list of non-empty test id strings');
  }
  if (required && value.length === 0) throw new LineError(field, 'must have at least 1 test id');
  return value as string[];
}

/**
 * The test command SWE-bench's harness runs for an instance (MAP_REPO_TO_TEST_FRAMEWORK and get_test_directives):
 * Django's tests/runtests.py or sympy's bin/test with the labels of the test modules test_patch changes, when the
 * repository (by name, or by its files at the base commit) has such a runner; else pytest with the ids, which must
 * then be pytest ids.
 */
async function sweBenchTestCommand(
  repository: string,
  repositoryDir: string,
  baseCommit: string,
  testsPatch: string,
  testIds: readonly string[],
): Promise<{ command: string; format: TestOutputFormat; runner?: OwnTestRunner }> {
  const listed = await execa(
    'git',
    ['ls-tree', '-r', '--name-only', baseCommit, '--', 'tests/runtests.py', 'bin/test'],
    {
      cwd: repositoryDir,
      reject: false,
    },
  );
  const paths = listed.exitCode === 0 ? listed.stdout.split('\n').filter(Boolean) : [];
  const runner =
    ownTestRunnerOfRepository[repository] ??
    (await detectOwnTestRunner(paths, async (path) => {
      const shown = await execa('git', ['show', `${baseCommit}:${path}`], {
        cwd: repositoryDir,
        reject: false,
      });
      return shown.exitCode === 0 ? shown.stdout : undefined;
    }));
  if (runner) {
    const testFiles = listPatchFiles(testsPatch)
      .filter((file) => file.change !== 'deleted')
      .map((file) => file.path);
    const labels = ownRunnerLabels(runner, testFiles);
    if (labels.length === 0) {
      throw new LineError(
        'test_patch',
        `changes no test module ${ownTestRunners[runner].description} can run (${testFiles.join(', ') || 'no file'}): pass --test-command and --test-format`,
      );
    }
    return {
      command: `${ownTestRunners[runner].sweBenchCommand} ${labels.join(' ')}`,
      format: ownTestRunners[runner].format,
      runner,
    };
  }
  const notPytest = testIds.find((id) => !id.includes('::'));
  if (notPytest) {
    throw new LineError(
      'FAIL_TO_PASS',
      `"${notPytest}" is not a pytest id (path::name) and the repository has no runner shakedown knows (Django's tests/runtests.py, sympy's bin/test): pass --test-command and --test-format for its runner (or leave these instances out)`,
    );
  }
  return { command: defaultTestCommand, format: 'pytest' };
}
