import { z } from 'zod';

/**
 * Zod schemas of the Anthropic Messages streaming wire (`message_start`, `content_block_start`,
 * `content_block_delta`, `message_delta`, `message_stop`, `error`; `ping`, `content_block_stop` and event types
 * added later carry nothing shakedown needs). Objects are loose; optional fields of another type read as absent.
 */

function lenient<T extends z.ZodType>(schema: T) {
  return schema.optional().catch(undefined);
}

/** `usage` as `message_start` and `message_delta` carry it (cumulative counts). */
export const anthropicUsageSchema = z.looseObject({
  input_tokens: lenient(z.number()),
  cache_read_input_tokens: lenient(z.number()),
  cache_creation_input_tokens: lenient(z.number()),
  cache_creation: lenient(z.looseObject({ ephemeral_1h_input_tokens: lenient(z.number()) })),
  output_tokens: lenient(z.number()),
  output_tokens_details: lenient(z.looseObject({ thinking_tokens: lenient(z.number()) })),
});
export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

const contentBlockSchema = z.looseObject({
  type: lenient(z.string()),
  text: lenient(z.string()),
  thinking: lenient(z.string()),
  signature: lenient(z.string()),
  id: lenient(z.string()),
  name: lenient(z.string()),
});

const deltaSchema = z.looseObject({
  type: lenient(z.string()),
  text: lenient(z.string()),
  thinking: lenient(z.string()),
  partial_json: lenient(z.string()),
  signature: lenient(z.string()),
  stop_reason: lenient(z.string()),
});

/** One stream event's data; `type` falls back to the SSE event name when the data lacks it. */
export const anthropicStreamEventSchema = z.looseObject({
  type: lenient(z.string()),
  index: lenient(z.number()),
  message: lenient(z.looseObject({ usage: lenient(anthropicUsageSchema) })),
  content_block: lenient(contentBlockSchema),
  delta: lenient(deltaSchema),
  usage: lenient(anthropicUsageSchema),
  error: lenient(z.looseObject({ type: lenient(z.string()), message: lenient(z.string()) })),
});
export type AnthropicStreamEvent = z.infer<typeof anthropicStreamEventSchema>;

/** The error body `{"type":"error","error":{"type","message"}}`. */
export const anthropicErrorBodySchema = z.looseObject({
  error: z.looseObject({ type: lenient(z.string()), message: lenient(z.string()) }),
});

/** `GET /v1/models`. */
export const anthropicModelListSchema = z.looseObject({
  data: lenient(z.array(z.unknown())),
});
