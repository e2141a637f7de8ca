import { type AnthropicPromptCaching, createAnthropicClient } from './anthropic/anthropic-client.ts';
import { createGgufClient } from './gguf-client.ts';
import { isRemoteGguf } from './gguf-download.ts';
import { basicAuthorization, type ModelSpec, parseModelId } from './model-id.ts';
import { createOllamaClient } from './ollama/ollama-client.ts';
import {
  createOpenAICompatibleClient,
  type OpenAICompatibleFlavour,
} from './openai-compatible/openai-compatible-client.ts';
import { createRemoteGgufClient } from './remote-gguf-client.ts';
import { type RetryPolicy, withRetries } from './retrying-client.ts';
import type { ModelClient } from './types.ts';

/** Options for {@link createModelClient}. */
export interface CreateModelClientOptions {
  /** API key; overrides the provider's environment variable. */
  apiKey?: string;
  /** Where API keys are read from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Retry policy for infrastructure errors, or `false` for none (default: {@link withRetries}' defaults). */
  retry?: RetryPolicy | false;
  /** Context length to request (Ollama `num_ctx`, GGUF context size). */
  numCtx?: number;
  /** CPU threads for in-process GGUF models. */
  threads?: number;
  /** Longest one request may wait for the server to answer. */
  requestTimeoutMs?: number;
  /** Longest a stream may stay silent. */
  idleTimeoutMs?: number;
  /** Anthropic prompt caching (default `5m`). */
  promptCaching?: AnthropicPromptCaching;
}

/** The environment variable each remote API reads its key from. */
export const API_KEY_VARIABLES = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  openrouter: 'OPENROUTER_API_KEY',
} as const;

/** The API key a provider needs (from options or the environment), or an error naming the variable to set. */
function requiredApiKey(
  provider: keyof typeof API_KEY_VARIABLES,
  spec: ModelSpec,
  options: CreateModelClientOptions,
): string {
  const variable = API_KEY_VARIABLES[provider];
  const key = options.apiKey ?? (options.env ?? process.env)[variable];
  if (key === undefined || key.trim().length === 0) {
    throw new Error(`${spec.canonicalId} needs an API key: set ${variable} in the environment`);
  }
  return key.trim();
}

function openAICompatible(
  spec: ModelSpec,
  flavour: OpenAICompatibleFlavour,
  options: CreateModelClientOptions,
  apiKey: string | undefined,
): ModelClient {
  return createOpenAICompatibleClient({
    baseUrl: spec.baseUrl!,
    model: spec.model,
    apiKey,
    flavour,
    provider: spec.provider,
    headers: authHeaders(spec),
    requestTimeoutMs: options.requestTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
  });
}

/** The Basic auth header of credentials given in the server URL, or none. */
function authHeaders(spec: ModelSpec): Record<string, string> | undefined {
  return spec.basicAuth ? { authorization: basicAuthorization(spec.basicAuth) } : undefined;
}

/** Builds the provider's client for a parsed model id, without retries. */
function createProviderClient(spec: ModelSpec, options: CreateModelClientOptions): ModelClient {
  switch (spec.provider) {
    case 'ollama':
      return createOllamaClient({
        baseUrl: spec.baseUrl ?? undefined,
        model: spec.model,
        numCtx: options.numCtx,
        headers: authHeaders(spec),
        requestTimeoutMs: options.requestTimeoutMs,
        idleTimeoutMs: options.idleTimeoutMs,
      });
    case 'openai':
      return openAICompatible(spec, 'openai', options, requiredApiKey('openai', spec, options));
    case 'openrouter':
      return openAICompatible(spec, 'openrouter', options, requiredApiKey('openrouter', spec, options));
    case 'anthropic':
      return createAnthropicClient({
        baseUrl: spec.baseUrl ?? undefined,
        model: spec.model,
        apiKey: requiredApiKey('anthropic', spec, options),
        promptCaching: options.promptCaching,
        headers: authHeaders(spec),
        requestTimeoutMs: options.requestTimeoutMs,
        idleTimeoutMs: options.idleTimeoutMs,
      });
    // Local servers: a key only when given explicitly, never a cloud key from the environment.
    case 'llamacpp':
      return openAICompatible(spec, 'llamacpp', options, options.apiKey);
    case 'vllm':
      return openAICompatible(spec, 'vllm', options, options.apiKey);
    case 'lmstudio':
      return openAICompatible(spec, 'lmstudio', options, options.apiKey);
    case 'openai-compatible':
      return openAICompatible(spec, 'generic', options, options.apiKey);
    case 'simulated':
      // A simulated server speaking the llama.cpp dialect; clients label its answers simulated from its header.
      return openAICompatible(spec, 'llamacpp', options, undefined);
    case 'gguf':
      if (isRemoteGguf(spec.model)) {
        // hf:OWNER/REPO:QUANT or gguf:https://…: downloaded once into the model cache, then run in-process.
        return createRemoteGgufClient({
          uri: spec.model,
          id: spec.canonicalId,
          threads: options.threads,
          contextSize: options.numCtx,
        });
      }
      return createGgufClient({
        modelPath: spec.model,
        threads: options.threads,
        contextSize: options.numCtx,
      });
  }
}

/**
 * Creates the client for a model id (`ollama:qwen3.5:9b`, `openai:o3-mini`, `./model.gguf`, …) or a parsed spec:
 * picks the provider, reads API keys from the environment (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`,
 * `OPENROUTER_API_KEY`; a clear error when a remote API has none) and wraps it in {@link withRetries} unless
 * `retry` is `false`.
 */
export function createModelClient(
  id: string | ModelSpec,
  options: CreateModelClientOptions = {},
): ModelClient {
  const spec = typeof id === 'string' ? parseModelId(id) : id;
  if (options.numCtx !== undefined && (!Number.isInteger(options.numCtx) || options.numCtx <= 0)) {
    throw new Error(`numCtx must be a positive integer, got ${options.numCtx}`);
  }
  const client = createProviderClient(spec, options);
  return options.retry === false ? client : withRetries(client, options.retry ?? {});
}
