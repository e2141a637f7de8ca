import type { TranscriptEvent, TranscriptEventOf } from '../transcript/events.ts';

/** A row of the `steps` table, without its attempt id. */
export interface DerivedStep {
  /** Sequence of the `model-response` event. */
  sequence: number;
  stepIndex: number;
  ttftMs: number | null;
  ttftSource: string;
  prefillTps: number | null;
  decodeTps: number | null;
  prefillMs: number | null;
  decodeMs: number | null;
  loadMs: number | null;
  prefillSource: string;
  decodeSource: string;
  wallMs: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  usageSource: string;
  finishReason: string;
  toolCallCount: number;
  infrastructureRetries: number;
  simulated: boolean;
}

/** A row of the `tool_calls` table, without its attempt id. */
export interface DerivedToolCall {
  /** Sequence of the `tool-call` event. */
  sequence: number;
  stepIndex: number;
  callId: string;
  name: string;
  origin: string;
  format: string;
  validity: string;
  detail: string | null;
  /** From the matching `tool-result`; null when the call has none (e.g. rejected before running). */
  durationMs: number | null;
  isError: boolean | null;
}

/** Rows derived from one attempt's events. */
export interface DerivedRows {
  steps: DerivedStep[];
  toolCalls: DerivedToolCall[];
}

/** The `steps` row of one `model-response` event. */
export function stepRow(event: TranscriptEventOf<'model-response'>): DerivedStep {
  const { result } = event;
  return {
    sequence: event.sequence,
    stepIndex: event.step,
    ttftMs: result.timings.timeToFirstTokenMs,
    ttftSource: result.timings.sources.timeToFirstToken,
    prefillTps: result.timings.prefillTokensPerSecond,
    decodeTps: result.timings.decodeTokensPerSecond,
    prefillMs: result.timings.prefillMs,
    decodeMs: result.timings.decodeMs,
    loadMs: result.timings.loadMs,
    prefillSource: result.timings.sources.prefill,
    decodeSource: result.timings.sources.decode,
    wallMs: result.timings.wallMs,
    inputTokens: result.usage.inputTokens,
    cachedInputTokens: result.usage.cachedInputTokens,
    outputTokens: result.usage.outputTokens,
    reasoningTokens: result.usage.reasoningTokens,
    usageSource: result.usage.source,
    finishReason: result.finishReason,
    toolCallCount: result.toolCalls.length,
    infrastructureRetries: result.retries.length,
    simulated: result.simulated,
  };
}

/** The `tool_calls` row of one `tool-call` event, before its `tool-result` is known. */
export function toolCallRow(event: TranscriptEventOf<'tool-call'>): DerivedToolCall {
  return {
    sequence: event.sequence,
    stepIndex: event.step,
    callId: event.callId,
    name: event.name,
    origin: event.origin,
    format: event.format,
    validity: event.validity,
    detail: event.detail,
    durationMs: null,
    isError: null,
  };
}

/**
 * Derives the `steps` rows (one per `model-response`) and `tool_calls` rows (one per `tool-call`, joined with the
 * `tool-result` of the same step and call id that follows it) from an attempt's events. Pure; events may be given
 * in any order (they are sorted by sequence).
 */
export function deriveRows(events: readonly TranscriptEvent[]): DerivedRows {
  const ordered = [...events].sort((left, right) => left.sequence - right.sequence);
  const steps: DerivedStep[] = [];
  const toolCalls: DerivedToolCall[] = [];
  /** Calls still waiting for their result, keyed by step and call id (a queue, in case a model repeats an id). */
  const awaitingResult = new Map<string, DerivedToolCall[]>();
  for (const event of ordered) {
    if (event.type === 'model-response') {
      steps.push(stepRow(event));
    } else if (event.type === 'tool-call') {
      const row = toolCallRow(event);
      toolCalls.push(row);
      const key = `${event.step}\u0000${event.callId}`;
      const queue = awaitingResult.get(key);
      if (queue) queue.push(row);
      else awaitingResult.set(key, [row]);
    } else if (event.type === 'tool-result') {
      const row = awaitingResult.get(`${event.step}\u0000${event.callId}`)?.shift();
      if (row) {
        row.durationMs = event.durationMs;
        row.isError = event.isError;
      }
    }
  }
  return { steps, toolCalls };
}
