import { ContextLengthExceededError } from '../providers/context-length-error.ts';
import { isInfrastructureError } from '../providers/infrastructure-error.ts';
import type {
  ModelClient,
  StepRequest,
  StepResult,
  ToolCall,
  ToolDefinition,
  Usage,
} from '../providers/types.ts';
import { isSandboxInfrastructureError } from '../sandbox/index.ts';
import type {
  AgentLimits,
  AttemptStatus,
  LimitName,
  ToolProtocolName,
  UsageTotals,
} from '../transcript/events.ts';
import type { TranscriptWriter } from '../transcript/transcript-writer.ts';
import { writeModelResponse } from '../transcript/write-model-response.ts';
import { AttemptEnded } from './attempt-ended.ts';
import { AttemptState } from './attempt-state.ts';
import { exceededLimit } from './check-limits.ts';
import { DEFAULT_SYSTEM_PROMPT } from './default-system-prompt.ts';
import {
  type CallOutcome,
  handleToolCall,
  recordToolCall,
  skippedAfterFinish,
  type ToolCallContext,
} from './handle-tool-call.ts';
import type { AgentTool, ToolContext, ToolOutput } from './tool.ts';
import {
  createToolProtocol,
  type InterpretedStep,
  type ToolProtocol,
  type ToolResultForModel,
} from './tool-protocol.ts';
import { toolDefinitions } from './tools/index.ts';

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

/**
 * Runs one agent attempt: model step, then validate and run each tool call, feed the results back, repeat until
 * the model finishes every turn or a limit, a context overflow, an infrastructure failure or cancellation ends
 * it. Every step is written to the transcript as it happens; tool failures go back to the model, never crash
 * the loop. Programming errors (a broken client or script) are rethrown.
 */
export async function runAgent(options: RunAgentOptions): Promise<AgentResult> {
  return new AgentAttempt(options).run();
}

/** What one model step produced once its tool calls ran. */
interface ActedStep {
  result: StepResult;
  interpreted: InterpretedStep;
  /** A call to finish (or a tool reporting `finished`) was valid in this step. */
  finishedTurn: boolean;
  validCalls: number;
  hadFormatError: boolean;
  /** Neither text nor a tool call. */
  empty: boolean;
}

/**
 * One attempt, in the shape of mini-swe-agent's agent: `run` loops over `step`, and `step` is query -> act ->
 * advance. Ending the attempt is an `AttemptEnded` exception; the counters live in an `AttemptState`.
 */
class AgentAttempt {
  private readonly state = new AttemptState();
  private readonly started = performance.now();
  /** Time the model requests waited for an endpoint slot: the harness's, not the attempt's (see checkLimits). */
  private queuedMs = 0;
  private readonly protocol: ToolProtocol;
  private readonly calls: ToolCallContext;
  private readonly systemPrompt: string;
  private readonly maxFormatErrors: number;
  private readonly turns: string[];
  private readonly sampling: Pick<StepRequest, 'temperature' | 'seed'>;
  private readonly toolNames: string[];
  private readonly definitions: ToolDefinition[];

  constructor(private readonly options: RunAgentOptions) {
    this.protocol = createToolProtocol(options.protocol);
    this.toolNames = options.tools.map((tool) => tool.name);
    this.definitions = toolDefinitions(options.tools);
    this.systemPrompt = this.protocol.systemPrompt(
      options.systemPrompt ?? DEFAULT_SYSTEM_PROMPT,
      this.definitions,
    );
    this.maxFormatErrors = options.limits.maxConsecutiveFormatErrors ?? DEFAULT_MAX_CONSECUTIVE_FORMAT_ERRORS;
    this.turns = [options.instruction, ...(options.followUps ?? [])];
    this.sampling = {
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    };
    this.calls = {
      tools: new Map(options.tools.map((tool) => [tool.name, tool])),
      protocol: this.protocol,
      toolContext: { ...options.toolContext, signal: options.signal ?? options.toolContext.signal },
      transcript: options.transcript,
      signal: options.signal,
    };
  }

  async run(): Promise<AgentResult> {
    this.start();
    for (;;) {
      try {
        await this.step();
      } catch (error) {
        if (error instanceof AttemptEnded) return this.finish(error.status);
        if (this.options.signal?.aborted) return this.finish('cancelled');
        throw error;
      }
    }
  }

  /** One round: check limits, query the model, run its calls, then decide what the answer means for the turn. */
  private async step(): Promise<void> {
    this.checkLimits();
    const step = this.state.steps;
    const result = await this.query(step);
    const acted = await this.act(result, step);
    this.advance(acted, step);
  }

