import { z } from 'zod';

/**
 * Zod schemas of the OpenAI chat-completions wire as the servers that speak it send it (OpenAI, llama.cpp, vLLM,
 * LM Studio, OpenRouter, xAI). Objects are loose (servers add fields of their own); the fields shakedown reads are
 * typed, and optional extras that some servers fill with other types are dropped rather than failing the answer.
 */

/** An optional field: absent, null, or a value of another type than expected all read as undefined. */
function lenient<T extends z.ZodType>(schema: T) {
  return schema.optional().catch(undefined);
}

const jsonObjectSchema = z.record(z.string(), z.unknown());

const toolCallDeltaSchema = z.looseObject({
  index: lenient(z.number()),
  id: lenient(z.string()),
  function: lenient(
    z.looseObject({
      name: lenient(z.string()),
      // Some servers send parsed arguments rather than the JSON text.
      arguments: lenient(z.union([z.string(), jsonObjectSchema])),
    }),
  ),
});
export type ToolCallDelta = z.infer<typeof toolCallDeltaSchema>;

/** A choice's `delta` (streamed) or `message` (whole). */
const messageFieldsSchema = z.looseObject({
  content: lenient(z.string()),
  /** llama.cpp, vLLM, LM Studio. */
  reasoning_content: lenient(z.string()),
  /** OpenRouter, Ollama's OpenAI endpoint. */
  reasoning: lenient(z.string()),
  tool_calls: lenient(z.array(z.unknown())),
});
export type MessageFields = z.infer<typeof messageFieldsSchema>;

const choiceSchema = z.looseObject({
  index: lenient(z.number()),
  delta: lenient(messageFieldsSchema),
  message: lenient(messageFieldsSchema),
  finish_reason: lenient(z.string()),
});

/** One streamed `chat.completion.chunk`, or a whole `chat.completion` when a server ignores `stream: true`. */
export const chatCompletionChunkSchema = z.looseObject({
  choices: lenient(z.array(z.unknown())),
  /** Token counts (read by `usageFromOpenAIUsage`, whose fields differ per server). */
  usage: lenient(jsonObjectSchema),
  /** llama.cpp's own timings: prompt_n, prompt_ms, predicted_n, predicted_ms, cache_n, per-second rates. */
  timings: lenient(jsonObjectSchema),
  /** An error sent inside the stream. */
  error: z.unknown().optional(),
});
export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;

/** The first choice of a chunk (index 0 or no index), with its typed fields; null when there is none. */
export function firstChoice(chunk: ChatCompletionChunk): z.infer<typeof choiceSchema> | null {
  for (const entry of chunk.choices ?? []) {
    const parsed = choiceSchema.safeParse(entry);
    if (parsed.success && (parsed.data.index ?? 0) === 0) return parsed.data;
  }
  return null;
}

/** The tool-call deltas of a message, each typed; entries that are not objects are skipped. */
export function toolCallDeltas(fields: MessageFields): ToolCallDelta[] {
  const deltas: ToolCallDelta[] = [];
  for (const entry of fields.tool_calls ?? []) {
    const parsed = toolCallDeltaSchema.safeParse(entry);
    if (parsed.success) deltas.push(parsed.data);
  }
  return deltas;
}

/** Error bodies: `{"error":{"message":…,"n_ctx":…}}` (OpenAI, llama.cpp), `{"error":"…"}`, `{"message":…}`, `{"detail":…}` (vLLM). */
export const errorBodySchema = z.looseObject({
  error: lenient(
    z.union([z.string(), z.looseObject({ message: lenient(z.string()), n_ctx: lenient(z.number()) })]),
  ),
  message: lenient(z.string()),
  detail: lenient(z.string()),
});

/** One `/v1/models` entry, with the extras llama.cpp (`meta`, `aliases`), vLLM and OpenRouter add. */
export const modelEntrySchema = z.looseObject({
  id: lenient(z.string()),
  aliases: lenient(z.array(z.string())),
  /** vLLM: the context length it serves. */
  max_model_len: lenient(z.number()),
  /** OpenRouter and others: the model's context length. */
  context_length: lenient(z.number()),
  /** llama.cpp: facts of the loaded GGUF. */
  meta: lenient(
    z.looseObject({
      n_ctx_train: lenient(z.number()),
      size: lenient(z.number()),
      n_ctx: lenient(z.number()),
    }),
  ),
});
export type ModelEntry = z.infer<typeof modelEntrySchema>;

/** `GET /v1/models`. */
export const modelListSchema = z.looseObject({ data: lenient(z.array(z.unknown())) });

/** llama.cpp's `GET /props`. */
export const llamaCppPropsSchema = z.looseObject({
  default_generation_settings: lenient(z.looseObject({ n_ctx: lenient(z.number()) })),
  n_ctx: lenient(z.number()),
  total_slots: lenient(z.number()),
  chat_template_caps: lenient(z.looseObject({ supports_tool_calls: lenient(z.boolean()) })),
  chat_template: lenient(z.string()),
});
