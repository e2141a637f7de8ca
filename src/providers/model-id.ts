import { didYouMean } from '../text/index.ts';

/** Every provider a model id can name. */
export const MODEL_PROVIDERS = [
  'ollama',
  'openai',
  'llamacpp',
  'vllm',
  'lmstudio',
  'openrouter',
  'anthropic',
  'gguf',
  'openai-compatible',
  'simulated',
] as const;

/** A provider a model id can name. */
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

/** A parsed model id: which provider, which model, where. */
export interface ModelSpec {
  provider: ModelProvider;
  /** The model name as the provider knows it (for `gguf`, the file path). */
  model: string;
  /** The server's base URL (no trailing slash), or null for in-process models (`gguf`). */
  baseUrl: string | null;
  /** `provider:model`, plus `@baseUrl` when the URL is not the provider's default. Never holds credentials. */
  canonicalId: string;
  /** Credentials written in the server URL (`http://user:pass@host`), sent as HTTP Basic auth; absent when none. */
  basicAuth?: BasicAuth;
}

/** User and password of HTTP Basic auth, URL-decoded. */
export interface BasicAuth {
  username: string;
  password: string;
}

/** The `Authorization` header value of Basic auth. */
export function basicAuthorization(auth: BasicAuth): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
}

/** `http(s)://user:pass@` at the start of a URL: the userinfo part that must never be shown or stored. */
const URL_USERINFO = /(https?:\/\/)[^/?#@\s]*@/gi;

/**
 * The id (or any text) with the credentials of its URLs removed (`vllm:m@http://user:pass@host` →
 * `vllm:m@http://host`), and the credentials of the last URL that had some. Ids, labels, file names, the store and
 * reports use the cleaned id; only the client sees the credentials.
 */
export function withoutUrlCredentials(id: string): { id: string; basicAuth: BasicAuth | null } {
  let basicAuth: BasicAuth | null = null;
  const cleaned = id.replace(URL_USERINFO, (match, scheme: string) => {
    const userinfo = match.slice(scheme.length, -1);
    const colon = userinfo.indexOf(':');
    const decode = (text: string) => {
      try {
        return decodeURIComponent(text);
      } catch {
        return text;
      }
    };
    basicAuth = {
      username: decode(colon === -1 ? userinfo : userinfo.slice(0, colon)),
      password: decode(colon === -1 ? '' : userinfo.slice(colon + 1)),
    };
    return scheme;
  });
  return { id: cleaned, basicAuth };
}

/** Default base URLs; null where the provider has none and the id must give one. */
export const DEFAULT_BASE_URLS: Record<ModelProvider, string | null> = {
  ollama: 'http://127.0.0.1:11434',
  openai: 'https://api.openai.com/v1',
  llamacpp: 'http://127.0.0.1:8080',
  vllm: 'http://127.0.0.1:8000/v1',
  lmstudio: 'http://127.0.0.1:1234/v1',
  openrouter: 'https://openrouter.ai/api/v1',
  anthropic: 'https://api.anthropic.com',
  gguf: null,
  'openai-compatible': null,
  simulated: null,
};

const EXAMPLES = [
  'ollama:qwen3.5:9b',
  'ollama:qwen3.5:9b@http://host:11434',
  'openai:o3-mini',
  'anthropic:claude-sonnet-4-5',
  'openrouter:qwen/qwen3-coder',
  'llamacpp:http://127.0.0.1:8080',
  'llamacpp:qwen3@http://127.0.0.1:8080',
  'vllm:Qwen/Qwen3-8B@http://127.0.0.1:8000',
  'lmstudio:qwen3-8b',
  'openai-compatible:my-model@http://host:9000/v1',
  'gguf:./model.gguf',
  './model.gguf',
  'hf:OWNER/REPO:Q4_K_M',
  'gguf:https://host/model.gguf',
];

/** The model-id forms, for error messages and help text. */
export const MODEL_ID_EXAMPLES: readonly string[] = EXAMPLES;

function isProvider(value: string): value is ModelProvider {
  return (MODEL_PROVIDERS as readonly string[]).includes(value);
}

function normalizeUrl(url: string, id: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`invalid server URL ${JSON.stringify(url)} in model id ${JSON.stringify(id)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(
      `server URL must be http(s), got ${JSON.stringify(url)} in model id ${JSON.stringify(id)}`,
    );
  }
  return url.replace(/\/+$/, '');
}

/** Splits `model@http(s)://url` at the last `@` that starts a URL. */
function splitUrl(rest: string): { model: string; url: string | null } {
  const at = rest.search(/@https?:\/\/(?!.*@https?:\/\/)/i);
  if (at === -1) return { model: rest, url: null };
  return { model: rest.slice(0, at), url: rest.slice(at + 1) };
}

function canonical(provider: ModelProvider, model: string, baseUrl: string | null): string {
  const fallback = DEFAULT_BASE_URLS[provider];
  return baseUrl === null || baseUrl === fallback
    ? `${provider}:${model}`
    : `${provider}:${model}@${baseUrl}`;
}

/**
 * Parses a model id such as `ollama:qwen3.5:9b`, `vllm:Qwen/Qwen3-8B@http://127.0.0.1:8000`, `llamacpp:http://…`
 * (the model name comes from the server: `default`) or a bare `./model.gguf` path. Throws an error naming the valid
 * providers and forms when the id cannot be understood.
 */
export function parseModelId(rawId: string): ModelSpec {
  // Credentials never travel in the id: they become Basic auth, and every message below names the cleaned id.
  const { id, basicAuth } = withoutUrlCredentials(rawId);
  const trimmed = id.trim();
  if (trimmed.length === 0) {
    throw new Error(`model id is empty; expected one of: ${EXAMPLES.join(', ')}`);
  }
  const colon = trimmed.indexOf(':');
  const prefix = colon === -1 ? '' : trimmed.slice(0, colon).toLowerCase();
  if (!isProvider(prefix)) {
    if (prefix === 'hf') {
      // A Hugging Face GGUF (`hf:OWNER/REPO:QUANT`), downloaded once into the model cache and run in-process.
      return { provider: 'gguf', model: trimmed, baseUrl: null, canonicalId: trimmed };
    }
    if (/\.gguf$/i.test(trimmed)) {
      return { provider: 'gguf', model: trimmed, baseUrl: null, canonicalId: `gguf:${trimmed}` };
    }
    const named =
      colon === -1
        ? 'no provider'
        : `unknown provider ${JSON.stringify(trimmed.slice(0, colon))}${didYouMean(prefix, [...MODEL_PROVIDERS, 'hf'])}`;
    throw new Error(
      `cannot parse model id ${JSON.stringify(id)}: ${named}. Valid providers: ${MODEL_PROVIDERS.join(', ')}. ` +
        `Examples: ${EXAMPLES.join(', ')}`,
    );
  }
  const provider = prefix;
  const rest = trimmed.slice(colon + 1).trim();

  if (provider === 'gguf') {
    if (rest.length === 0) throw new Error(`model id ${JSON.stringify(id)} is missing the .gguf file path`);
    return { provider, model: rest, baseUrl: null, canonicalId: `gguf:${rest}` };
  }

  let { model, url } = splitUrl(rest);
  if (provider === 'llamacpp' && url === null && /^https?:\/\//i.test(rest)) {
    model = 'default';
    url = rest;
  }
  model = model.trim();
  if (model.length === 0) {
    if (provider === 'llamacpp' && url !== null) model = 'default';
    else {
      throw new Error(
        `model id ${JSON.stringify(id)} is missing the model name (e.g. ${EXAMPLES.find((example) => example.startsWith(`${provider}:`)) ?? `${provider}:model@http://host:port`})`,
      );
    }
  }
  const baseUrl = url !== null ? normalizeUrl(url, id) : DEFAULT_BASE_URLS[provider];
  if (baseUrl === null) {
    throw new Error(
      `model id ${JSON.stringify(id)} is missing the server URL: write ${provider}:${model}@http://host:port`,
    );
  }
  return {
    provider,
    model,
    baseUrl,
    canonicalId: canonical(provider, model, baseUrl),
    ...(basicAuth ? { basicAuth } : {}),
  };
}