  private start(): void {
    const { options } = this;
    options.transcript.write({
      type: 'attempt-started',
      attemptId: options.attemptId,
      taskId: options.taskId,
      modelId: options.client.id,
      simulated: options.client.simulated,
      protocol: options.protocol,
      limits: { ...options.limits, maxConsecutiveFormatErrors: this.maxFormatErrors },
      toolNames: this.toolNames,
      systemPrompt: this.systemPrompt,
    });
    this.state.messages.push({ role: 'system', content: this.systemPrompt });
    this.sendUser(this.turns[0]!, 'instruction');
  }

  private checkLimits(): void {
    if (this.options.signal?.aborted) throw new AttemptEnded('cancelled');
    // Waits for an endpoint slot behind other attempts are not the attempt's time: they never end it at its limit.
    const exceeded = exceededLimit(this.state, this.options.limits, this.elapsedMs() - this.queuedMs);
    if (exceeded) this.endAtLimit(exceeded.which, exceeded.limit, exceeded.value, exceeded.status);
  }

  /** Asks the model for the next step; a server failure or a context overflow ends the attempt. */
  private async query(step: number): Promise<StepResult> {
    const { client, transcript, signal } = this.options;
    const { messages } = this.state;
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
        tools: this.protocol.requestTools(this.definitions),
        ...this.sampling,
        signal,
      });
    } catch (error) {
      this.state.modelMs += performance.now() - requestStarted;
      throw this.queryFailure(error, step);
    }
    // Time spent waiting for a free endpoint slot is not model time.
    this.queuedMs += result.queuedMs ?? 0;
    this.state.modelMs += Math.max(0, performance.now() - requestStarted - (result.queuedMs ?? 0));
    this.state.steps += 1;
    this.state.addUsage(result.usage);
    if (this.options.costOfUsage) this.state.costUsd += this.options.costOfUsage(result.usage);
    writeModelResponse(transcript, step, result);
    return result;
  }

  /** Runs the step's tool calls in order and sends their results (and any parse feedback) back to the model. */
  private async act(result: StepResult, step: number): Promise<ActedStep> {
    const { state, protocol } = this;
    const { transcript } = this.options;
    const interpreted = protocol.interpret(result, step);
    state.messages.push(interpreted.assistantMessage);
    state.toolCalls += interpreted.calls.length;

    let hadFormatError = false;
    for (const parseError of interpreted.errors) {
      hadFormatError = true;
      state.countFormatError();
      transcript.write({ type: 'format-error', step, reason: 'unparseable-call', detail: parseError });
    }

    let finishedTurn = false;
    let validCalls = 0;
    const results: ToolResultForModel[] = [];
    for (const call of interpreted.calls) {
      const outcome = finishedTurn ? skippedAfterFinish() : await this.handleCall(call, step);
      state.toolMs += outcome.durationMs;
      if (outcome.validity === 'format') {
        hadFormatError = true;
        state.countFormatError();
      }
      if (outcome.validity === 'valid') validCalls += 1;
      else state.invalidToolCalls += 1;
      recordToolCall(transcript, step, call, outcome);
      results.push({ call, content: outcome.output.content, isError: outcome.output.isError });
      if (!finishedTurn && isValidFinish(call, outcome)) {
        finishedTurn = true;
        state.summary = finishSummary(call, outcome.output);
      }
    }
    state.messages.push(...protocol.resultMessages(results));
    if (interpreted.errors.length > 0) {
      this.sendUser(
        `Your tool call could not be parsed: ${interpreted.errors.join('; ')}\n${protocol.formatReminder()}`,
        'format-feedback',
      );
    }

    const empty =
      interpreted.calls.length === 0 && interpreted.errors.length === 0 && interpreted.text.trim() === '';
    if (empty) {
      hadFormatError = true;
      state.countFormatError();
      transcript.write({
        type: 'format-error',
        step,
        reason: 'empty-turn',
        detail: `the model answered with neither text nor a tool call (finish reason ${result.finishReason})`,
      });
    }
    return { result, interpreted, finishedTurn, validCalls, hadFormatError, empty };
  }

  /** Reports progress, then nudges, moves to the next turn, or ends the attempt. */
  private advance(acted: ActedStep, step: number): void {
    const { state } = this;
    state.consecutiveFormatErrors =
      acted.validCalls > 0 ? 0 : state.consecutiveFormatErrors + (acted.hadFormatError ? 1 : 0);
    this.options.onStep?.({
      step,
      turn: state.turn,
      result: acted.result,
      toolCalls: acted.interpreted.calls.length,
      usage: { ...state.usage },
      costUsd: state.costUsd,
      elapsedMs: this.elapsedMs(),
    });

    const answeredWithoutCalls =
      acted.interpreted.calls.length === 0 && acted.interpreted.errors.length === 0;
    if (answeredWithoutCalls && !acted.empty) {
      if (!state.nudgedThisTurn) {
        state.nudgedThisTurn = true;
        this.sendUser(NUDGE_MESSAGE, 'nudge');
      } else {
        // Second answer without a tool call in this turn: the model considers the turn done.
        state.summary = acted.interpreted.text;
        this.completeTurn('no-submission');
      }
    } else if (acted.finishedTurn) {
      this.completeTurn('submitted');
    }

    if (state.consecutiveFormatErrors >= this.maxFormatErrors) {
      this.endAtLimit('format-errors', this.maxFormatErrors, state.consecutiveFormatErrors, 'format-errors');
    }
    if (acted.empty) this.sendUser(EMPTY_TURN_MESSAGE, 'nudge');
  }

  /** Counts the turn done; after the last one the attempt ends with `status`, else the next follow-up is sent. */
  private completeTurn(status: AttemptStatus): void {
    const { state } = this;
    state.turnsCompleted += 1;
    if (state.turn + 1 >= this.turns.length) throw new AttemptEnded(status);
    state.turn += 1;
    state.nudgedThisTurn = false;
    state.consecutiveFormatErrors = 0;
    this.sendUser(this.turns[state.turn]!, 'follow-up');
  }

  /** Runs one call; a failure of the sandbox itself ends the attempt as an infrastructure error. */
  private async handleCall(call: ToolCall, step: number): Promise<CallOutcome> {
    try {
      return await handleToolCall(call, step, this.calls);
    } catch (error) {
      if (this.options.signal?.aborted || !isSandboxInfrastructureError(error)) throw error;
      this.options.transcript.write({
        type: 'infrastructure-error',
        step,
        kind: 'sandbox',
        message: error.message,
        retries: 0,
        final: true,
      });
      throw new AttemptEnded('infrastructure-error');
    }
  }

  /** The exception that ends the attempt after a failed model request; anything unexpected is rethrown. */
  private queryFailure(error: unknown, step: number): unknown {
    if (this.options.signal?.aborted) return new AttemptEnded('cancelled');
    if (isInfrastructureError(error)) {
      this.options.transcript.write({
        type: 'infrastructure-error',
        step,
        kind: error.kind,
        message: error.message,
        retries: retriesOf(error),
        final: true,
      });
      return new AttemptEnded('infrastructure-error');
    }
    if (error instanceof ContextLengthExceededError) {
      this.options.transcript.write({
        type: 'limit-reached',
        which: 'context',
        limit: error.contextLength,
        value: null,
      });
      return new AttemptEnded('context-exceeded');
    }
    return error;
  }

  private endAtLimit(
    which: LimitName,
    limit: number | null,
    value: number | null,
    status: AttemptStatus,
  ): never {
    this.options.transcript.write({ type: 'limit-reached', which, limit, value });
    throw new AttemptEnded(status);
  }

  private sendUser(content: string, kind: 'instruction' | 'follow-up' | 'nudge' | 'format-feedback'): void {
    this.state.messages.push({ role: 'user', content });
    this.options.transcript.write({ type: 'user-message', turnIndex: this.state.turn, kind, content });
  }

  private finish(status: AttemptStatus): AgentResult {
    const { state } = this;
    const wallMs = this.elapsedMs();
    this.options.transcript.write({
      type: 'attempt-finished',
      status,
      summary: state.summary,
      totals: state.totals(wallMs),
    });
    return {
      status,
      steps: state.steps,
      usage: { ...state.usage },
      costUsd: state.costUsd,
      wallMs,
      modelMs: state.modelMs,
      toolMs: state.toolMs,
      finishedSummary: state.summary,
      turnsCompleted: state.turnsCompleted,
    };
  }

  private elapsedMs(): number {
    return performance.now() - this.started;
  }
}

function isValidFinish(call: ToolCall, outcome: CallOutcome): boolean {
  const isFinish = call.name === FINISH_TOOL_NAME || outcome.output.metadata.finished === true;
  return isFinish && outcome.validity === 'valid';
}

function finishSummary(call: ToolCall, output: ToolOutput): string {
  if (typeof output.metadata.summary === 'string') return output.metadata.summary;
  if (typeof call.arguments.summary === 'string') return call.arguments.summary;
  return output.content;
}

function retriesOf(error: Error): number {
  const retries = (error as { retries?: unknown }).retries;
  if (Array.isArray(retries)) return retries.length;
  return typeof retries === 'number' ? retries : 0;
}
