/**
 * The transcript event vocabulary. An attempt is stored as an ordered list of these events; every metric (pass
 * rate, tool-call validity, latency, cost) is computed later from them, so a run can be re-scored without calling
 * the model again.
 */
import { z } from 'zod';

const measurementSourceSchema = z.enum(['server', 'measured', 'unavailable']);

/** Zod schema of a normalized tool call (mirrors `ToolCall` in src/providers/types.ts). */
export const toolCallSchema = z.object({
  id: z.string(),
  name: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  rawArguments: z.string(),
  origin: z.enum(['server-parsed', 'recovered', 'text-protocol']),
  format: z.enum(['native', 'hermes-json', 'qwen-xml']),
  recoveredFrom: z.enum(['content', 'reasoning']).optional(),
  argumentsError: z.string().optional(),
});

/** Zod schema of token usage (mirrors `Usage`). */
export const usageSchema = z.object({
  inputTokens: z.number().nonnegative(),
  cachedInputTokens: z.number().nonnegative(),
  outputTokens: z.number().nonnegative(),
  reasoningTokens: z.number().nonnegative(),
  source: measurementSourceSchema,
  cacheWriteInputTokens: z.number().nonnegative().optional(),
  cacheWriteOneHourInputTokens: z.number().nonnegative().optional(),
  reportedCostUsd: z.number().nonnegative().optional(),
});

/** Zod schema of step timings (mirrors `Timings`). */
export const timingsSchema = z.object({
  timeToFirstTokenMs: z.number().nullable(),
  prefillTokensPerSecond: z.number().nullable(),
  decodeTokensPerSecond: z.number().nullable(),
  prefillMs: z.number().nullable(),
  decodeMs: z.number().nullable(),
  wallMs: z.number(),
  loadMs: z.number().nullable(),
  sources: z.object({
    timeToFirstToken: measurementSourceSchema,
    prefill: measurementSourceSchema,
    decode: measurementSourceSchema,
  }),
});

const infrastructureErrorKindSchema = z.enum([
  'connection',
  'timeout',
  'server-error',
  'rate-limit',
  'stream-error',
  'bad-response',
  'client-error',
  'sandbox',
]);

/** Zod schema of a survived infrastructure retry (mirrors `RetryRecord`). */
export const retryRecordSchema = z.object({
  attempt: z.number().int(),
  error: z.string(),
  kind: infrastructureErrorKindSchema,
  delayMs: z.number(),
});

/** Zod schema of a full model step result (mirrors `StepResult`). */
export const stepResultSchema = z.object({
  text: z.string(),
  reasoning: z.string(),
  toolCalls: z.array(toolCallSchema),
  finishReason: z.enum(['stop', 'tool-calls', 'length', 'content-filter', 'error', 'other']),
  rawFinishReason: z.string().nullable(),
  usage: usageSchema,
  timings: timingsSchema,
  issues: z.array(
    z.object({
      kind: z.enum(['malformed-arguments', 'empty-turn', 'truncated', 'leaked-tool-call', 'other']),
      message: z.string(),
    }),
  ),
  provider: z.string(),
  model: z.string(),
  simulated: z.boolean(),
  retries: z.array(retryRecordSchema),
  queuedMs: z.number().nonnegative().optional(),
});

/** How tool calls are exchanged with the model. */
export const toolProtocolNameSchema = z.enum(['native', 'hermes', 'xml']);
export type ToolProtocolName = z.infer<typeof toolProtocolNameSchema>;

/** Limits of one attempt. */
export const agentLimitsSchema = z.object({
  maxSteps: z.number().int().positive(),
  maxTotalTokens: z.number().positive().optional(),
  maxWallMs: z.number().positive().optional(),
  maxCostUsd: z.number().nonnegative().optional(),
  /** Consecutive steps with a format error that end the attempt (default 3). */
  maxConsecutiveFormatErrors: z.number().int().positive().optional(),
});
export type AgentLimits = z.infer<typeof agentLimitsSchema>;

/**
 * Validity of one tool call; the first failing level wins: `format` (arguments not parseable), `unknown-tool`,
 * `schema` (missing / unexpected / wrong-type arguments), `execution-error` (the tool ran and failed, or threw).
 */
export const toolCallValiditySchema = z.enum([
  'valid',
  'format',
  'unknown-tool',
  'schema',
  'execution-error',
]);
export type ToolCallValidity = z.infer<typeof toolCallValiditySchema>;

