import type { AgentTool } from '../agent/tool.ts';
import { defaultTools, toolDefinitions } from '../agent/tools/index.ts';
import { passHatK } from '../metrics/pass-at-k.ts';
import { wilsonInterval } from '../metrics/statistics.ts';
import type { Message, ModelClient, ToolCall } from '../providers/types.ts';
import { attemptStep, type StepFailureKind } from './attempt-step.ts';
import {
  type ClassifiedToolCall,
  classifyToolCall,
  looksLikeUnparsedToolCall,
  type ToolCallValidity,
} from './classify-tool-call.ts';
import type { ProbeProgressListener } from './probe-progress.ts';
import { PROBE_SYSTEM_PROMPT } from './probe-system-prompt.ts';
import { type ProbeTurn, toProbeTurn } from './probe-turn.ts';
import { TOOL_CASE_CATEGORIES, type ToolCase, type ToolCaseCategory } from './tool-case.ts';
import { TOOL_CASES } from './tool-cases.ts';

/** One run of one case: the model's turns (stored for re-scoring) and the verdict. */
export interface ToolCaseRun {
  repeat: number;
  /** `scored` when the model answered; otherwise why not (never counted against the model). */
  status: 'scored' | StepFailureKind;
  turns: ProbeTurn[];
  calls: ClassifiedToolCall[][];
  passed: boolean;
  reason: string;
  parallel?: boolean;
  /** Calls the client recovered from leaked text, and calls the server parsed itself. */
  recoveredCalls: number;
  serverParsedCalls: number;
  /** Turns without any call whose text looks like a call the client could not parse (a format failure). */
  unparsedCallTurns: number;
  error?: string;
}

/** All runs of one case. */
export interface ToolCaseResult {
  id: string;
  category: ToolCaseCategory;
  description: string;
  runs: ToolCaseRun[];
  passes: number;
  /** Runs the model answered (infrastructure failures excluded). */
  scored: number;
  /** Whether every scored run reached the same verdict. */
  consistent: boolean;
}

/** Pass counts of one category. */
export interface CategorySummary {
  category: ToolCaseCategory;
  passes: number;
  scored: number;
  rate: number | null;
}

/** The tool-calling section's figures. */
export interface ToolProbeSummary {
  passes: number;
  scored: number;
  passRate: number | null;
  /** 95% Wilson interval of the pass rate. */
  passRateInterval: { low: number; high: number } | null;
  /** Share of cases whose repeats all agree. */
  consistency: number | null;
  /** Mean over cases of pass^N with N the scored repeats of the case (all repeats pass). */
  passHatN: number | null;
  byCategory: CategorySummary[];
  /** Calls by validity class; `format` includes turns whose call text could not be parsed at all. */
  validity: Record<ToolCallValidity, number>;
  recoveredCalls: number;
  serverParsedCalls: number;
  /** Passing parallel-case runs that made all calls in one turn, and all passing parallel-case runs. */
  parallelTurns: { parallel: number; passing: number };
  infrastructureErrors: number;
}

/** The tool-calling section of a probe report. */
export interface ToolProbeResult {
  repeat: number;
  cases: ToolCaseResult[];
  summary: ToolProbeSummary;
}

/** Options of {@link runToolCases}. */
export interface ToolCasesOptions {
  /** Runs per case (default 3). */
  repeat?: number;
  /** The cases (default {@link TOOL_CASES}). */
  cases?: readonly ToolCase[];
  /** Output budget of each turn (default 1024). */
  maxOutputTokens?: number;
  onProgress?: ProbeProgressListener;
  signal?: AbortSignal;
}

/** Scores stored turns of a case: classifies each call and applies the case's checker. Used to re-score reports. */
export function scoreToolCase(
  testCase: ToolCase,
  turns: ProbeTurn[],
  tools: AgentTool[] = defaultTools(),
): Pick<
  ToolCaseRun,
  'calls' | 'passed' | 'reason' | 'parallel' | 'recoveredCalls' | 'serverParsedCalls' | 'unparsedCallTurns'
> {
  const calls = turns.map((turn) => turn.toolCalls.map((call) => classifyToolCall(call, tools)));
  const verdict = testCase.check({ turns, calls });
  const unparsedCallTurns = turns.filter(
    (turn) => turn.toolCalls.length === 0 && looksLikeUnparsedToolCall(`${turn.text}\n${turn.reasoning}`),
  ).length;
  const flat = turns.flatMap((turn) => turn.toolCalls);
  return {
    calls,
    passed: verdict.passed,
    reason:
      !verdict.passed && unparsedCallTurns > 0
        ? `${verdict.reason}; the answer holds a tool call the client could not parse (format)`
        : verdict.reason,
    ...(verdict.parallel === undefined ? {} : { parallel: verdict.parallel }),
    recoveredCalls: flat.filter((call) => call.origin === 'recovered').length,
    serverParsedCalls: flat.filter((call) => call.origin === 'server-parsed').length,
    unparsedCallTurns,
  };
}

