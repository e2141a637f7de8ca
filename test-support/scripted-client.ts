import type {
  EndpointInfo,
  FinishReason,
  Message,
  ModelClient,
  ModelIssue,
  RetryRecord,
  StepRequest,
  StepResult,
  ToolCall,
  ToolCallFormat,
  ToolCallOrigin,
  Usage,
} from '../src/providers/types.ts';
import { unknownEndpointInfo } from '../src/providers/unknown-endpoint-info.ts';

/** A tool call a scripted model makes. */
export interface ScriptedToolCall {
  name: string;
  /** An object, or a raw string: parsed as JSON, and when that fails the call carries an `argumentsError`. */
  arguments?: Record<string, unknown> | string;
  id?: string;
  /** Default `server-parsed`. */
  origin?: ToolCallOrigin;
  /** Default `native`. */
  format?: ToolCallFormat;
  recoveredFrom?: 'content' | 'reasoning';
  /** Force an arguments error even when the arguments parse. */
  argumentsError?: string;
}

/** One scripted model turn. Every field is optional; an empty step is an empty answer. */
export interface ScriptedStep {
  text?: string;
  reasoning?: string;
  toolCalls?: ScriptedToolCall[];
  /** Default: `tool-calls` when there are calls, else `stop`. */
  finishReason?: FinishReason;
  /** Token counts; missing ones are estimated from characters (and `source` becomes `measured`). */
  usage?: Partial<Usage>;
  issues?: ModelIssue[];
  /** Infrastructure retries to report as already survived. */
  retries?: RetryRecord[];
  /** Extra simulated latency for this step, on top of the client's `latencyMs`. */
  delayMs?: number;
  /** Throw this instead of answering (an InfrastructureError, a ContextLengthExceededError, ...). */
  throw?: Error;
}

/** A script: a fixed list of turns, or a function of the request and the 0-based step index. */
export type Script = ScriptedStep[] | ((request: StepRequest, index: number) => ScriptedStep);

export interface ScriptedClientOptions {
  /** Model name; the client id becomes `simulated:<name>` (default `scripted`). */
  id?: string;
  /** Simulated latency of every step in milliseconds (default 0). */
  latencyMs?: number;
  /** What `describe()` says about tool support (default true). */
  supportsTools?: boolean;
  /** What `describe()` says about the context length (default 32768). */
  contextLength?: number;
}

/** A scripted model client; `requests` records every request it was sent, in order. */
export interface ScriptedClient extends ModelClient {
  readonly requests: readonly StepRequest[];
}

const CHARACTERS_PER_TOKEN = 4;

/**
 * An in-process model that answers from a script: no network, always labelled `simulated`. Used by agent tests
 * and by end-to-end runs with scripted agents of known pass rates. A list script that runs out throws a plain
 * Error (a test bug, never an infrastructure fault).
 */