/** Why an attempt ended. */
export const attemptStatusSchema = z.enum([
  'submitted',
  'step-limit',
  'token-limit',
  'time-limit',
  'cost-limit',
  'context-exceeded',
  'format-errors',
  'infrastructure-error',
  'no-submission',
  'cancelled',
]);
export type AttemptStatus = z.infer<typeof attemptStatusSchema>;

/** Which limit was hit. */
export const limitNameSchema = z.enum(['steps', 'tokens', 'wall-time', 'cost', 'format-errors', 'context']);
export type LimitName = z.infer<typeof limitNameSchema>;

/** Usage totals of an attempt. */
export const usageTotalsSchema = z.object({
  inputTokens: z.number().nonnegative(),
  cachedInputTokens: z.number().nonnegative(),
  outputTokens: z.number().nonnegative(),
  reasoningTokens: z.number().nonnegative(),
});
export type UsageTotals = z.infer<typeof usageTotalsSchema>;

/** Totals recorded when an attempt finishes. */
export const attemptTotalsSchema = z.object({
  steps: z.number().int().nonnegative(),
  turnsCompleted: z.number().int().nonnegative(),
  usage: usageTotalsSchema,
  costUsd: z.number().nonnegative(),
  wallMs: z.number().nonnegative(),
  modelMs: z.number().nonnegative(),
  toolMs: z.number().nonnegative(),
  toolCalls: z.number().int().nonnegative(),
  invalidToolCalls: z.number().int().nonnegative(),
  formatErrors: z.number().int().nonnegative(),
});
export type AttemptTotals = z.infer<typeof attemptTotalsSchema>;

const base = {
  /** 0-based position of the event in its transcript. */
  sequence: z.number().int().nonnegative(),
  /** ISO 8601 wall-clock time the event was written. */
  time: z.iso.datetime({ offset: true }),
};

export const attemptStartedEventSchema = z.object({
  type: z.literal('attempt-started'),
  ...base,
  attemptId: z.string(),
  taskId: z.string(),
  modelId: z.string(),
  simulated: z.boolean(),
  protocol: toolProtocolNameSchema,
  limits: agentLimitsSchema,
  toolNames: z.array(z.string()),
  systemPrompt: z.string(),
});

export const userMessageEventSchema = z.object({
  type: z.literal('user-message'),
  ...base,
  /** 0 for the instruction, then one per follow-up. */
  turnIndex: z.number().int().nonnegative(),
  /** `instruction` / `follow-up` start a turn; `nudge` and `format-feedback` are sent by the agent loop. */
  kind: z.enum(['instruction', 'follow-up', 'nudge', 'format-feedback']),
  content: z.string(),
});

export const modelRequestEventSchema = z.object({
  type: z.literal('model-request'),
  ...base,
  step: z.number().int().nonnegative(),
  messageCount: z.number().int().nonnegative(),
  estimatedPromptChars: z.number().int().nonnegative(),
  /**
   * An external agent's request as the recording proxy received it (src/external): the API route, and the parts of
   * the wire body that changed since the agent's previous request (the system prompt and declared tools only when
   * they changed, the messages after the prefix the two requests share), so the whole request is reconstructable.
   */
  wire: z
    .object({
      route: z.enum(['chat-completions', 'responses']),
      stream: z.boolean(),
      model: z.string().nullable(),
      /** The wire body without its message list (tools, settings), when it differs from the previous request's. */
      settings: z.record(z.string(), z.unknown()).optional(),
      /** Messages (input items) shared with the previous request; the rest follow in `newMessages`. */
      sharedPrefix: z.number().int().nonnegative(),
      newMessages: z.array(z.unknown()),
    })
    .optional(),
});

export const modelResponseEventSchema = z.object({
  type: z.literal('model-response'),
  ...base,
  step: z.number().int().nonnegative(),
  result: stepResultSchema,
  /** How the recording proxy answered an external agent (src/external): streamed or whole, and its own timing. */
  proxy: z
    .object({
      streamed: z.boolean(),
      /** Milliseconds from the agent's request reaching the proxy to the first token bytes sent back to it. */
      timeToFirstTokenMs: z.number().nonnegative().nullable(),
      /** Text the agent received that the final answer does not hold (a retry after a partly streamed answer). */
      divergedText: z.string().optional(),
    })
    .optional(),
});

