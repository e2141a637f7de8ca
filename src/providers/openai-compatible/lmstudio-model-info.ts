import { isRecord, type JsonObject, numberOrNull } from '../../shared/json-values.ts';
import type { EndpointInfo } from '../types.ts';

/**
 * What LM Studio's own REST API says about a model (`GET /api/v0/models/{model}`, LM Studio 0.3.6+): its OpenAI
 * `/v1/models` gives no context length, this does. `max_context_length` is the model's trained maximum (documented);
 * `loaded_context_length`, sent by newer servers for a loaded model, is the context it really runs with. `state` says
 * whether it is loaded; `quantization` names the quantization.
 */
export function applyLmStudioModelInfo(info: EndpointInfo, entry: JsonObject): void {
  const maxContextLength = numberOrNull(entry.max_context_length);
  const loadedContextLength = numberOrNull(entry.loaded_context_length);
  if (maxContextLength !== null) info.maxContextLength = maxContextLength;
  if (typeof entry.quantization === 'string') info.quantization ??= entry.quantization;
  if (loadedContextLength !== null) {
    info.contextLength = loadedContextLength;
  } else if (entry.state === 'loaded') {
    info.notes.push(
      'LM Studio did not say which context the loaded model runs with (no loaded_context_length); it may be below the maximum',
    );
  } else {
    info.notes.push(
      `the model is not loaded (state ${String(entry.state ?? 'unknown')}): LM Studio picks its context when it loads it`,
    );
  }
}

/** The model's entry in an `/api/v0/models` list answer or the single-model answer, or null. */
export function lmStudioModelEntry(json: JsonObject, model: string): JsonObject | null {
  if (Array.isArray(json.data)) {
    const found = json.data.find((entry) => isRecord(entry) && entry.id === model);
    return isRecord(found) ? found : null;
  }
  return json.id === model ? json : null;
}
