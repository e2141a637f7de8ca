import { isRecord, numberOrNull } from '../../shared/json-values.ts';
import { assembleStepResult, emptyTurnIssues } from '../step-result-assembly.ts';
import { normalizeAssistantOutput } from '../tool-call-recovery.ts';
import type {
  Message,
  ModelIssue,
  StepRequest,
  StepResult,
  Timings,
  ToolCall,
  ToolDefinition,
  Usage,
} from '../types.ts';
import { mapFinishReason } from './openai-finish-reason.ts';
import type { ResponseAccumulator } from './openai-response-accumulator.ts';
import { usageFromOpenAIUsage } from './openai-usage.ts';

/** Parses streamed tool-call arguments. Empty text means "no arguments". */
export function parseToolArguments(raw: string): { arguments: Record<string, unknown>; error?: string } {
  if (raw.trim().length === 0) return { arguments: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    return { arguments: {}, error: `arguments are not valid JSON: ${(error as Error).message}` };
  }
  if (!isRecord(parsed)) return { arguments: {}, error: 'arguments are not a JSON object' };
  return { arguments: parsed };
}

/** Who answered, for the result's labels. */
export interface StepSource {
  provider: string;
  model: string;
  simulated: boolean;
}

/**
 * Turns what a chat completion delivered into a StepResult: the server's tool calls (arguments parsed, failures
 * kept as model issues), calls recovered from text, the finish reason, usage and timings.
 */
export function openAIStepResult(
  state: ResponseAccumulator,
  request: StepRequest,
  startedAt: number,
  source: StepSource,
): StepResult {
  const wallMs = performance.now() - startedAt;
  const issues: ModelIssue[] = [];
  const serverCalls: ToolCall[] = [];
  state.toolCalls.forEach((accumulated, position) => {
    if (!accumulated) return;
    const parsed = parseToolArguments(accumulated.arguments);
    const call: ToolCall = {
      id: accumulated.id || `call_${position}`,
      name: accumulated.name,
      arguments: parsed.arguments,
      rawArguments: accumulated.arguments,
      origin: 'server-parsed',
      format: 'native',
    };
    if (parsed.error) {
      call.argumentsError = parsed.error;
      issues.push({
        kind: 'malformed-arguments',
        message: `tool call ${call.name || '(unnamed)'}: ${parsed.error}`,
      });
    }
    serverCalls.push(call);
  });
  const normalized = normalizeAssistantOutput(
    { text: state.text, reasoning: state.reasoning, toolCalls: serverCalls },
    { knownTools: request.tools?.map((tool) => tool.name) },
  );
  for (const issue of normalized.issues) {
    if (!issues.some((existing) => existing.kind === issue.kind && existing.message === issue.message)) {
      issues.push(issue);
    }
  }

  let finishReason = mapFinishReason(state.finishReason);
  if (state.unparsedOutputError !== null) {
    finishReason = 'error';
    issues.push({
      kind: 'other',
      message: `the server could not parse the model's output: ${state.unparsedOutputError}`,
    });
  }
  if (finishReason === 'stop' && normalized.toolCalls.length > 0) finishReason = 'tool-calls';
  if (finishReason === 'length') {
    issues.push({ kind: 'truncated', message: 'the answer stopped at the output token limit' });
  }
  issues.push(...emptyTurnIssues(normalized));

  const usage = resolveUsage(state, request, normalized);
  return assembleStepResult(normalized, {
    finishReason,
    rawFinishReason: state.finishReason,
    usage,
    timings: resolveTimings(state, usage, startedAt, wallMs),
    issues,
    ...source,
  });
}

/** Rough token estimate of the prompt: characters / 4. */
function estimatePromptTokens(messages: Message[], tools: ToolDefinition[] | undefined): number {
  let characters = tools ? JSON.stringify(tools).length : 0;
  for (const message of messages) {
    characters += message.content.length;
    if (message.role === 'assistant') {
      for (const call of message.toolCalls ?? []) characters += call.name.length + call.rawArguments.length;
    }
  }
  return Math.ceil(characters / 4);
}

