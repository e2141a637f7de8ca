/**
 * What the run metrics read from one attempt's transcript, gathered event by event: its model responses (timings as
 * the agent saw them, usage, retries), its tool-call validity counts, its format errors and its last
 * `attempt-finished`. A run's metrics keep one summary per attempt instead of every event, so memory stays a few
 * numbers per step however long the transcripts are.
 */

import type { ToolCallValidity, TranscriptEvent, TranscriptEventOf } from '../transcript/events.ts';

type ModelResponse = TranscriptEventOf<'model-response'>;
type StepTimings = ModelResponse['result']['timings'];

/** The event types a summary reads; the bulky ones (messages, requests, tool output) are not needed. */
export const SUMMARIZED_EVENT_TYPES = [
  'attempt-started',
  'model-response',
  'tool-call',
  'format-error',
  'attempt-finished',
] as const satisfies readonly TranscriptEvent['type'][];

/** One model response of an attempt, as the metrics read it. */
export interface ResponseSummary {
  /** The step's timings as its agent saw them (see `timingsSeenByAgent`). */
  timings: StepTimings;
  usage: ModelResponse['result']['usage'];
  /** Infrastructure retries the step survived. */
  retries: number;
  simulated: boolean;
}

/** Tool-call counts of an attempt (recovery: the next call after an invalid one is valid). */
export interface ToolCallCounts {
  total: number;
  byValidity: Record<ToolCallValidity, number>;
  recovered: number;
  textProtocol: number;
  recoveryOpportunities: number;
  recoveries: number;
}

/** What the metrics read of one attempt's transcript. */
export interface AttemptEventSummary {
  /** Model responses in transcript order. */
  responses: ResponseSummary[];
  toolCalls: ToolCallCounts;
  /** Format errors by reason. */
  formatErrors: Record<string, number>;
  /** The last `attempt-finished` event's status and totals, or null when the transcript has none. */
  finished: Pick<TranscriptEventOf<'attempt-finished'>, 'status' | 'totals'> | null;
  /** An `attempt-started` event says the attempt was simulated. */
  simulatedStart: boolean;
  /** Validity of the attempt's previous tool call (for recoveries), null before its first. */
  previousCallValidity: ToolCallValidity | null;
}

/**
 * The timings of a step as its agent saw them. For an external agent, time to first token is the recording proxy's
 * (from the agent's request reaching the proxy to the first token bytes sent back to it, measured; recorded in the
 * transcript, so re-scoring needs no model); prefill and decode rates stay the model client's, server-reported or
 * measured from streamed token timing, never estimated from text length. The built-in agent's steps are unchanged.
 */
export function timingsSeenByAgent(response: ModelResponse): StepTimings {
  const timings = response.result.timings;
  const proxied = response.proxy?.timeToFirstTokenMs;
  if (proxied === undefined || proxied === null) return timings;
  return {
    ...timings,
    timeToFirstTokenMs: proxied,
    sources: { ...timings.sources, timeToFirstToken: 'measured' },
  };
}

/** An empty summary, to be fed the attempt's events in order with `addEventToSummary`. */
export function emptyAttemptSummary(): AttemptEventSummary {
  return {
    responses: [],
    toolCalls: {
      total: 0,
      byValidity: { valid: 0, format: 0, 'unknown-tool': 0, schema: 0, 'execution-error': 0 },
      recovered: 0,
      textProtocol: 0,
      recoveryOpportunities: 0,
      recoveries: 0,
    },
    formatErrors: {},
    finished: null,
    simulatedStart: false,
    previousCallValidity: null,
  };
}

/** Adds the next event of the attempt (events in sequence order); other event types are ignored. */
export function addEventToSummary(summary: AttemptEventSummary, event: TranscriptEvent): void {
  switch (event.type) {
    case 'attempt-started':
      if (event.simulated) summary.simulatedStart = true;
      return;
    case 'model-response':
      summary.responses.push({
        timings: timingsSeenByAgent(event),
        usage: event.result.usage,
        retries: event.result.retries.length,
        simulated: event.result.simulated === true,
      });
      return;
    case 'tool-call': {
      const counts = summary.toolCalls;
      counts.total++;
      counts.byValidity[event.validity]++;
      if (event.origin === 'recovered') counts.recovered++;
      if (event.origin === 'text-protocol') counts.textProtocol++;
      if (summary.previousCallValidity !== null && summary.previousCallValidity !== 'valid') {
        counts.recoveryOpportunities++;
        if (event.validity === 'valid') counts.recoveries++;
      }
      summary.previousCallValidity = event.validity;
      return;
    }
    case 'format-error':
      summary.formatErrors[event.reason] = (summary.formatErrors[event.reason] ?? 0) + 1;
      return;
    case 'attempt-finished':
      summary.finished = { status: event.status, totals: event.totals };
      return;
    default:
      return;
  }
}

/** The summary of a whole transcript. */
export function summarizeAttemptEvents(events: Iterable<TranscriptEvent>): AttemptEventSummary {
  const summary = emptyAttemptSummary();
  for (const event of events) addEventToSummary(summary, event);
  return summary;
}
