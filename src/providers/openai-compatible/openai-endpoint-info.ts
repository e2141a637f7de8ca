import type { JsonObject } from '../../shared/json-values.ts';
import type { EndpointInfo } from '../types.ts';
import { unknownEndpointInfo } from '../unknown-endpoint-info.ts';
import { applyLmStudioModelInfo, lmStudioModelEntry } from './lmstudio-model-info.ts';
import type { OpenAICompatibleFlavour } from './openai-request-body.ts';
import {
  llamaCppPropsSchema,
  type ModelEntry,
  modelEntrySchema,
  modelListSchema,
} from './openai-wire-schemas.ts';

/** A GET's outcome: whether the server answered, its status, and the body when it is a JSON object. */
export interface JsonAnswer {
  reached: boolean;
  status: number | null;
  json: JsonObject | null;
  error?: string;
}

export interface EndpointTarget {
  provider: string;
  model: string;
  flavour: OpenAICompatibleFlavour;
  /** Server root (no `/v1`) and API base (with it). */
  urls: { root: string; api: string };
  getJson: (url: string) => Promise<JsonAnswer>;
}

/** The file name of a model path without `.gguf` (llama.cpp lists a model by its path unless given an alias). */
function modelFileStem(id: string): string {
  return (id.split(/[\\/]/).pop() ?? id).replace(/\.gguf$/i, '');
}

/**
 * The `/v1/models` entry of the requested model: by id, alias or file name. llama-server serves exactly one model
 * and answers to any name, so for it (and for `llamacpp:URL`, whose model is `default`) a lone entry is the one.
 */
function findModelEntry(
  data: ModelEntry[],
  model: string,
  flavour: OpenAICompatibleFlavour,
): ModelEntry | null {
  const named = data.find(
    (candidate) =>
      candidate.id === model ||
      candidate.aliases?.includes(model) ||
      (candidate.id !== undefined && modelFileStem(candidate.id) === modelFileStem(model)),
  );
  if (named) return named;
  if (flavour === 'llamacpp' && data.length === 1) return data[0] ?? null;
  return null;
}

/**
 * What an OpenAI-compatible server says about the model: `/v1/models` (llama.cpp's `meta`, vLLM's
 * `max_model_len`), llama.cpp's `/props` (context, slots, tool support of the chat template), LM Studio's
 * `/api/v0/models`. Whatever is missing becomes a note.
 */
export async function describeOpenAICompatibleEndpoint(target: EndpointTarget): Promise<EndpointInfo> {
  const { provider, model, flavour, urls, getJson } = target;
  const info = unknownEndpointInfo(provider, model);
  const models = await getJson(`${urls.api}/models`);
  if (!models.reached) {
    info.notes.push(`cannot reach ${urls.api}/models: ${models.error}`);
    return info;
  }
  info.reachable = true;
  if (models.status !== 200 || !models.json) {
    info.notes.push(`GET ${urls.api}/models answered HTTP ${models.status}`);
  } else {
    const list = modelListSchema.parse(models.json);
    const data = (list.data ?? []).flatMap((entry) => {
      const parsed = modelEntrySchema.safeParse(entry);
      return parsed.success ? [parsed.data] : [];
    });
    const entry = findModelEntry(data, model, flavour);
    if (!entry) {
      const available = data.map((candidate) => String(candidate.id)).slice(0, 10);
      info.notes.push(
        `model ${model} is not listed by the server${available.length > 0 ? ` (available: ${available.join(', ')})` : ''}`,
      );
    } else {
      // llama-server answers to any name with its one model: report the name it serves.
      if (entry.id !== undefined && entry.id !== model) info.model = entry.id;
      if (entry.max_model_len !== undefined) info.contextLength = entry.max_model_len;
      if (entry.meta) {
        info.maxContextLength = entry.meta.n_ctx_train ?? null;
        info.sizeBytes = entry.meta.size ?? null;
        info.contextLength ??= entry.meta.n_ctx ?? null;
      }
      if (entry.context_length !== undefined) info.maxContextLength ??= entry.context_length;
    }
  }
  if (flavour === 'llamacpp' || flavour === 'generic') await applyLlamaCppProps(info, target);
  if (flavour === 'lmstudio') {
    const native = await getJson(`${urls.root}/api/v0/models/${encodeURIComponent(model)}`);
    const entry = native.status === 200 && native.json ? lmStudioModelEntry(native.json, model) : null;
    if (entry) applyLmStudioModelInfo(info, entry);
    else
      info.notes.push(
        `GET ${urls.root}/api/v0/models/${model} gave no model entry (LM Studio 0.3.6+ has it)`,
      );
  }
  if (info.contextLength === null) info.notes.push('the server did not report its context length');
  return info;
}

/** llama.cpp's `/props`: the context it serves, its parallel slots, and whether its chat template handles tools. */
async function applyLlamaCppProps(info: EndpointInfo, target: EndpointTarget): Promise<void> {
  const props = await target.getJson(`${target.urls.root}/props`);
  if (props.status === 200 && props.json) {
    const parsed = llamaCppPropsSchema.parse(props.json);
    const nCtx = parsed.default_generation_settings?.n_ctx ?? parsed.n_ctx;
    if (nCtx !== undefined) info.contextLength = nCtx;
    info.parallelSlots = parsed.total_slots ?? null;
    const supportsToolCalls = parsed.chat_template_caps?.supports_tool_calls;
    if (supportsToolCalls !== undefined) info.supportsTools = supportsToolCalls;
    else if (parsed.chat_template !== undefined) info.supportsTools = /tool/i.test(parsed.chat_template);
    if (info.supportsTools === false) info.notes.push('the chat template does not handle tools');
  } else if (target.flavour === 'llamacpp') {
    info.notes.push(
      `GET ${target.urls.root}/props ${props.reached ? `answered HTTP ${props.status}` : 'failed'}`,
    );
  }
}