/** Server-reported usage (the `usage` object, else llama.cpp's timings), else a chars/4 estimate labelled measured. */
function resolveUsage(
  state: ResponseAccumulator,
  request: StepRequest,
  output: { text: string; reasoning: string; toolCalls: ToolCall[] },
): Usage {
  const timings = state.serverTimings;
  const cacheN = timings ? numberOrNull(timings.cache_n) : null;
  const reported = state.usage ? usageFromOpenAIUsage(state.usage, cacheN) : null;
  if (reported) return reported;
  if (timings) {
    const promptN = numberOrNull(timings.prompt_n);
    const predictedN = numberOrNull(timings.predicted_n);
    if (promptN !== null && predictedN !== null) {
      return {
        inputTokens: promptN + (cacheN ?? 0),
        cachedInputTokens: cacheN ?? 0,
        outputTokens: predictedN,
        reasoningTokens: 0,
        source: 'server',
      };
    }
  }
  const outputCharacters =
    output.text.length +
    output.reasoning.length +
    output.toolCalls.reduce((sum, call) => sum + call.name.length + call.rawArguments.length, 0);
  return {
    inputTokens: estimatePromptTokens(request.messages, request.tools),
    cachedInputTokens: 0,
    outputTokens: Math.ceil(outputCharacters / 4),
    reasoningTokens: 0,
    source: 'measured',
  };
}

/** Time to first token, prefill and decode: server-reported (llama.cpp timings) or measured from streamed tokens. */
function resolveTimings(
  state: ResponseAccumulator,
  usage: Usage,
  startedAt: number,
  wallMs: number,
): Timings {
  const timeToFirstTokenMs = state.firstTokenAt === null ? null : state.firstTokenAt - startedAt;
  const timings: Timings = {
    timeToFirstTokenMs,
    prefillTokensPerSecond: null,
    decodeTokensPerSecond: null,
    prefillMs: null,
    decodeMs: null,
    wallMs,
    loadMs: null,
    sources: {
      timeToFirstToken: timeToFirstTokenMs === null ? 'unavailable' : 'measured',
      prefill: 'unavailable',
      decode: 'unavailable',
    },
  };
  const server = state.serverTimings;
  const promptMs = server ? numberOrNull(server.prompt_ms) : null;
  const predictedMs = server ? numberOrNull(server.predicted_ms) : null;
  // Token rates need token counts the server reported: a rate from a chars/4 estimate would be invented.
  const countedByServer = usage.source === 'server';
  if (server && promptMs !== null) {
    timings.prefillMs = promptMs;
    timings.prefillTokensPerSecond = numberOrNull(server.prompt_per_second);
    timings.sources.prefill = 'server';
  } else if (timeToFirstTokenMs !== null && timeToFirstTokenMs > 0) {
    timings.prefillMs = timeToFirstTokenMs;
    timings.sources.prefill = 'measured';
    if (countedByServer) {
      timings.prefillTokensPerSecond =
        (usage.inputTokens - usage.cachedInputTokens) / (timeToFirstTokenMs / 1000);
    }
  }
  if (server && predictedMs !== null) {
    timings.decodeMs = predictedMs;
    timings.decodeTokensPerSecond = numberOrNull(server.predicted_per_second);
    timings.sources.decode = 'server';
  } else if (state.firstTokenAt !== null && state.lastTokenAt !== null) {
    const decodeMs = state.lastTokenAt - state.firstTokenAt;
    if (decodeMs > 0) {
      timings.decodeMs = decodeMs;
      timings.sources.decode = 'measured';
      // The first token ends the prefill; the rest were decoded between the first and the last streamed token.
      if (countedByServer && usage.outputTokens > 1) {
        timings.decodeTokensPerSecond = (usage.outputTokens - 1) / (decodeMs / 1000);
      }
    }
  }
  return timings;
}
