import { ContextLengthExceededError } from '../model/context-length-error.ts';
import { isInfrastructureError } from '../model/infrastructure-error.ts';
import type { Message, ModelClient, StepRequest, StepResult, ToolCall, Usage } from '../model/types.ts';
import { DEFAULT_SYSTEM_PROMPT } from './default-system-prompt.ts';
import type {
  AgentLimits,
  AttemptStatus,
  AttemptTotals,
  LimitName,
  ToolCallValidity,
  ToolProtocolName,
  UsageTotals,
} from './events.ts';
import type { AgentTool, ToolContext, ToolOutput } from './tool.ts';
import { createToolProtocol, type ToolResultForModel } from './tool-protocol.ts';
import { toolDefinitions, validateToolArguments } from './tools/index.ts';
import type { TranscriptWriter } from './transcript-writer.ts';
import { writeModelResponse } from './write-model-response.ts';

/** Default number of consecutive steps with a format error that end an attempt. */
export const DEFAULT_MAX_CONSECUTIVE_FORMAT_ERRORS = 3;

/** The tool whose successful call ends a turn (so does any tool whose output has `metadata.finished`). */
export const FINISH_TOOL_NAME = 'finish';

/** Sent once per turn when the model answers without calling a tool. */
export const NUDGE_MESSAGE =
  'Continue working on the task with the tools, or call finish with a summary if you are done.';

/** Sent when the model's reply was empty. */
export const EMPTY_TURN_MESSAGE =
  'Your reply was empty. Continue with a tool call, or call finish with a summary if you are done.';

/** Progress after each model step. */
export interface AgentStepProgress {
  step: number;
  turn: number;
  result: StepResult;
  toolCalls: number;
  usage: UsageTotals;
  costUsd: number;
  elapsedMs: number;
}

export interface RunAgentOptions {
  client: ModelClient;
  /** The task instruction (turn 0). */
  instruction: string;
  /** Further user messages; each is sent after the model finished the previous turn. */
  followUps?: string[];
  tools: AgentTool[];
  toolContext: ToolContext;
  protocol: ToolProtocolName;
  limits: AgentLimits;
  /** Price of one step's usage in US dollars (default: free). */
  costOfUsage?: (usage: Usage) => number;
  /** Replaces the default coding-agent system prompt. */
  systemPrompt?: string;
  /** Sampling temperature sent with every model request (default: the server's). */
  temperature?: number;
  /** Sampling seed sent with every model request, where the server takes one. */
  seed?: number;
  transcript: TranscriptWriter;
  signal?: AbortSignal;
  attemptId: string;
  taskId: string;
  onStep?: (progress: AgentStepProgress) => void;
}

/** How an attempt ended, with its totals. */
export interface AgentResult {
  status: AttemptStatus;
  steps: number;
  usage: UsageTotals;
  costUsd: number;
  wallMs: number;
  /** Time spent waiting on the model. */
  modelMs: number;
  /** Time spent running tools. */
  toolMs: number;
  /** The summary given to finish, or the last answer text. */
  finishedSummary: string | null;
  /** Turns (instruction + follow-ups) the model completed. */
  turnsCompleted: number;
}

interface CallOutcome {
  validity: ToolCallValidity;
  detail: string | null;
  output: ToolOutput;
  durationMs: number;
  ignored: string[];
}

/**
 * Runs one agent attempt: model step, then validate and run each tool call, feed the results back, repeat until
 * the model finishes every turn or a limit, a context overflow, an infrastructure failure or cancellation ends
 * it. Every step is written to the transcript as it happens; tool failures go back to the model, never crash
 * the loop. Programming errors (a broken client or script) are rethrown after the transcript is closed out.
 */
