import type { ModelClient } from '../providers/types.ts';
import { assessInstruction } from './assess-instruction.ts';

/** What the model is shown to write an instruction from. */
export interface InstructionRewriteInput {
  /** The commit message (cleaned) the thin instruction came from. */
  originalMessage: string;
  /** The change that makes the tests pass (gold.patch): the model reads it to learn the behaviour, never to quote it. */
  goldPatch: string;
  /** The FAIL_TO_PASS test ids. */
  failToPass: readonly string[];
}

/** The outcome of {@link rewriteInstruction}: a usable instruction, or why the original stays. */
export type InstructionRewrite =
  | { status: 'rewritten'; instruction: string; model: string; simulated: boolean }
  | { status: 'kept'; reason: string };

/** Longest part of gold.patch put into the prompt. */
const maximumPatchCharacters = 12_000;

/**
 * The prompt, after SWE-smith's and R2E-Gym's issue generation: the model writes the issue a user would have filed,
 * from the fix and the names of the tests that must flip, stating the observable behaviour (inputs, expected and
 * actual results) and never the fix, the test code or the test names.
 */
export function instructionRewritePrompt(input: InstructionRewriteInput): string {
  const patch =
    input.goldPatch.length > maximumPatchCharacters
      ? `${input.goldPatch.slice(0, maximumPatchCharacters)}\n[... patch cut ...]`
      : input.goldPatch;
  return [
    'You write GitHub issues for a benchmark of coding agents. Below is a commit message that is too thin to act on,',
    'the change that resolved it, and the names of the hidden tests that fail before the change and pass after it.',
    '',
    'Write the issue a user would have filed BEFORE the change existed:',
    '- a one-line title starting with "# ", then a few short paragraphs;',
    '- state the behaviour the tests check: what is called or done, what happens now, what should happen instead,',
    '  with concrete names of the public functions, classes, options or commands involved and example values;',
    '- do NOT include the fix, any code from the change, a diff, the test code or the test names;',
    '- do NOT say how to implement it, and do not mention tests, commits or this prompt.',
    'Answer with the issue text only.',
    '',
    '## Commit message',
    input.originalMessage.trim() || '(empty)',
    '',
    '## Tests that must go from failing to passing',
    ...input.failToPass.map((id) => `- ${id}`),
    '',
    '## The change (for your understanding only; never quote it)',
    '```diff',
    patch.trimEnd(),
    '```',
  ].join('\n');
}

/** Why a model's answer cannot be an instruction, or undefined when it can. */
function rejectAnswer(answer: string, input: InstructionRewriteInput): string | undefined {
  if (answer === '') return 'the answer was empty';
  if (/^diff --git |^@@ .* @@|^\+\+\+ b\//m.test(answer))
    return 'the answer contains a diff (it would reveal the fix)';
  const addedLines = input.goldPatch
    .split('\n')
    .filter((line) => line.startsWith('+') && !line.startsWith('+++'))
    .map((line) => line.slice(1).trim())
    .filter((line) => line.length >= 25);
  const copied = addedLines.find((line) => answer.includes(line));
  if (copied) return `the answer quotes the fix ("${copied.slice(0, 60)}")`;
  const testNames = input.failToPass.map((id) => (id.split(/::| > |\s\(/).at(-1) ?? id).replace(/\)$/, ''));
  const named = testNames.find((name) => name.length >= 8 && answer.includes(name));
  if (named) return `the answer names the hidden test ${named}`;
  const assessment = assessInstruction(answer, input.failToPass);
  if (assessment.underspecified)
    return `the answer is itself underspecified (${assessment.reasons.join('; ')})`;
  return undefined;
}

/**
 * Asks `client` to rewrite a thin instruction as an issue (see {@link instructionRewritePrompt}). A server failure
 * (the client's retries spent), an answer cut off at the token limit, an empty answer, or one that reveals the fix or
 * the tests or is itself underspecified leaves the original: `kept`, with the reason in one line.
 */
export async function rewriteInstruction(
  client: ModelClient,
  input: InstructionRewriteInput,
  options: { signal?: AbortSignal; maxOutputTokens?: number } = {},
): Promise<InstructionRewrite> {
  let text: string;
  let simulated = client.simulated;
  try {
    const result = await client.step({
      messages: [{ role: 'user', content: instructionRewritePrompt(input) }],
      temperature: 0,
      maxOutputTokens: options.maxOutputTokens ?? 1024,
      signal: options.signal,
    });
    if (result.finishReason === 'length')
      return { status: 'kept', reason: 'the answer was cut off at the token limit' };
    text = result.text;
    // A simulated server says so in its answers' headers.
    simulated ||= result.simulated;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    return { status: 'kept', reason: `${client.id} failed: ${message}` };
  }
  const answer = text
    .replace(/<think>[\s\S]*?<\/think>/g, '')
    .trim()
    .replace(/^```(?:markdown|md)?\n([\s\S]*?)\n```$/, '$1')
    .trim();
  const rejected = rejectAnswer(answer, input);
  if (rejected) return { status: 'kept', reason: `${client.id}: ${rejected}` };
  return { status: 'rewritten', instruction: `${answer}\n`, model: client.id, simulated };
}