export function createScriptedClient(script: Script, options: ScriptedClientOptions = {}): ScriptedClient {
  const name = options.id?.replace(/^simulated:/, '') || 'scripted';
  const latencyMs = options.latencyMs ?? 0;
  const requests: StepRequest[] = [];
  let index = 0;

  async function step(request: StepRequest): Promise<StepResult> {
    const started = performance.now();
    const stepIndex = index++;
    requests.push(request);
    const scripted = nextStep(script, request, stepIndex);
    const delay = latencyMs + (scripted.delayMs ?? 0);
    if (delay > 0) await sleep(delay, request.signal);
    request.signal?.throwIfAborted();
    if (scripted.throw) throw scripted.throw;

    const text = scripted.text ?? '';
    const reasoning = scripted.reasoning ?? '';
    if (reasoning) request.onDelta?.({ kind: 'reasoning', text: reasoning });
    if (text) request.onDelta?.({ kind: 'text', text });
    const toolCalls = (scripted.toolCalls ?? []).map((call, position) =>
      toToolCall(call, `call_${stepIndex}_${position}`),
    );
    const usage = completeUsage(scripted.usage, request.messages, text, reasoning, toolCalls);
    const wallMs = performance.now() - started;
    const decodeMs = usage.outputTokens > 0 ? wallMs / 2 : null;
    return {
      text,
      reasoning,
      toolCalls,
      finishReason: scripted.finishReason ?? (toolCalls.length > 0 ? 'tool-calls' : 'stop'),
      rawFinishReason: null,
      usage,
      timings: {
        timeToFirstTokenMs: wallMs / 2,
        prefillTokensPerSecond: null,
        decodeTokensPerSecond: decodeMs ? (usage.outputTokens / decodeMs) * 1000 : null,
        prefillMs: wallMs / 2,
        decodeMs,
        wallMs,
        loadMs: null,
        sources: { timeToFirstToken: 'measured', prefill: 'measured', decode: 'measured' },
      },
      issues: scripted.issues ?? [],
      provider: 'simulated',
      model: name,
      simulated: true,
      retries: scripted.retries ?? [],
    };
  }

  async function describe(): Promise<EndpointInfo> {
    return unknownEndpointInfo('simulated', name, {
      reachable: true,
      contextLength: options.contextLength ?? 32_768,
      maxContextLength: options.contextLength ?? 32_768,
      parallelSlots: 1,
      supportsTools: options.supportsTools ?? true,
      simulated: true,
      notes: ['scripted in-process model'],
    });
  }

  return {
    id: `simulated:${name}`,
    provider: 'simulated',
    model: name,
    simulated: true,
    requests,
    step,
    describe,
  };
}

function nextStep(script: Script, request: StepRequest, index: number): ScriptedStep {
  if (typeof script === 'function') return script(request, index);
  const scripted = script[index];
  if (!scripted) {
    throw new Error(
      `Scripted model ran out of steps: asked for step ${index + 1}, script has ${script.length}`,
    );
  }
  return scripted;
}

function toToolCall(call: ScriptedToolCall, fallbackId: string): ToolCall {
  const raw = call.arguments ?? {};
  let parsed: Record<string, unknown> = {};
  let argumentsError = call.argumentsError;
  let rawArguments: string;
  if (typeof raw === 'string') {
    rawArguments = raw;
    try {
      const value: unknown = JSON.parse(raw);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        parsed = value as Record<string, unknown>;
      } else {
        argumentsError ??= `arguments are not a JSON object: ${raw.slice(0, 200)}`;
      }
    } catch (error) {
      argumentsError ??= `arguments are not valid JSON: ${(error as Error).message}`;
    }
  } else {
    rawArguments = JSON.stringify(raw);
    parsed = raw;
  }
  const toolCall: ToolCall = {
    id: call.id ?? fallbackId,
    name: call.name,
    arguments: argumentsError ? {} : parsed,
    rawArguments,
    origin: call.origin ?? 'server-parsed',
    format: call.format ?? 'native',
  };
  if (call.recoveredFrom) toolCall.recoveredFrom = call.recoveredFrom;
  if (argumentsError) toolCall.argumentsError = argumentsError;
  return toolCall;
}

function completeUsage(
  given: Partial<Usage> | undefined,
  messages: Message[],
  text: string,
  reasoning: string,
  toolCalls: ToolCall[],
): Usage {
  const promptChars = messages.reduce((total, message) => total + message.content.length, 0);
  const outputChars =
    text.length + reasoning.length + toolCalls.reduce((total, call) => total + call.rawArguments.length, 0);
  const complete = given?.inputTokens !== undefined && given.outputTokens !== undefined;
  return {
    inputTokens: given?.inputTokens ?? Math.ceil(promptChars / CHARACTERS_PER_TOKEN),
    cachedInputTokens: given?.cachedInputTokens ?? 0,
    outputTokens: given?.outputTokens ?? Math.ceil(outputChars / CHARACTERS_PER_TOKEN),
    reasoningTokens: given?.reasoningTokens ?? Math.ceil(reasoning.length / CHARACTERS_PER_TOKEN),
    source: given?.source ?? (complete ? 'server' : 'measured'),
  };
}

function sleep(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
