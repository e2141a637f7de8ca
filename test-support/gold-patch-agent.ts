/**
 * A scripted "oracle" agent for end-to-end runs over real task folders: it either solves a task by writing the
 * files of the task's gold.patch (their full patched content, computed beforehand) or makes a harmless wrong
 * change. Which (model, task, attempt) cells it solves is a deterministic hash, so the true pass rates are known.
 */
import { createHash } from 'node:crypto';
import type { StepRequest } from '../src/providers/types.ts';
import type { GoldSolution } from '../src/task/gold-solution.ts';
import { createScriptedClient, type ScriptedClient, type ScriptedStep } from './scripted-client.ts';

export { computeGoldSolution, computeGoldSolutions, type GoldSolution } from '../src/task/gold-solution.ts';

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