export async function runAgent(options: RunAgentOptions): Promise<AgentResult> {
  const { client, transcript, limits, signal } = options;
  const started = performance.now();
  const protocol = createToolProtocol(options.protocol);
  const toolsByName = new Map(options.tools.map((tool) => [tool.name, tool]));
  const definitions = toolDefinitions(options.tools);
  const systemPrompt = protocol.systemPrompt(options.systemPrompt ?? DEFAULT_SYSTEM_PROMPT, definitions);
  const maxFormatErrors = limits.maxConsecutiveFormatErrors ?? DEFAULT_MAX_CONSECUTIVE_FORMAT_ERRORS;
  const turns = [options.instruction, ...(options.followUps ?? [])];
  const toolContext: ToolContext = { ...options.toolContext, signal: signal ?? options.toolContext.signal };
  const sampling: Pick<StepRequest, 'temperature' | 'seed'> = {
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  };

  const usage: UsageTotals = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 };
  let costUsd = 0;
  let modelMs = 0;
  let toolMs = 0;
  let steps = 0;
  let toolCallCount = 0;
  let invalidToolCalls = 0;
  let formatErrors = 0;
  let consecutiveFormatErrors = 0;
  let turn = 0;
  let turnsCompleted = 0;
  let nudgedThisTurn = false;
  let summary: string | null = null;

  transcript.write({
    type: 'attempt-started',
    attemptId: options.attemptId,
    taskId: options.taskId,
    modelId: client.id,
    simulated: client.simulated,
    protocol: options.protocol,
    limits: { ...limits, maxConsecutiveFormatErrors: maxFormatErrors },
    toolNames: options.tools.map((tool) => tool.name),
    systemPrompt,
  });
  const messages: Message[] = [{ role: 'system', content: systemPrompt }];
  const sendUser = (
    content: string,
    kind: 'instruction' | 'follow-up' | 'nudge' | 'format-feedback',
  ): void => {
    messages.push({ role: 'user', content });
    transcript.write({ type: 'user-message', turnIndex: turn, kind, content });
  };
  sendUser(turns[0]!, 'instruction');

  const finishAttempt = (status: AttemptStatus): AgentResult => {
    const wallMs = performance.now() - started;
    const totals: AttemptTotals = {
      steps,
      turnsCompleted,
      usage: { ...usage },
      costUsd,
      wallMs,
      modelMs,
      toolMs,
      toolCalls: toolCallCount,
      invalidToolCalls,
      formatErrors,
    };
    transcript.write({ type: 'attempt-finished', status, summary, totals });
    return {
      status,
      steps,
      usage: { ...usage },
      costUsd,
      wallMs,
      modelMs,
      toolMs,
      finishedSummary: summary,
      turnsCompleted,
    };
  };
  const reachLimit = (which: LimitName, limit: number | null, value: number | null): void => {
    transcript.write({ type: 'limit-reached', which, limit, value });
  };

  try {
    for (;;) {
      if (signal?.aborted) return finishAttempt('cancelled');
      const exceeded = checkLimits();
      if (exceeded) {
        reachLimit(exceeded.which, exceeded.limit, exceeded.value);
        return finishAttempt(exceeded.status);
      }

      const step = steps;
      transcript.write({
        type: 'model-request',
        step,
        messageCount: messages.length,
        estimatedPromptChars: messages.reduce((total, message) => total + message.content.length, 0),
      });
      const requestStarted = performance.now();
      let result: StepResult;
      try {
        result = await client.step({
          messages: [...messages],
          tools: protocol.requestTools(definitions),
          ...sampling,
          signal,
        });
      } catch (error) {
        modelMs += performance.now() - requestStarted;
        if (signal?.aborted) return finishAttempt('cancelled');
        if (isInfrastructureError(error)) {
          transcript.write({
            type: 'infrastructure-error',
            step,
            kind: error.kind,
            message: error.message,
            retries: retriesOf(error),
            final: true,
          });
          return finishAttempt('infrastructure-error');
        }
        if (error instanceof ContextLengthExceededError) {
          reachLimit('context', error.contextLength, null);
          return finishAttempt('context-exceeded');
        }
        throw error;
      }
      // Time spent waiting for a free endpoint slot is not model time.
      modelMs += Math.max(0, performance.now() - requestStarted - (result.queuedMs ?? 0));
      steps += 1;
      addUsage(result.usage);
      if (options.costOfUsage) costUsd += options.costOfUsage(result.usage);
      writeModelResponse(transcript, step, result);

      const interpreted = protocol.interpret(result, step);
      messages.push(interpreted.assistantMessage);
      toolCallCount += interpreted.calls.length;

      let stepHadFormatError = false;
      for (const parseError of interpreted.errors) {
        stepHadFormatError = true;
        formatErrors += 1;
        transcript.write({ type: 'format-error', step, reason: 'unparseable-call', detail: parseError });
      }

      let finishedTurn = false;
      let validCalls = 0;
      const results: ToolResultForModel[] = [];
      for (const call of interpreted.calls) {
        const outcome = finishedTurn ? skippedAfterFinish() : await handleCall(call, step);
        if (outcome.validity === 'format') {
          stepHadFormatError = true;
          formatErrors += 1;
        }
        if (outcome.validity === 'valid') validCalls += 1;
        else invalidToolCalls += 1;
        transcript.write({
          type: 'tool-call',
          step,
          callId: call.id,
          name: call.name,
          arguments: call.arguments,
          rawArguments: call.rawArguments,
          origin: call.origin,
          format: call.format,
          validity: outcome.validity,
          detail: outcome.detail,
          ...(outcome.ignored.length > 0 ? { ignoredArguments: outcome.ignored } : {}),
        });
        transcript.write({
          type: 'tool-result',
          step,
          callId: call.id,
          name: call.name,
          content: outcome.output.content,
          isError: outcome.output.isError,
          truncated: outcome.output.truncated,
          metadata: outcome.output.metadata,
          durationMs: outcome.durationMs,
        });
        results.push({ call, content: outcome.output.content, isError: outcome.output.isError });
        const isFinish = call.name === FINISH_TOOL_NAME || outcome.output.metadata.finished === true;
        if (isFinish && outcome.validity === 'valid' && !finishedTurn) {
          finishedTurn = true;
          summary = finishSummary(call, outcome.output);
        }
      }
      for (const message of protocol.resultMessages(results)) {
        messages.push(message);
      }
      if (interpreted.errors.length > 0) {
        sendUser(
          `Your tool call could not be parsed: ${interpreted.errors.join('; ')}\n${protocol.formatReminder()}`,
          'format-feedback',
        );
      }

      const emptyTurn =
        interpreted.calls.length === 0 && interpreted.errors.length === 0 && interpreted.text.trim() === '';
      if (emptyTurn) {
        stepHadFormatError = true;
        formatErrors += 1;
        transcript.write({
          type: 'format-error',
          step,
          reason: 'empty-turn',
          detail: `the model answered with neither text nor a tool call (finish reason ${result.finishReason})`,
        });
      }
      consecutiveFormatErrors = validCalls > 0 ? 0 : consecutiveFormatErrors + (stepHadFormatError ? 1 : 0);

      options.onStep?.({
        step,
        turn,
        result,
        toolCalls: interpreted.calls.length,
        usage: { ...usage },
        costUsd,
        elapsedMs: performance.now() - started,
      });

      const answeredWithoutCalls = interpreted.calls.length === 0 && interpreted.errors.length === 0;
      if (answeredWithoutCalls && !emptyTurn) {
        if (!nudgedThisTurn) {
          nudgedThisTurn = true;
          sendUser(NUDGE_MESSAGE, 'nudge');
        } else {
          // Second answer without a tool call in this turn: the model considers the turn done.
          summary = interpreted.text;
          const next = completeTurn();
          if (next === 'done') return finishAttempt('no-submission');
        }
      } else if (finishedTurn) {
        const next = completeTurn();
        if (next === 'done') return finishAttempt('submitted');
      }

      if (consecutiveFormatErrors >= maxFormatErrors) {
        reachLimit('format-errors', maxFormatErrors, consecutiveFormatErrors);
        return finishAttempt('format-errors');
      }
      if (emptyTurn) sendUser(EMPTY_TURN_MESSAGE, 'nudge');
    }
  } catch (error) {
    if (signal?.aborted) return finishAttempt('cancelled');
    throw error;
  }

  function completeTurn(): 'done' | 'next' {
    turnsCompleted += 1;
    if (turn + 1 >= turns.length) return 'done';
    turn += 1;
    nudgedThisTurn = false;
    consecutiveFormatErrors = 0;
    sendUser(turns[turn]!, 'follow-up');
    return 'next';
  }

  function addUsage(stepUsage: Usage): void {
    usage.inputTokens += stepUsage.inputTokens;
    usage.cachedInputTokens += stepUsage.cachedInputTokens;
    usage.outputTokens += stepUsage.outputTokens;
    usage.reasoningTokens += stepUsage.reasoningTokens;
  }

  function checkLimits(): { which: LimitName; status: AttemptStatus; limit: number; value: number } | null {
    if (steps >= limits.maxSteps) {
      return { which: 'steps', status: 'step-limit', limit: limits.maxSteps, value: steps };
    }
    const totalTokens = usage.inputTokens + usage.outputTokens;
    if (limits.maxTotalTokens !== undefined && totalTokens >= limits.maxTotalTokens) {
      return { which: 'tokens', status: 'token-limit', limit: limits.maxTotalTokens, value: totalTokens };
    }
    const elapsed = performance.now() - started;
    if (limits.maxWallMs !== undefined && elapsed >= limits.maxWallMs) {
      return { which: 'wall-time', status: 'time-limit', limit: limits.maxWallMs, value: elapsed };
    }
    if (limits.maxCostUsd !== undefined && costUsd >= limits.maxCostUsd) {
      return { which: 'cost', status: 'cost-limit', limit: limits.maxCostUsd, value: costUsd };
    }
    return null;
  }

  /** Classifies one call (first failing level wins) and runs it when valid. */
  async function handleCall(call: ToolCall, step: number): Promise<CallOutcome> {
    if (call.argumentsError) {
      transcript.write({
        type: 'format-error',
        step,
        reason: 'malformed-arguments',
        detail: call.argumentsError,
        callId: call.id,
      });
      const content = `Error: the arguments of ${call.name} could not be parsed (${call.argumentsError}). ${protocol.formatReminder()}`;
      return rejected('format', call.argumentsError, content);
    }
    const tool = toolsByName.get(call.name);
    if (!tool) {
      const available = [...toolsByName.keys()].join(', ');
      return rejected(
        'unknown-tool',
        `unknown tool ${call.name}`,
        `Error: there is no tool named "${call.name}". Available tools: ${available}.`,
      );
    }
    const validation = validateToolArguments(tool, call.arguments);
    if (!validation.ok) return rejected('schema', validation.error, `Error: ${validation.error}`);

    const toolStarted = performance.now();
    let output: ToolOutput;
    try {
      output = await tool.execute(validation.args, toolContext);
    } catch (error) {
      if (signal?.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      output = {
        content: `Error: ${call.name} failed: ${message}`,
        isError: true,
        truncated: false,
        metadata: { exception: message },
      };
    }
    const durationMs = performance.now() - toolStarted;
    toolMs += durationMs;
    const ignoredNote =
      validation.ignored.length > 0 ? `ignored arguments: ${validation.ignored.join(', ')}` : null;
    return {
      validity: output.isError ? 'execution-error' : 'valid',
      detail: output.isError ? firstLine(output.content) : ignoredNote,
      output,
      durationMs,
      ignored: validation.ignored,
    };
  }
}

function rejected(validity: ToolCallValidity, detail: string, content: string): CallOutcome {
  return {
    validity,
    detail,
    output: { content, isError: true, truncated: false, metadata: {} },
    durationMs: 0,
    ignored: [],
  };
}

function skippedAfterFinish(): CallOutcome {
  return {
    validity: 'valid',
    detail: 'not run: called after finish in the same step',
    output: {
      content: 'Not run: finish was already called.',
      isError: false,
      truncated: false,
      metadata: { skipped: true },
    },
    durationMs: 0,
    ignored: [],
  };
}

function finishSummary(call: ToolCall, output: ToolOutput): string {
  if (typeof output.metadata.summary === 'string') return output.metadata.summary;
  if (typeof call.arguments.summary === 'string') return call.arguments.summary;
  return output.content;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function retriesOf(error: Error): number {
  const retries = (error as { retries?: unknown }).retries;
  if (Array.isArray(retries)) return retries.length;
  return typeof retries === 'number' ? retries : 0;
}
