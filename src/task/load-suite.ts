import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isFile } from '../workspace/path-kind.ts';
import { loadTask, taskFileNames } from './load-task.ts';
import type { Task } from './task.ts';
import { TaskLoadError } from './task-load-error.ts';

/** The tasks of a suite folder, and the errors of the folders that failed to load. */
export interface SuiteLoadResult {
  /** Absolute path of the suite folder. */
  directory: string;
  /** Valid tasks, sorted by folder name. */
  tasks: Task[];
  /** One error per task folder that failed (and one per duplicated id), sorted by folder name. */
  errors: TaskLoadError[];
}

/**
 * Loads every direct subfolder of `directory` that has a task.yaml (folders whose name starts with `.` or `_`,
 * such as `_repos`, are skipped). One bad task does not hide the others: all load errors are collected in
 * `errors`, and tasks that reuse an id already taken are reported there too. Throws only when `directory` itself
 * cannot be read.
 */
export async function loadSuite(directory: string): Promise<SuiteLoadResult> {
  const suiteDirectory = resolve(directory);
  const entries = await readdir(suiteDirectory, { withFileTypes: true });
  const taskDirectories: string[] = [];
  for (const entry of entries.sort((left, right) => left.name.localeCompare(right.name, 'en'))) {
    if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name.startsWith('_')) continue;
    const candidate = join(suiteDirectory, entry.name);
    if (await isFile(join(candidate, taskFileNames.definition))) taskDirectories.push(candidate);
  }

  const outcomes = await Promise.all(
    taskDirectories.map(async (taskDirectory) => {
      try {
        return { taskDirectory, task: await loadTask(taskDirectory) };
      } catch (error) {
        if (error instanceof TaskLoadError) return { taskDirectory, error };
        const message = error instanceof Error ? error.message : String(error);
        return {
          taskDirectory,
          error: new TaskLoadError(taskDirectory, [{ file: taskFileNames.definition, field: '', message }]),
        };
      }
    }),
  );

  const tasks: Task[] = [];
  const errors: TaskLoadError[] = [];
  const directoryById = new Map<string, string>();
  for (const outcome of outcomes) {
    if (outcome.error) {
      errors.push(outcome.error);
      continue;
    }
    const task = outcome.task as Task;
    const firstDirectory = directoryById.get(task.id);
    if (firstDirectory !== undefined) {
      errors.push(
        new TaskLoadError(outcome.taskDirectory, [
          {
            file: taskFileNames.definition,
            field: 'id',
            message: `"${task.id}" is already used by ${firstDirectory}`,
          },
        ]),
      );
      continue;
    }
    directoryById.set(task.id, outcome.taskDirectory);
    tasks.push(task);
  }
  return { directory: suiteDirectory, tasks, errors };
}
