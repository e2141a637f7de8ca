/**
 * The gold solution of a task as file writes: what a scripted agent writes to solve it (and the harmless wrong
 * change it makes to fail it). Used by `shakedown demo`'s scripted agents and by end-to-end tests.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { listPatchFiles } from './patch-files.ts';
import type { Task } from './task.ts';

const run = promisify(execFile);

/** What a scripted agent does to solve a task (and to fail it). */
export interface GoldSolution {
  taskId: string;
  instruction: string;
  followUps: string[];
  /** A base file the agent reads first (the first file the gold patch modifies). */
  readPath: string;
  /** Files to write with their full content after the gold patch. */
  writes: Array<{ path: string; content: string }>;
  /** Files the gold patch deletes (or renames away). */
  removals: string[];
  /** The harmless wrong change a failing agent makes: `readPath` with a comment appended. */
  wrongChange: { path: string; content: string };
}

/**
 * Applies `task.goldPatch` with `git apply` to a temporary copy of the task's repository snapshot and returns the
 * full content of every file it adds or modifies, and the files it removes. Throws when the patch does not apply
 * (a broken task).
 */
export async function computeGoldSolution(task: Task): Promise<GoldSolution> {
  if (task.repository.kind !== 'directory' || task.baseCommit !== null) {
    throw new Error(`${task.id}: the oracle only supports plain directory snapshots`);
  }
  const files = listPatchFiles(task.goldPatch);
  if (files.length === 0) throw new Error(`${task.id}: gold.patch touches no file`);
  const scratch = await mkdtemp(path.join(tmpdir(), `shakedown-gold-${task.id}-`));
  try {
    const copy = path.join(scratch, 'repo');
    await cp(task.repository.path, copy, { recursive: true });
    // A repository of its own, so that `git apply` resolves paths from the copy's root whatever encloses it.
    await run('git', ['init', '-q'], { cwd: copy });
    const patchPath = path.join(scratch, 'gold.patch');
    await writeFile(patchPath, task.goldPatch);
    const readPath = files.find((file) => file.change === 'modified')?.path ?? files[0]!.path;
    const readable = files.some((file) => file.change === 'modified' && file.path === readPath);
    const baseContent = readable ? await readFile(path.join(copy, readPath), 'utf8') : null;
    try {
      await run('git', ['apply', '--whitespace=nowarn', patchPath], { cwd: copy });
    } catch (error) {
      throw new Error(`${task.id}: gold.patch does not apply to repo/: ${(error as Error).message}`);
    }
    const writes: GoldSolution['writes'] = [];
    const removals: string[] = [];
    for (const file of files) {
      if (file.change === 'deleted') {
        removals.push(file.path);
        continue;
      }
      if (file.change === 'renamed' && file.previousPath) removals.push(file.previousPath);
      writes.push({ path: file.path, content: await readFile(path.join(copy, file.path), 'utf8') });
    }
    const commentPrefix = readPath.endsWith('.py') ? '#' : '//';
    const wrongChange = baseContent
      ? {
          path: readPath,
          content: `${baseContent}${baseContent.endsWith('\n') ? '' : '\n'}${commentPrefix} TODO: revisit this later.\n`,
        }
      : { path: 'NOTES.md', content: 'Not sure what to change yet.\n' };
    return {
      taskId: task.id,
      instruction: task.instruction,
      followUps: task.turns,
      readPath: readable ? readPath : '.',
      writes,
      removals,
      wrongChange,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Gold solutions of every task, keyed by the instruction (the first user message the agent sees). */
export async function computeGoldSolutions(tasks: readonly Task[]): Promise<Map<string, GoldSolution>> {
  const solutions = new Map<string, GoldSolution>();
  for (const task of tasks) {
    const solution = await computeGoldSolution(task);
    if (solutions.has(solution.instruction)) throw new Error(`${task.id}: instruction is not unique`);
    solutions.set(solution.instruction, solution);
  }
  return solutions;
}
