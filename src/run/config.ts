import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { agentConfigSchema } from '../external/agent-choice.ts';
import { localCostSchema } from '../metrics/local-cost.ts';
import { priceSchema } from '../providers/price-table.ts';
import { didYouMean } from '../text/index.ts';

/** One model under test and how to talk to it. */
export const modelConfigSchema = z
  .object({
    /** Model id, e.g. `ollama:qwen3.5:9b`, `openai:o3-mini`, `llamacpp:http://127.0.0.1:8080`, `gguf:./m.gguf`. */
    id: z.string().min(1),
    /** Display name in reports (default: the id). */
    label: z.string().min(1).optional(),
    /** Tool protocol: native tool calling, or a text protocol for models without it. */
    protocol: z.enum(['auto', 'native', 'hermes', 'xml']).default('auto'),
    /**
     * Parallel model requests to this model's endpoint (its server's slots; one queue per endpoint, shared by all
     * attempts, gating each request rather than whole attempts). Default 1 for local endpoints, 4 for APIs.
     */
    concurrency: z.number().int().positive().optional(),
    /** Context length to request (Ollama num_ctx, node-llama-cpp contextSize). */
    contextLength: z.number().int().positive().optional(),
    temperature: z.number().min(0).max(2).optional(),
    /** Name of the environment variable holding the API key (never the key itself). */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'apiKeyEnv must be an environment variable NAME, not a key')
      .optional(),
    /** Cost of running it locally (GPU-hour rate, or watts and $/kWh). */
    localCost: localCostSchema.optional(),
    threads: z.number().int().positive().optional(),
    /**
     * Anthropic prompt caching: `5m` (default), `1h` or `off`. Cache writes and reads are priced at their own rates,
     * and the report's cost basis says how much of the prompt cache was used.
     */
    promptCaching: z.enum(['off', '5m', '1h']).optional(),
  })
  .strict();
export type ModelConfig = z.infer<typeof modelConfigSchema>;

export const limitsConfigSchema = z
  .object({
    maxSteps: z.number().int().positive().default(40),
    /** Wall-clock budget of an attempt's agent; time its model requests wait for an endpoint slot is not counted. */
    maxWallSeconds: z.number().positive().default(900),
    maxTotalTokens: z.number().int().positive().optional(),
    maxCostUsd: z.number().positive().optional(),
    commandTimeoutSeconds: z.number().positive().default(120),
    maxConsecutiveFormatErrors: z.number().int().positive().default(3),
  })
  .strict();
export type LimitsConfig = z.infer<typeof limitsConfigSchema>;

/** The whole of shakedown.yaml. Command-line flags override it. */
export const shakedownConfigSchema = z
  .object({
    models: z.array(z.union([z.string().min(1), modelConfigSchema])).default([]),
    /** Task folders or suite folders to run. */
    suites: z.array(z.string().min(1)).default([]),
    tasks: z.array(z.string().min(1)).default([]),
    /** Attempts per task and model (k in pass@k). */
    attempts: z.number().int().positive().default(1),
    /**
     * Attempts running at once across all endpoints (workspace set-up, agent and grading). Model requests are gated
     * separately, per endpoint, by each model's `concurrency` (its server's slots). Default: adapted to the time
     * measured, from 4 per slot at the start to between slots + 1 and 8 per slot (see attempts-in-flight.ts), so
     * that set-up, tools and grading overlap the model requests of other attempts and the slots stay busy.
     */
    concurrency: z.number().int().positive().optional(),
    sandbox: z.enum(['auto', 'bubblewrap', 'docker', 'podman', 'none']).default('auto'),
    limits: limitsConfigSchema.default(limitsConfigSchema.parse({})),
    /** Infrastructure retries per model call before the attempt is recorded as an infrastructure error. */
    infrastructureRetries: z.number().int().min(0).default(4),
    /** Fresh re-runs of a whole attempt that still ended in an infrastructure error; then it is recorded as one. */
    attemptRetries: z.number().int().min(0).default(2),
    /** Keep the workspaces of attempts that were not resolved, for inspection. */
    keepWorkspaces: z.boolean().default(false),
    /** Price overrides and additions (USD per million tokens). */
    prices: z.array(priceSchema).default([]),
    /** Where the store, transcripts and workspaces live. */
    dataDir: z.string().min(1).default('.shakedown'),
    /**
     * The agent under test: `built-in`, `{ preset: aider | qwen-code | opencode | codex }` or `{ command, env?,
     * readOnlyPaths? }` (any agent speaking the OpenAI API; see src/external). Graded the same way either way.
     */
    agent: agentConfigSchema.default('built-in'),
    /**
     * Several agents side by side in one run (each cell = model × agent, e.g. `[built-in, { preset: qwen-code }]`);
     * overrides `agent`. See src/run/agent-matrix.ts.
     */
    agents: z.array(agentConfigSchema).min(1).optional(),
  })
  .strict();
