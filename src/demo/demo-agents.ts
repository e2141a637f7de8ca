/**
 * The scripted agents of `shakedown demo`, each of a known skill, so that the demo's results can be checked by eye:
 * the solver resolves every task, the leaky agent three in four (every tool call of it leaks into its text, and
 * shakedown recovers them), the half-fixer every other task, and the test breaker none. SIMULATED: no model runs.
 */
import type { SimulatedToolCall, SimulatedTurn, ToolCallDelivery } from '../providers/simulated/script.ts';
import type { GoldSolution } from '../task/gold-solution.ts';

/** One scripted demo agent. */
export interface DemoAgent {
  /** Model name on the simulated server; the model id is `simulated:<name>`. */
  name: string;
  /** What it does, in a few words (printed by the demo). */
  description: string;
  /** Share of the tasks it resolves (exactly `floor(tasks × share)` of them, see {@link solvesTask}). */
  share: number;
  /** How its tool calls reach the client. */
  delivery: ToolCallDelivery;
  /** Whether it breaks the module it fixes (so every test of it fails). */
  breaksTests: boolean;
}

/** The demo's agents, best first. */
export const DEMO_AGENTS: readonly DemoAgent[] = [
  {
    name: 'demo-solver',
    description: 'applies the right fix to every task',
    share: 1,
    delivery: 'native',
    breaksTests: false,
  },
  {
    name: 'demo-leaky',
    description:
      'fixes 3 tasks in 4; every tool call leaks into its text as Qwen XML (recovered, counted apart)',
    share: 0.75,
    delivery: 'leak-qwen-xml',
    breaksTests: false,
  },
  {
    name: 'demo-half',
    description: 'fixes every other task; makes a harmless wrong change on the rest',
    share: 0.5,
    delivery: 'native',
    breaksTests: false,
  },
  {
    name: 'demo-breaker',
    description: 'writes the fix but breaks the module with it, so the tests that passed fail',
    share: 1,
    delivery: 'native',
    breaksTests: true,
  },
];

/**
 * Whether an agent of skill `share` solves the task at `taskIndex`: spread evenly, so that of the first n tasks it
 * solves exactly `floor(n × share)`.
 */
export function solvesTask(share: number, taskIndex: number): boolean {
  return Math.floor((taskIndex + 1) * share + 1e-9) > Math.floor(taskIndex * share + 1e-9);
}

/** The pass rate a demo agent must reach on `taskCount` tasks (its known skill). */
export function expectedPassRate(agent: DemoAgent, taskCount: number): number {
  if (agent.breaksTests || taskCount === 0) return 0;
  let solved = 0;
  for (let index = 0; index < taskCount; index++) if (solvesTask(agent.share, index)) solved++;
  return solved / taskCount;
}

/** A line that makes a module fail to load, in the file's language. */
function breakingLine(file: string): string {
  return file.endsWith('.py')
    ? 'raise RuntimeError("broken by demo-breaker")\n'
    : 'throw new Error("broken by demo-breaker");\n';
}

function call(name: string, args: Record<string, unknown>): SimulatedToolCall {
  return { name, arguments: args };
}

/** The tool calls of one attempt's first turn, one call per step. */
function firstTurnCalls(agent: DemoAgent, solution: GoldSolution, taskIndex: number): SimulatedToolCall[] {
  const calls: SimulatedToolCall[] = [
    solution.readPath === '.' ? call('list_files', {}) : call('read_file', { path: solution.readPath }),
  ];
  const solve = agent.breaksTests || solvesTask(agent.share, taskIndex);
  if (!solve) {
    calls.push(call('write_file', solution.wrongChange));
  } else {
    for (const [index, write] of solution.writes.entries()) {
      const broken = agent.breaksTests && index === 0 && /\.(py|[cm]?[jt]s)$/.test(write.path);
      const content = broken ? `${breakingLine(write.path)}${write.content}` : write.content;
      calls.push(call('write_file', { path: write.path, content }));
    }
    if (solution.removals.length > 0) {
      const quoted = solution.removals.map((file) => `'${file.replaceAll("'", `'\\''`)}'`);
      calls.push(call('run_command', { command: `rm -f -- ${quoted.join(' ')}` }));
    }
  }
  calls.push(call('finish', { summary: solve ? 'Applied the fix.' : 'Made a small change.' }));
  return calls;
}

/**
 * The turn an agent answers at step `step` of an attempt (steps count the assistant messages so far, across all
 * of the task's turns): the first turn's calls one at a time, then a `finish` for every follow-up turn.
 */
export function demoAgentTurn(
  agent: DemoAgent,
  solution: GoldSolution,
  taskIndex: number,
  step: number,
): SimulatedTurn {
  const calls = firstTurnCalls(agent, solution, taskIndex);
  const next = calls[step] ?? call('finish', { summary: 'Nothing more to change.' });
  const text = step === 0 ? 'Let me look at the code first.' : '';
  return { content: text, toolCalls: [next], toolCallDelivery: agent.delivery, chunkSize: 256 };
}
