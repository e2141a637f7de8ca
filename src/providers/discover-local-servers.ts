import { isRecord } from '../shared/json-values.ts';
import { parseModelId } from './model-id.ts';

/**
 * Finds model servers running on this machine at their usual ports (Ollama 11434, llama.cpp 8080, LM Studio 1234,
 * vLLM 8000), with short timeouts, and lists what each serves as model ids ready for `--model`.
 */

/** A server kind discovery knows, and where to look for it. */
export interface LocalServerCandidate {
  provider: 'ollama' | 'llamacpp' | 'lmstudio' | 'vllm';
  /** Root URL of the server, without `/v1`. */
  url: string;
}

/** The usual local ports. */
export const DEFAULT_LOCAL_SERVERS: readonly LocalServerCandidate[] = [
  { provider: 'ollama', url: 'http://127.0.0.1:11434' },
  { provider: 'llamacpp', url: 'http://127.0.0.1:8080' },
  { provider: 'lmstudio', url: 'http://127.0.0.1:1234' },
  { provider: 'vllm', url: 'http://127.0.0.1:8000' },
];

/** Environment variable replacing the usual ports: `ollama=http://host:port,llamacpp=http://host:port,…`. */
export const LOCAL_SERVERS_VARIABLE = 'SHAKEDOWN_LOCAL_SERVERS';

/** Environment variable setting the probe timeout in milliseconds (for slow or loaded machines). */
export const DISCOVERY_TIMEOUT_VARIABLE = 'SHAKEDOWN_DISCOVERY_TIMEOUT_MS';

const NAMES: Record<LocalServerCandidate['provider'], string> = {
  ollama: 'Ollama',
  llamacpp: 'llama.cpp',
  lmstudio: 'LM Studio',
  vllm: 'vLLM',
};

/** A server that answered. */
export interface DiscoveredServer extends LocalServerCandidate {
  /** Display name, e.g. `Ollama`. */
  name: string;
  /** Every model it serves, as model ids. */
  modelIds: string[];
  /** The models to check or run by default: the ones it has loaded (Ollama), else the first it serves. */
  primaryModelIds: string[];
}

/** The candidates to probe: {@link LOCAL_SERVERS_VARIABLE} when set, else {@link DEFAULT_LOCAL_SERVERS}. */
export function localServerCandidates(env: NodeJS.ProcessEnv = process.env): LocalServerCandidate[] {
  const setting = env[LOCAL_SERVERS_VARIABLE]?.trim();
  if (!setting) return [...DEFAULT_LOCAL_SERVERS];
  return setting.split(',').map((entry) => {
    const [provider, url] = entry.split('=').map((part) => part.trim());
    if (!provider || !url || !(provider in NAMES)) {
      throw new Error(
        `${LOCAL_SERVERS_VARIABLE}: expected provider=url entries separated by commas (providers: ${Object.keys(NAMES).join(', ')}), got ${JSON.stringify(entry)}`,
      );
    }
    return { provider: provider as LocalServerCandidate['provider'], url: url.replace(/\/+$/, '') };
  });
}

/** Where discovery looked, for messages: `Ollama http://127.0.0.1:11434, …`. */
export function describeCandidates(candidates: readonly LocalServerCandidate[]): string {
  return candidates.map((candidate) => `${NAMES[candidate.provider]} ${candidate.url}`).join(', ');
}

async function getJson(url: string, timeoutMs: number, fetchImpl: typeof fetch): Promise<unknown> {
  const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

function names(list: unknown, key: string): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => (isRecord(entry) && typeof entry[key] === 'string' ? [entry[key]] : []));
}

/** The canonical id of `provider:model@url` (the URL dropped when it is the provider's default). */
function modelIdOf(provider: string, model: string, url: string): string {
  return parseModelId(`${provider}:${model}@${url}`).canonicalId;
}

async function probe(
  candidate: LocalServerCandidate,
  timeoutMs: number,
  fetchImpl: typeof fetch,
): Promise<DiscoveredServer | null> {
  const { provider, url } = candidate;
  const found = (modelIds: string[], primaryModelIds: string[]): DiscoveredServer => ({
    ...candidate,
    name: NAMES[provider],
    modelIds,
    primaryModelIds: primaryModelIds.length > 0 ? primaryModelIds : modelIds.slice(0, 1),
  });
  try {
    if (provider === 'ollama') {
      const tags = await getJson(`${url}/api/tags`, timeoutMs, fetchImpl);
      const served = names(isRecord(tags) ? tags.models : [], 'name');
      const running = await getJson(`${url}/api/ps`, timeoutMs, fetchImpl)
        .then((ps) => names(isRecord(ps) ? ps.models : [], 'name'))
        .catch(() => []);
      const ids = served.map((name) => modelIdOf('ollama', name, url));
      return found(
        ids,
        running.filter((name) => served.includes(name)).map((name) => modelIdOf('ollama', name, url)),
      );
    }
    const models = await getJson(`${url}/v1/models`, timeoutMs, fetchImpl);
    const served = names(isRecord(models) ? models.data : [], 'id');
    if (provider === 'llamacpp') {
      // llama-server serves one model, whatever name it reports.
      return found([parseModelId(`llamacpp:${url}`).canonicalId], []);
    }
    // LM Studio lists its embedding models too; they cannot chat.
    const chat = served.filter((name) => !/embed/i.test(name));
    return found(
      chat.map((name) => modelIdOf(provider, name, `${url}/v1`)),
      [],
    );
  } catch {
    return null;
  }
}

/** Options of {@link discoverLocalServers}. */
export interface DiscoverOptions {
  /** Where to look (default: {@link localServerCandidates} of `env`). */
  candidates?: readonly LocalServerCandidate[];
  env?: NodeJS.ProcessEnv;
  /** Longest one probe may take (default: `SHAKEDOWN_DISCOVERY_TIMEOUT_MS`, else 1500 ms; a local server answers at once). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Probes every candidate at once; returns the servers that answered and serve at least one model, in order. */
export async function discoverLocalServers(options: DiscoverOptions = {}): Promise<DiscoveredServer[]> {
  const env = options.env ?? process.env;
  const candidates = options.candidates ?? localServerCandidates(env);
  const timeoutMs = options.timeoutMs ?? (Number(env[DISCOVERY_TIMEOUT_VARIABLE]) || 1500);
  const fetchImpl = options.fetch ?? fetch;
  const results = await Promise.all(candidates.map((candidate) => probe(candidate, timeoutMs, fetchImpl)));
  return results.filter(
    (server): server is DiscoveredServer => server !== null && server.modelIds.length > 0,
  );
}

/** What to do when no model is given and no local server answered, one option a line. */
export function noModelServerHelp(candidates: readonly LocalServerCandidate[]): string {
  return [
    `no model given, and no local model server answered (looked at ${describeCandidates(candidates)}). Options:`,
    '  npx shakedown demo                          see shakedown work now, without a model (SIMULATED)',
    '  --model ollama:qwen3.5:9b                   after `ollama pull qwen3.5:9b` (Ollama running)',
    '  --model llamacpp:http://127.0.0.1:8080      a running llama-server',
    '  --model hf:OWNER/REPO:Q4_K_M                downloads a GGUF once and runs it in-process, no server',
    '  --model openai:o3-mini                      an API (OPENAI_API_KEY; also anthropic:, openrouter:)',
  ].join('\n');
}
