import { stat } from 'node:fs/promises';
import path, { join } from 'node:path';
import { resolveSuiteDirectory } from './built-in-suites.ts';
import { loadSuite } from './load-suite.ts';
import { loadTask, taskFileNames } from './load-task.ts';
import type { Task } from './task.ts';

/** Throws `message` (one line with its fix) unless `directory` is a folder. */
async function requireFolder(directory: string, message: string): Promise<void> {
  const info = await stat(directory).catch(() => null);
  if (!info?.isDirectory()) throw new Error(message);
}

/**
 * Loads the tasks of every suite and task folder; load errors are reported through `warn` and skipped. Suites are
 * resolved against `baseDirectory`, falling back to the built-in suites (`core`, `suites/core`).
 */
export async function loadRunTasks(
  config: { suites: readonly string[]; tasks: readonly string[] },
  baseDirectory: string,
  warn: (message: string) => void,
): Promise<Task[]> {
  const tasks: Task[] = [];
  for (const suite of config.suites) {
    const directory = resolveSuiteDirectory(suite, baseDirectory);
    await requireFolder(
      directory,
      `suite folder not found: ${suite} (looked at ${directory}). Fix: pass an existing folder to --suite ` +
        '(or `suites:` in shakedown.yaml), or --suite core for the built-in suite',
    );
    const loaded = await loadSuite(directory);
    for (const error of loaded.errors) warn(error.message);
    tasks.push(...loaded.tasks);
  }
  for (const folder of config.tasks) {
    const directory = path.resolve(baseDirectory, folder);
    await requireFolder(
      directory,
      `task folder not found: ${folder} (looked at ${directory}). Fix: pass a folder holding task.yaml to --tasks, ` +
        'or a folder of such folders to --suite',
    );
    tasks.push(await loadTask(directory));
  }
  const seen = new Set<string>();
  return tasks.filter((task) => {
    if (seen.has(task.id)) {
      warn(`task ${task.id} is listed twice; running it once`);
      return false;
    }
    seen.add(task.id);
    return true;
  });
}

/** Loads DIR as a task folder (it has task.yaml) or as a suite of task folders; load errors are returned as text. */
export async function loadTaskOrSuite(directory: string): Promise<{ tasks: Task[]; errors: string[] }> {
  const isTask = await stat(join(directory, taskFileNames.definition)).then(
    (info) => info.isFile(),
    () => false,
  );
  if (isTask) {
    try {
      return { tasks: [await loadTask(directory)], errors: [] };
    } catch (error) {
      return { tasks: [], errors: [(error as Error).message] };
    }
  }
  const suite = await loadSuite(directory);
  return { tasks: suite.tasks, errors: suite.errors.map((error) => error.message) };
}
