import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from '../sandbox/types.ts';
import { globMatcher } from '../text/index.ts';
import type { Task, TaskConstraint } from './task.ts';

/** Whether a constraint still holds at the end of the attempt. */
export interface ConstraintResult {
  id: string;
  description: string;
  status: 'kept' | 'violated';
  /** What was found: offending files, the missing pattern, or the command's exit and output tail. */
  detail?: string;
}

/** Options for {@link checkConstraints}. */
export interface CheckConstraintsOptions {
  /** Timeout of a `command` check (default: the task's command timeout, else 60 s). */
  commandTimeoutMs?: number;
}

const skippedDirectories = new Set(['.git', 'node_modules']);
const largestScannedFileBytes = 2 * 1024 * 1024;
const detailTailLength = 1000;

/**
 * Checks every constraint of the task against the workspace after the agent stopped:
 * `command` runs in the sandbox and is kept on exit code 0; `forbid_pattern` is violated by any file matching
 * `paths` whose content matches the pattern; `require_pattern` is kept when at least one such file matches.
 * Patterns are multi-line regular expressions; `.git` and `node_modules` are not scanned, nor files over 2 MiB.
 */
export async function checkConstraints(
  task: Task,
  workspaceDir: string,
  sandbox: Sandbox,
  options: CheckConstraintsOptions = {},
): Promise<ConstraintResult[]> {
  const timeoutMs = options.commandTimeoutMs ?? (task.limits.commandTimeoutSeconds ?? 60) * 1000;
  let files: string[] | undefined;
  const results: ConstraintResult[] = [];
  for (const constraint of task.constraints) {
    const check = constraint.check;
    if (check.kind === 'command') {
      const execution = await sandbox.exec(check.command, { timeoutMs });
      const kept = execution.exitCode === 0 && !execution.timedOut;
      const output = `${execution.stdout}${execution.stderr}`.trim().slice(-detailTailLength);
      const exit = execution.timedOut ? 'timed out' : `exit code ${execution.exitCode ?? execution.signal}`;
      results.push(result(constraint, kept, kept ? undefined : `${exit}${output ? `: ${output}` : ''}`));
      continue;
    }
    files ??= await listFiles(workspaceDir);
    const inScope = globMatcher(check.paths);
    const pattern = new RegExp(check.pattern, 'm');
    const matching: string[] = [];
    for (const file of files.filter(inScope)) {
      const content = await readFile(join(workspaceDir, file), 'utf8');
      if (pattern.test(content)) matching.push(file);
    }
    if (check.kind === 'forbid-pattern') {
      const kept = matching.length === 0;
      results.push(
        result(constraint, kept, kept ? undefined : `forbidden pattern found in ${matching.join(', ')}`),
      );
    } else {
      const kept = matching.length > 0;
      results.push(
        result(
          constraint,
          kept,
          kept ? undefined : `no file matching ${check.paths.join(', ')} contains /${check.pattern}/`,
        ),
      );
    }
  }
  return results;
}

function result(constraint: TaskConstraint, kept: boolean, detail: string | undefined): ConstraintResult {
  const constraintResult: ConstraintResult = {
    id: constraint.id,
    description: constraint.description,
    status: kept ? 'kept' : 'violated',
  };
  if (detail !== undefined) constraintResult.detail = detail;
  return constraintResult;
}

async function listFiles(root: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!skippedDirectories.has(entry.name)) files.push(...(await listFiles(root, path)));
    } else if (entry.isFile() && (await lstat(join(root, path))).size <= largestScannedFileBytes) {
      files.push(path);
    }
  }
  return files.sort();
}
