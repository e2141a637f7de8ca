/**
 * Short display labels of a run's models. A `label:` set in shakedown.yaml is kept as written; otherwise the label
 * is derived from the model id with URLs, credentials and paths stripped (`llamacpp:http://gpu-box:8080` →
 * `llamacpp@gpu-box:8080`, `ollama:qwen3.5:9b@http://10.0.0.5:11434` → `qwen3.5:9b`), lengthened only as far as
 * needed to keep the labels of one run unique. A run with an external agent names it: `qwen3.5:9b in aider`.
 */

/** A model as the store lists it: its id and its stored label (the id itself when none was configured). */
export interface LabelledModel {
  modelId: string;
  label: string;
}

interface IdParts {
  provider: string;
  /** The model name, '' when the id names only a server. */
  name: string;
  /** `host:port` of the server, '' when none. */
  host: string;
}

const URL_PATTERN = /^https?:\/\/(?:[^@/]*@)?([^/?#]+)/i;

function hostOf(url: string): string {
  return URL_PATTERN.exec(url)?.[1] ?? '';
}

function partsOf(modelId: string): IdParts {
  const colon = modelId.indexOf(':');
  const provider = colon === -1 ? '' : modelId.slice(0, colon);
  const rest = colon === -1 ? modelId : modelId.slice(colon + 1);
  if (/^https?:\/\//i.test(rest)) return { provider, name: '', host: hostOf(rest) };
  const at = rest.search(/@https?:\/\//i);
  const name = at === -1 ? rest : rest.slice(0, at);
  const host = at === -1 ? '' : hostOf(rest.slice(at + 1));
  if (provider === 'gguf' || /\.gguf$/i.test(name)) {
    const file = name.split(/[\\/]/).at(-1) ?? name;
    return { provider: 'gguf', name: file.replace(/\.gguf$/i, ''), host: '' };
  }
  return { provider, name, host };
}

/** Candidate labels of an id, shortest first. */
function candidatesOf(modelId: string): string[] {
  const { provider, name, host } = partsOf(modelId);
  const server = host === '' ? provider : `${provider}@${host}`;
  if (name === '') return [server, `${server} (${modelId.replace(/\/\/[^@/]*@/, '//')})`];
  const prefixed = provider === '' ? name : `${provider}:${name}`;
  return [
    name,
    prefixed,
    host === '' ? prefixed : `${prefixed}@${host}`,
    modelId.replace(/\/\/[^@/]*@/, '//'),
  ];
}

/** The short name of an external agent label (`external (preset aider)` → `aider`); null for the built-in agent. */
export function shortAgentName(agent: string | undefined): string | null {
  if (agent === undefined || agent === 'built-in') return null;
  const preset = /^external \(preset (.+)\)$/.exec(agent);
  if (preset) return preset[1] ?? agent;
  return agent.startsWith('external (command') ? 'external command' : agent;
}

/**
 * Display labels by model id: configured labels as written, derived ones as short as uniqueness allows, with the
 * external agent appended when `agent` names one.
 */
export function shortModelLabels(models: readonly LabelledModel[], agent?: string): Map<string, string> {
  const configured = new Map(
    models.filter((model) => model.label !== model.modelId).map((model) => [model.modelId, model.label]),
  );
  const candidates = new Map(models.map((model) => [model.modelId, candidatesOf(model.modelId)]));
  const level = new Map(models.map((model) => [model.modelId, 0]));
  const labelOf = (modelId: string) => {
    const list = candidates.get(modelId) ?? [modelId];
    return configured.get(modelId) ?? list[Math.min(level.get(modelId) ?? 0, list.length - 1)] ?? modelId;
  };
  for (let round = 0; round < 4; round++) {
    const byLabel = new Map<string, string[]>();
    for (const model of models) {
      const label = labelOf(model.modelId);
      byLabel.set(label, [...(byLabel.get(label) ?? []), model.modelId]);
    }
    const clashing = [...byLabel.values()].filter((ids) => ids.length > 1).flat();
    if (clashing.length === 0) break;
    for (const modelId of clashing) {
      if (!configured.has(modelId)) level.set(modelId, (level.get(modelId) ?? 0) + 1);
    }
  }
  const agentName = shortAgentName(agent);
  return new Map(
    models.map((model) => [
      model.modelId,
      agentName === null ? labelOf(model.modelId) : `${labelOf(model.modelId)} in ${agentName}`,
    ]),
  );
}
