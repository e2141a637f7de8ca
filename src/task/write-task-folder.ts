import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { z } from 'zod';
import { taskFileNames } from './load-task.ts';
import type { taskYamlSchema } from './task-schema.ts';

/** The content of a task folder to write: task.yaml's fields (snake_case, as in the file) and the three texts. */
export interface TaskFolderContent {
  definition: z.input<typeof taskYamlSchema>;
  instruction: string;
  goldPatch: string;
  testsPatch: string;
  /** Comment lines written at the top of task.yaml (notes for the person reviewing the task). */
  comment?: string;
}

/**
 * Writes a task folder (task.yaml, instruction.md, gold.patch, tests.patch) at `directory`, replacing any folder
 * already there. The folder is written aside and renamed into place, so a reader never sees half a task.
 */
export async function writeTaskFolder(directory: string, content: TaskFolderContent): Promise<void> {
  const target = resolve(directory);
  await mkdir(dirname(target), { recursive: true });
  const partial = join(dirname(target), `.${basename(target)}.partial-${randomBytes(4).toString('hex')}`);
  await mkdir(partial);
  try {
    const comment = content.comment
      ? `${content.comment
          .split('\n')
          .map((line) => `# ${line}`.trimEnd())
          .join('\n')}\n`
      : '';
    await writeFile(
      join(partial, taskFileNames.definition),
      `${comment}${stringify(content.definition, { lineWidth: 0 })}`,
    );
    await writeFile(join(partial, taskFileNames.instruction), ensureFinalNewline(content.instruction));
    await writeFile(join(partial, taskFileNames.goldPatch), content.goldPatch);
    await writeFile(join(partial, taskFileNames.testsPatch), content.testsPatch);
    await rm(target, { recursive: true, force: true });
    await rename(partial, target);
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}

function ensureFinalNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