async function runCaseOnce(
  client: ModelClient,
  testCase: ToolCase,
  repeat: number,
  tools: AgentTool[],
  options: ToolCasesOptions,
): Promise<ToolCaseRun> {
  const definitions = toolDefinitions(tools);
  const messages: Message[] = [{ role: 'system', content: PROBE_SYSTEM_PROMPT }, ...testCase.messages];
  const turns: ProbeTurn[] = [];
  for (;;) {
    const attempt = await attemptStep(client, {
      messages,
      tools: definitions,
      maxOutputTokens: options.maxOutputTokens ?? 1024,
      temperature: 0,
      signal: options.signal,
    });
    if (!attempt.ok) {
      return {
        repeat,
        status: attempt.kind,
        turns,
        calls: [],
        passed: false,
        reason: attempt.error,
        recoveredCalls: 0,
        serverParsedCalls: 0,
        unparsedCallTurns: 0,
        error: attempt.error,
      };
    }
    const turn = toProbeTurn(attempt.result);
    turns.push(turn);
    const answer = {
      turns,
      calls: turns.map((each) => each.toolCalls.map((call) => classifyToolCall(call, tools))),
    };
    const more =
      turns.length < testCase.maxTurns &&
      turn.toolCalls.length > 0 &&
      (testCase.shouldContinue?.(answer) ?? false);
    if (!more) break;
    messages.push({ role: 'assistant', content: turn.text, toolCalls: turn.toolCalls });
    for (const call of turn.toolCalls) messages.push(toolResultMessage(testCase, call));
  }
  return { repeat, status: 'scored', turns, ...scoreToolCase(testCase, turns, tools) };
}

function toolResultMessage(testCase: ToolCase, call: ToolCall): Message {
  return {
    role: 'tool',
    toolCallId: call.id,
    toolName: call.name,
    content: testCase.toolResult?.(call) ?? 'ok',
  };
}

/** Summarizes case results (also used after re-scoring). */
export function summarizeToolCases(cases: ToolCaseResult[]): ToolProbeSummary {
  const runs = cases.flatMap((each) => each.runs);
  const scoredRuns = runs.filter((run) => run.status === 'scored');
  const passes = scoredRuns.filter((run) => run.passed).length;
  const scoredCases = cases.filter((each) => each.scored > 0);
  const validity: Record<ToolCallValidity, number> = { valid: 0, format: 0, 'unknown-tool': 0, schema: 0 };
  for (const run of scoredRuns) {
    for (const call of run.calls.flat()) validity[call.validity] += 1;
    validity.format += run.unparsedCallTurns;
  }
  const passingParallel = scoredRuns.filter((run) => run.passed && run.parallel !== undefined);
  return {
    passes,
    scored: scoredRuns.length,
    passRate: scoredRuns.length > 0 ? passes / scoredRuns.length : null,
    passRateInterval: scoredRuns.length > 0 ? wilsonInterval(passes, scoredRuns.length) : null,
    consistency:
      scoredCases.length > 0
        ? scoredCases.filter((each) => each.consistent).length / scoredCases.length
        : null,
    passHatN:
      scoredCases.length > 0
        ? scoredCases.reduce((sum, each) => sum + passHatK(each.scored, each.passes, each.scored), 0) /
          scoredCases.length
        : null,
    byCategory: TOOL_CASE_CATEGORIES.filter((category) =>
      cases.some((each) => each.category === category),
    ).map((category) => {
      const inCategory = cases.filter((each) => each.category === category);
      const categoryPasses = inCategory.reduce((sum, each) => sum + each.passes, 0);
      const categoryScored = inCategory.reduce((sum, each) => sum + each.scored, 0);
      return {
        category,
        passes: categoryPasses,
        scored: categoryScored,
        rate: categoryScored > 0 ? categoryPasses / categoryScored : null,
      };
    }),
    validity,
    recoveredCalls: scoredRuns.reduce((sum, run) => sum + run.recoveredCalls, 0),
    serverParsedCalls: scoredRuns.reduce((sum, run) => sum + run.serverParsedCalls, 0),
    parallelTurns: {
      parallel: passingParallel.filter((run) => run.parallel).length,
      passing: passingParallel.length,
    },
    infrastructureErrors: runs.length - scoredRuns.length,
  };
}

/** Builds a case result from its runs. */
export function toolCaseResult(testCase: ToolCase, runs: ToolCaseRun[]): ToolCaseResult {
  const scored = runs.filter((run) => run.status === 'scored');
  const passes = scored.filter((run) => run.passed).length;
  return {
    id: testCase.id,
    category: testCase.category,
    description: testCase.description,
    runs,
    passes,
    scored: scored.length,
    consistent: scored.length > 0 && (passes === 0 || passes === scored.length),
  };
}

/**
 * Runs every tool-calling case `repeat` times against the model, with the agent's own tools, and scores them.
 * Infrastructure failures are recorded and excluded from every rate.
 */
export async function runToolCases(
  client: ModelClient,
  options: ToolCasesOptions = {},
): Promise<ToolProbeResult> {
  const repeat = options.repeat ?? 3;
  const cases = options.cases ?? TOOL_CASES;
  const tools = defaultTools();
  const results: ToolCaseResult[] = [];
  const total = cases.length * repeat;
  let done = 0;
  for (const testCase of cases) {
    const runs: ToolCaseRun[] = [];
    for (let index = 0; index < repeat; index++) {
      options.signal?.throwIfAborted();
      runs.push(await runCaseOnce(client, testCase, index, tools, options));
      done += 1;
      options.onProgress?.({ section: 'tools', done, total, label: `${testCase.id} #${index + 1}` });
    }
    results.push(toolCaseResult(testCase, runs));
  }
  return { repeat, cases: results, summary: summarizeToolCases(results) };
}