export type ShakedownConfig = z.infer<typeof shakedownConfigSchema>;

/** Normalizes `models` entries: a bare string becomes `{ id }` with defaults. */
export function normalizeModels(config: ShakedownConfig): ModelConfig[] {
  return config.models.map((entry) =>
    modelConfigSchema.parse(typeof entry === 'string' ? { id: entry } : entry),
  );
}

/** The keys an object schema at `at` (a path into the config) accepts; empty when no object is there. */
export function configKeysAt(schema: z.ZodType, at: readonly PropertyKey[]): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  const inner = (key: string) => def[key] as z.ZodType;
  switch (def.type) {
    case 'default':
    case 'optional':
    case 'nullable':
    case 'prefault':
    case 'readonly':
      return configKeysAt(inner('innerType'), at);
    case 'pipe':
      return configKeysAt(inner('in'), at);
    case 'array':
      return at.length > 0 ? configKeysAt(inner('element'), at.slice(1)) : [];
    case 'union':
      return [...new Set((def.options as z.ZodType[]).flatMap((option) => configKeysAt(option, at)))];
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      if (at.length === 0) return Object.keys(shape);
      const child = shape[String(at[0])];
      return child ? configKeysAt(child, at.slice(1)) : [];
    }
    default:
      return [];
  }
}

/** One line per zod issue: `file: path.to.field: message`; an unknown key names the nearest valid one. */
export function formatConfigIssues(file: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      if (issue.code === 'unrecognized_keys') {
        const valid = configKeysAt(shakedownConfigSchema, issue.path);
        const keys = issue.keys
          .map((key) => `unknown key ${JSON.stringify(key)}${didYouMean(key, valid)}`)
          .join('; ');
        return `${file}: ${where}${keys}${valid.length > 0 ? `; valid keys: ${valid.join(', ')}` : ''}`;
      }
      return `${file}: ${where}${issue.message}`;
    })
    .join('\n');
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses config text (YAML or JSON). Throws ConfigError naming the file and each bad field. */
export function parseConfig(text: string, file = 'shakedown.yaml'): ShakedownConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  const result = shakedownConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(formatConfigIssues(file, result.error));
  return result.data;
}

/**
 * Loads `shakedown.yaml` (or `.yml`/`.json`) from a directory or an explicit path. Returns the defaults when the
 * directory has none; an explicit path that is missing is an error.
 */
export async function loadConfig(location: { file?: string; directory?: string }): Promise<{
  config: ShakedownConfig;
  file: string | null;
}> {
  if (location.file) {
    let text: string;
    try {
      text = await readFile(location.file, 'utf8');
    } catch {
      throw new ConfigError(`config file not found: ${location.file}`);
    }
    return { config: parseConfig(text, location.file), file: location.file };
  }
  const directory = location.directory ?? process.cwd();
  for (const name of ['shakedown.yaml', 'shakedown.yml', 'shakedown.json']) {
    const candidate = path.join(directory, name);
    const text = await readFile(candidate, 'utf8').catch(() => null);
    if (text !== null) return { config: parseConfig(text, candidate), file: candidate };
  }
  return { config: shakedownConfigSchema.parse({}), file: null };
}

/** JSON Schema of shakedown.yaml, for editors (`# yaml-language-server: $schema=...`). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(shakedownConfigSchema, { io: 'input' }) as Record<string, unknown>;
}