export const infrastructureErrorEventSchema = z.object({
  type: z.literal('infrastructure-error'),
  ...base,
  step: z.number().int().nonnegative(),
  kind: infrastructureErrorKindSchema,
  message: z.string(),
  /** Retries already made for this step. */
  retries: z.number().int().nonnegative(),
  /** True when the error ended the attempt; false for a failure that a retry survived. */
  final: z.boolean(),
});

/** One tool call, written once its validity is known (after it ran), just before its `tool-result`. */
export const toolCallEventSchema = z.object({
  type: z.literal('tool-call'),
  ...base,
  step: z.number().int().nonnegative(),
  callId: z.string(),
  name: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  rawArguments: z.string(),
  origin: z.enum(['server-parsed', 'recovered', 'text-protocol']),
  format: z.enum(['native', 'hermes-json', 'qwen-xml']),
  validity: toolCallValiditySchema,
  /** Why the call is not valid, or a note (ignored arguments, skipped after finish). */
  detail: z.string().nullable(),
  /** Unexpected arguments the tool's schema dropped. */
  ignoredArguments: z.array(z.string()).optional(),
});

export const formatErrorEventSchema = z.object({
  type: z.literal('format-error'),
  ...base,
  step: z.number().int().nonnegative(),
  /**
   * `empty-turn`: neither text nor tool calls; `unparseable-call`: a text-protocol call that could not be parsed;
   * `malformed-arguments`: a call whose arguments were not a parseable object.
   */
  reason: z.enum(['empty-turn', 'unparseable-call', 'malformed-arguments']),
  detail: z.string(),
  callId: z.string().optional(),
});

export const toolResultEventSchema = z.object({
  type: z.literal('tool-result'),
  ...base,
  step: z.number().int().nonnegative(),
  callId: z.string(),
  name: z.string(),
  /** Exactly what went back to the model. */
  content: z.string(),
  isError: z.boolean(),
  truncated: z.boolean(),
  metadata: z.record(z.string(), z.unknown()),
  durationMs: z.number().nonnegative(),
});

export const limitReachedEventSchema = z.object({
  type: z.literal('limit-reached'),
  ...base,
  which: limitNameSchema,
  /** The configured limit (null for the model's context window when unknown). */
  limit: z.number().nullable(),
  /** The value that reached it. */
  value: z.number().nullable(),
});

export const attemptFinishedEventSchema = z.object({
  type: z.literal('attempt-finished'),
  ...base,
  status: attemptStatusSchema,
  /** The summary given to `finish`, or the last answer text. */
  summary: z.string().nullable(),
  totals: attemptTotalsSchema,
});

/** Zod schema of any transcript event, discriminated on `type`. */
export const transcriptEventSchema = z.discriminatedUnion('type', [
  attemptStartedEventSchema,
  userMessageEventSchema,
  modelRequestEventSchema,
  modelResponseEventSchema,
  infrastructureErrorEventSchema,
  toolCallEventSchema,
  formatErrorEventSchema,
  toolResultEventSchema,
  limitReachedEventSchema,
  attemptFinishedEventSchema,
]);

/** Any transcript event. */
export type TranscriptEvent = z.infer<typeof transcriptEventSchema>;
/** The `type` names of transcript events. */
export type TranscriptEventType = TranscriptEvent['type'];
/** The event of a given type. */
export type TranscriptEventOf<Type extends TranscriptEventType> = Extract<TranscriptEvent, { type: Type }>;

type DistributiveOmit<Value, Key extends PropertyKey> = Value extends unknown ? Omit<Value, Key> : never;
/** An event before the writer stamps its `sequence` and `time`. */
export type NewTranscriptEvent = DistributiveOmit<TranscriptEvent, 'sequence' | 'time'>;

/** A value that is not a valid transcript event; `issues` lists each problem as `path: message`. */
export class TranscriptEventError extends Error {
  readonly issues: string[];
  constructor(message: string, issues: string[]) {
    super(message);
    this.name = 'TranscriptEventError';
    this.issues = issues;
  }
}

/** Validates a parsed JSON value as a transcript event; throws TranscriptEventError naming every problem. */
export function parseEvent(json: unknown): TranscriptEvent {
  const parsed = transcriptEventSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const type =
    json !== null && typeof json === 'object' && 'type' in json ? JSON.stringify(json.type) : '(missing)';
  const issues = parsed.error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
  throw new TranscriptEventError(`Invalid transcript event of type ${type}: ${issues.join('; ')}`, issues);
}
