import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { isDirectory, pathExists } from '../workspace/path-kind.ts';
import { listPatchFiles, type PatchFile } from './patch-files.ts';
import type { ConstraintCheck, Task, TaskRepository } from './task.ts';
import { TaskLoadError, type TaskLoadIssue } from './task-load-error.ts';
import { type TaskYaml, taskYamlSchema } from './task-schema.ts';

/** File names inside a task folder. */
export const taskFileNames = {
  definition: 'task.yaml',
  instruction: 'instruction.md',
  goldPatch: 'gold.patch',
  testsPatch: 'tests.patch',
} as const;

/**
 * Loads and validates the task folder `directory` (task.yaml, instruction.md, gold.patch, tests.patch).
 * Resolves the repository path against the folder and checks that it exists, reads and checks the patches, and
 * derives `testFiles` from tests.patch when task.yaml does not list them. Throws {@link TaskLoadError} listing every
 * problem, each naming its file and field (`task.yaml: fail_to_pass: must have at least 1 item`).
 */
export async function loadTask(directory: string): Promise<Task> {
  const taskDirectory = resolve(directory);
  const issues: TaskLoadIssue[] = [];
  const report = (file: string, field: string, message: string) => issues.push({ file, field, message });

  const [yamlText, instruction, goldPatch, testsPatch] = await Promise.all(
    Object.values(taskFileNames).map((name) => readTextFile(taskDirectory, name, report)),
  );

  const definition = yamlText === undefined ? undefined : parseDefinition(yamlText, report);
  if (instruction !== undefined && instruction.trim() === '')
    report(taskFileNames.instruction, '', 'is empty');
  const goldFiles =
    goldPatch === undefined ? undefined : readPatch(taskFileNames.goldPatch, goldPatch, report);
  const testFiles =
    testsPatch === undefined ? undefined : readPatch(taskFileNames.testsPatch, testsPatch, report);

  let repository: TaskRepository | undefined;
  if (definition) {
    repository = await resolveRepository(taskDirectory, definition, report);
    definition.test_files?.forEach((path, index) => {
      if (isAbsolute(path) || path.split('/').includes('..')) {
        report(
          taskFileNames.definition,
          `test_files[${index}]`,
          `"${path}" must be a path inside the repository`,
        );
      }
    });
    const outputPath = definition.test_output.path;
    if (outputPath !== undefined && (isAbsolute(outputPath) || outputPath.split('/').includes('..'))) {
      report(
        taskFileNames.definition,
        'test_output.path',
        `"${outputPath}" must be a path inside the workspace`,
      );
    }
  }

  if (
    issues.length > 0 ||
    !definition ||
    !repository ||
    instruction === undefined ||
    !goldFiles ||
    !testFiles
  ) {
    throw new TaskLoadError(taskDirectory, issues);
  }
  const task: Task = {
    id: definition.id,
    directory: taskDirectory,
    repository,
    baseCommit: definition.base_commit ?? null,
    setup: definition.setup ?? [],
    testCommand: definition.test_command,
    testOutput: { format: definition.test_output.format },
    failToPass: definition.fail_to_pass,
    passToPass: definition.pass_to_pass,
    testFiles: definition.test_files ?? derivedTestFiles(testFiles),
    limits: {},
    turns: (definition.turns ?? []).map((turn) => turn.message),
    constraints: (definition.constraints ?? []).map((constraint) => ({
      id: constraint.id,
      description: constraint.description,
      check: toConstraintCheck(constraint.check),
    })),
    tags: definition.tags ?? [],
    ...(definition.instruction_source
      ? {
          instructionSource: {
            source: definition.instruction_source,
            ...(definition.instruction_model ? { model: definition.instruction_model } : {}),
            ...(definition.original_instruction !== undefined
              ? { original: definition.original_instruction }
              : {}),
          },
        }
      : {}),
    instruction: instruction as string,
    goldPatch: goldPatch as string,
    testsPatch: testsPatch as string,
  };
  if (definition.title !== undefined) task.title = definition.title;
  if (definition.language !== undefined) task.language = definition.language;
  if (definition.difficulty !== undefined) task.difficulty = definition.difficulty;
  if (definition.test_output.path !== undefined) task.testOutput.path = definition.test_output.path;
  const limits = definition.limits;
  if (limits?.max_steps !== undefined) task.limits.maxSteps = limits.max_steps;
  if (limits?.max_wall_seconds !== undefined) task.limits.maxWallSeconds = limits.max_wall_seconds;
  if (limits?.max_total_tokens !== undefined) task.limits.maxTotalTokens = limits.max_total_tokens;
  if (limits?.max_cost_usd !== undefined) task.limits.maxCostUsd = limits.max_cost_usd;
  if (limits?.command_timeout_seconds !== undefined)
    task.limits.commandTimeoutSeconds = limits.command_timeout_seconds;
  return task;
}

