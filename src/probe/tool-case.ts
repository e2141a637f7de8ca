import type { Message, ToolCall } from '../providers/types.ts';
import type { ClassifiedToolCall } from './classify-tool-call.ts';
import type { ProbeTurn } from './probe-turn.ts';

/** What a tool-calling case measures. */
export type ToolCaseCategory =
  | 'right-tool'
  | 'valid-arguments'
  | 'no-call'
  | 'missing-parameter'
  | 'parallel'
  | 'continuation'
  | 'command-or-edit';

/** Every category, in report order. */
export const TOOL_CASE_CATEGORIES: readonly ToolCaseCategory[] = [
  'right-tool',
  'valid-arguments',
  'no-call',
  'missing-parameter',
  'parallel',
  'continuation',
  'command-or-edit',
];

/** The model's answer to a case: its turns and their classified calls (`calls[i]` belongs to `turns[i]`). */
export interface ToolCaseAnswer {
  turns: ProbeTurn[];
  calls: ClassifiedToolCall[][];
}

/** A checker's verdict on one answer. */
export interface ToolCaseVerdict {
  passed: boolean;
  /** Short human explanation, e.g. `read_file path=src/app.ts lines 10-20` or `invented path notes.txt`. */
  reason: string;
  /** Parallel cases only: whether all expected calls came in a single turn. */
  parallel?: boolean;
}

/** An ideal answer, used to document the case and to script simulated "good" models in tests. */
export interface ReferenceAnswer {
  text?: string;
  toolCalls?: { name: string; arguments: Record<string, unknown> }[];
}

/** One BFCL-like tool-calling case with the agent's own tools. */
export interface ToolCase {
  id: string;
  category: ToolCaseCategory;
  description: string;
  /** The conversation after the system prompt; its first message is a user message unique to the case. */
  messages: Message[];
  /** Most model turns the case may take (2 for cases that accept calls spread over consecutive turns). */
  maxTurns: number;
  /** Whether to give the model another turn after these turns (only asked while turns < maxTurns). */
  shouldContinue?(answer: ToolCaseAnswer): boolean;
  /** The tool result fed back for a call when the case continues. */
  toolResult?(call: ToolCall): string;
  check(answer: ToolCaseAnswer): ToolCaseVerdict;
  reference: ReferenceAnswer;
}

/** A path as the model wrote it, without `./` prefixes or trailing slashes. */
export function normalizePath(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  let path = value.trim().replace(/\\/g, '/');
  while (path.startsWith('./')) path = path.slice(2);
  while (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}

/** All calls of an answer, in order. */
export function allCalls(answer: ToolCaseAnswer): ClassifiedToolCall[] {
  return answer.calls.flat();
}

/** A one-line description of a call for verdict reasons. */
export function describeCall(call: ClassifiedToolCall): string {
  const args = JSON.stringify(call.arguments);
  const shown = args.length > 80 ? `${args.slice(0, 80)}…` : args;
  return call.validity === 'valid' ? `${call.name} ${shown}` : `${call.name} (${call.validity}) ${shown}`;
}

/** The final text of an answer (the last turn's text). */
export function finalText(answer: ToolCaseAnswer): string {
  return answer.turns.at(-1)?.text.trim() ?? '';
}

/**
 * Verdict for cases that expect exactly one call: fails on no call, an invalid call, a different tool or extra calls,
 * then applies `argumentsCheck` (returning an error string, or null when the arguments are right).
 */
export function expectSingleCall(
  answer: ToolCaseAnswer,
  toolName: string,
  argumentsCheck: (args: Record<string, unknown>) => string | null,
): ToolCaseVerdict {
  const calls = allCalls(answer);
  if (calls.length === 0) return { passed: false, reason: `no tool call (expected ${toolName})` };
  const [call] = calls;
  if (call.validity !== 'valid') return { passed: false, reason: `invalid call: ${describeCall(call)}` };
  if (call.name !== toolName) return { passed: false, reason: `wrong tool: ${describeCall(call)}` };
  if (calls.length > 1) return { passed: false, reason: `${calls.length} calls where one was expected` };
  const problem = argumentsCheck(call.arguments);
  if (problem !== null) return { passed: false, reason: `${problem}: ${describeCall(call)}` };
  return { passed: true, reason: describeCall(call) };
}
