import { z } from 'zod';

/**
 * Zod schemas of Ollama's native API (`/api/chat` NDJSON stream, `/api/show`, `/api/ps`, error bodies). Objects are
 * loose; optional fields of another type than expected read as absent.
 */

function lenient<T extends z.ZodType>(schema: T) {
  return schema.optional().catch(undefined);
}

/** One line of the `/api/chat` stream; the last (`done: true`) carries counts and durations (nanoseconds). */
export const ollamaChatChunkSchema = z.looseObject({
  message: lenient(
    z.looseObject({
      content: lenient(z.string()),
      thinking: lenient(z.string()),
      tool_calls: lenient(z.array(z.unknown())),
    }),
  ),
  done: lenient(z.boolean()),
  done_reason: lenient(z.string()),
  prompt_eval_count: lenient(z.number()),
  eval_count: lenient(z.number()),
  prompt_eval_duration: lenient(z.number()),
  eval_duration: lenient(z.number()),
  load_duration: lenient(z.number()),
  error: z.unknown().optional(),
});
export type OllamaChatChunk = z.infer<typeof ollamaChatChunkSchema>;

/** A tool call as Ollama sends it (whole; arguments normally an object). */
export const ollamaToolCallSchema = z.looseObject({
  id: lenient(z.string()),
  function: lenient(z.looseObject({ name: lenient(z.string()), arguments: z.unknown().optional() })),
});

/** `POST /api/show`. */
export const ollamaShowSchema = z.looseObject({
  details: lenient(
    z.looseObject({ quantization_level: lenient(z.string()), parameter_size: lenient(z.string()) }),
  ),
  model_info: lenient(z.record(z.string(), z.unknown())),
  capabilities: lenient(z.array(z.string())),
  parameters: lenient(z.string()),
});
export type OllamaShow = z.infer<typeof ollamaShowSchema>;

const runningModelSchema = z.looseObject({
  name: lenient(z.string()),
  model: lenient(z.string()),
  size: lenient(z.number()),
  size_vram: lenient(z.number()),
  context_length: lenient(z.number()),
});
export type OllamaRunningModel = z.infer<typeof runningModelSchema>;

/** `GET /api/ps`: the loaded models (entries of another shape are dropped). */
export const ollamaProcessListSchema = z.looseObject({
  models: lenient(
    z.array(z.unknown()).transform((entries) =>
      entries.flatMap((entry) => {
        const parsed = runningModelSchema.safeParse(entry);
        return parsed.success ? [parsed.data] : [];
      }),
    ),
  ),
});

/** The error body `{"error": "..."}`. */
export const ollamaErrorBodySchema = z.looseObject({ error: z.string() });

/** llama.cpp's runner error that Ollama passes through as a JSON string inside `error`. */
export const nestedRunnerErrorSchema = z.looseObject({ error: z.looseObject({ message: z.string() }) });