type Report = (file: string, field: string, message: string) => void;

async function readTextFile(directory: string, name: string, report: Report): Promise<string | undefined> {
  try {
    return await readFile(resolve(directory, name), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    report(
      name,
      '',
      code === 'ENOENT' ? `file not found in ${directory}` : `cannot be read: ${(error as Error).message}`,
    );
    return undefined;
  }
}

function parseDefinition(text: string, report: Report): TaskYaml | undefined {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    for (const error of document.errors)
      report(taskFileNames.definition, '', `invalid YAML: ${error.message}`);
    return undefined;
  }
  const value: unknown = document.toJS();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    report(taskFileNames.definition, '', 'must be a mapping of fields (id, repo, test_command, ...)');
    return undefined;
  }
  const parsed = taskYamlSchema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    report(taskFileNames.definition, formatFieldPath(issue.path), describeIssue(issue));
  }
  return undefined;
}

function formatFieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  }
  if (issue.code === 'invalid_type') {
    return issue.input === undefined ? 'is required' : `must be ${article(issue.expected)} ${issue.expected}`;
  }
  return issue.message;
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? 'an' : 'a';
}

function readPatch(file: string, text: string, report: Report): PatchFile[] | undefined {
  try {
    const files = listPatchFiles(text);
    if (files.length === 0) {
      report(file, '', 'touches no files (expected a unified diff)');
      return undefined;
    }
    return files;
  } catch (error) {
    report(file, '', (error as Error).message);
    return undefined;
  }
}

function derivedTestFiles(files: PatchFile[]): string[] {
  const paths = new Set<string>();
  for (const file of files) {
    if (file.previousPath) paths.add(file.previousPath);
    paths.add(file.path);
  }
  return [...paths];
}

async function resolveRepository(
  directory: string,
  definition: TaskYaml,
  report: Report,
): Promise<TaskRepository | undefined> {
  if ('path' in definition.repo) {
    const path = resolve(directory, definition.repo.path);
    if (!(await isDirectory(path))) {
      report(taskFileNames.definition, 'repo.path', `directory not found: ${path}`);
      return undefined;
    }
    if (definition.base_commit !== undefined && !(await pathExists(resolve(path, '.git')))) {
      report(
        taskFileNames.definition,
        'base_commit',
        `is set but ${path} is not a git repository (remove it for a snapshot)`,
      );
      return undefined;
    }
    return { kind: 'directory', path };
  }
  const source = definition.repo.git;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^[\w.-]+@[\w.-]+:/.test(source))
    return { kind: 'git', url: source };
  const path = resolve(directory, source);
  if (!(await isDirectory(path))) {
    report(taskFileNames.definition, 'repo.git', `repository not found: ${path}`);
    return undefined;
  }
  return { kind: 'git', url: path };
}

function toConstraintCheck(check: NonNullable<TaskYaml['constraints']>[number]['check']): ConstraintCheck {
  if ('command' in check) return { kind: 'command', command: check.command };
  if ('forbid_pattern' in check)
    return { kind: 'forbid-pattern', pattern: check.forbid_pattern, paths: check.paths };
  return { kind: 'require-pattern', pattern: check.require_pattern, paths: check.paths };
}
