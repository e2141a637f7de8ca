/**
 * A scripted "oracle" agent for end-to-end runs over real task folders: it either solves a task by writing the
 * files of the task's gold.patch (their full patched content, computed beforehand) or makes a harmless wrong
 * change. Which (model, task, attempt) cells it solves is a deterministic hash, so the true pass rates are known.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createScriptedClient, type ScriptedClient, type ScriptedStep } from '../model/scripted-client.ts';
import type { StepRequest } from '../model/types.ts';
import { listPatchFiles } from '../task/patch-files.ts';
import type { Task } from '../task/task.ts';

const run = promisify(execFile);

/** What the oracle does to solve a task (and to fail it). */
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

/** Deterministic pseudo-random choice of whether the oracle `modelId` solves attempt `attemptIndex` of `taskId`. */
export function oracleSolves(
  modelId: string,
  taskId: string,
  attemptIndex: number,
  probability: number,
): boolean {
  const digest = createHash('sha256').update(`oracle|${modelId}|${taskId}|${attemptIndex}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32 < probability;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The steps of one attempt: the first turn's work, then a `finish` for every follow-up turn. */
function planOf(solution: GoldSolution, solve: boolean): ScriptedStep[] {
  const steps: ScriptedStep[] = [];
  steps.push(
    solution.readPath === '.'
      ? { toolCalls: [{ name: 'list_files', arguments: {} }] }
      : {
          text: 'Let me look at the code first.',
          toolCalls: [{ name: 'read_file', arguments: { path: solution.readPath } }],
        },
  );
  if (solve) {
    for (const write of solution.writes) {
      steps.push({
        toolCalls: [{ name: 'write_file', arguments: { path: write.path, content: write.content } }],
      });
    }
    if (solution.removals.length > 0) {
      const command = `rm -f -- ${solution.removals.map(shellQuote).join(' ')}`;
      steps.push({ toolCalls: [{ name: 'run_command', arguments: { command } }] });
    }
  } else {
    steps.push({ toolCalls: [{ name: 'write_file', arguments: solution.wrongChange }] });
  }
  steps.push({
    toolCalls: [
      { name: 'finish', arguments: { summary: solve ? 'Applied the fix.' : 'Made a small change.' } },
    ],
  });
  for (let turn = 0; turn < solution.followUps.length; turn++) {
    steps.push({
      toolCalls: [
        { name: 'finish', arguments: { summary: solve ? `Turn ${turn + 2} is already covered.` : 'Done.' } },
      ],
    });
  }
  return steps;
}

/**
 * An oracle agent for one attempt. It finds its task by the first user message (the instruction), reads a file,
 * then either solves the whole task in the first turn (writing the gold files) or makes a harmless wrong change,
 * and calls `finish` at the end of the first turn and at every follow-up turn. Throws (a test bug, recorded as an
 * infrastructure error) when the conversation does not go as planned.
 */
export function createOracleAgent(
  solutions: ReadonlyMap<string, GoldSolution>,
  solve: boolean,
  options: { id?: string } = {},
): ScriptedClient {
  let plan: ScriptedStep[] | null = null;
  let solution: GoldSolution | null = null;
  let finishes = 0;
  return createScriptedClient(
    (request: StepRequest, index: number): ScriptedStep => {
      const users = request.messages.filter((message) => message.role === 'user');
      if (!plan || !solution) {
        const instruction = users[0]?.content ?? '';
        solution = solutions.get(instruction) ?? null;
        if (!solution)
          throw new Error(`oracle: no task has the instruction ${JSON.stringify(instruction.slice(0, 80))}`);
        plan = planOf(solution, solve);
      }
      const step = plan[index];
      if (!step)
        throw new Error(`oracle (${solution.taskId}): asked for step ${index + 1} of ${plan.length}`);
      const isFinish = step.toolCalls?.[0]?.name === 'finish';
      if (isFinish && finishes > 0) {
        // A follow-up turn: its message must be the last user message.
        const expected = solution.followUps[finishes - 1]!;
        if (users.at(-1)?.content !== expected) {
          throw new Error(
            `oracle (${solution.taskId}): expected follow-up ${finishes} before step ${index + 1}`,
          );
        }
      }
      if (isFinish) finishes++;
      return step;
    },
    { id: options.id ?? 'oracle' },
  );
}
