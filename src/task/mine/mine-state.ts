import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What mining decided for one commit. */
export interface MinedCommitRecord {
  status: 'task' | 'skipped';
  subject: string;
  /** The task folder name, for a task. */
  taskId?: string;
  /** Why no task was made. */
  reason?: string;
}

/** The resumable state of mining one repository into one folder. */
export interface MineState {
  version: 1;
  repository: string;
  commits: Record<string, MinedCommitRecord>;
}

/** Name of the state file inside the output folder. */
export const mineStateFileName = '.mine-state.json';

/** Reads the state kept in `outDir`; a fresh state when there is none. Throws when it belongs to another repository. */
export async function readMineState(outDir: string, repository: string): Promise<MineState> {
  let text: string;
  try {
    text = await readFile(join(outDir, mineStateFileName), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, repository, commits: {} };
    throw error;
  }
  let state: MineState;
  try {
    state = JSON.parse(text) as MineState;
  } catch (error) {
    throw new Error(
      `${join(outDir, mineStateFileName)} is not valid JSON (${(error as Error).message}); delete it to start over`,
    );
  }
  if (state.version !== 1 || typeof state.commits !== 'object' || state.commits === null) {
    throw new Error(`${join(outDir, mineStateFileName)} has an unknown format; delete it to start over`);
  }
  if (state.repository !== repository) {
    throw new Error(
      `${outDir} holds tasks mined from ${state.repository}, not ${repository}; use another --out folder`,
    );
  }
  return state;
}

/** Saves the state atomically (written aside, then renamed), so an interruption never leaves it half written. */
export async function writeMineState(outDir: string, state: MineState): Promise<void> {
  const path = join(outDir, mineStateFileName);
  await writeFile(`${path}.partial`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${path}.partial`, path);
}
