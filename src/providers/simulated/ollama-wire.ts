import type { ServerResponse } from 'node:http';
import { isRecord, type JsonObject } from '../../shared/json-values.ts';
import type { SimulatedEndpoint, SimulatedTurn } from './script.ts';
import { estimateTokens } from './token-estimate.ts';
import {
  argumentsText,
  countRequestCharacters,
  deliverToolCalls,
  splitIntoChunks,
  writeFlushed,
} from './tool-call-delivery.ts';
import { sendJson, sleep, type WireContext } from './wire-context.ts';
import { answerUpfrontFault, answerWholeResponseFault, retryAfterHeaders } from './wire-faults.ts';

/**
 * Ollama's native API as the real server speaks it, simulated from a script: `/api/chat` streaming NDJSON with
 * whole tool calls (object arguments), nanosecond durations, `done_reason` "stop" even after tool calls, errors as
 * `{"error":…}` (also inside a 200 stream), and silent prompt truncation at `num_ctx`. Info routes: `/api/show`,
 * `/api/ps`, `/api/tags`, `/api/version`. Every answer carries the simulated header.
 */

const DEFAULT_CHUNK_SIZE = 8;
const NANOSECONDS_PER_MILLISECOND = 1_000_000;
const SIMULATED_VERSION = '0.12.6';
const SIMULATED_DIGEST = `sha256:${'51'.repeat(32)}`;
let callCounter = 0;

/** Ollama (Go, gin) answers JSON with the charset, as the recorded answers show. */
const JSON_CONTENT_TYPE = { 'content-type': 'application/json; charset=utf-8' };

function sendOllamaJson(response: ServerResponse, status: number, body: unknown, headers = {}): void {
  sendJson(response, status, body, { ...JSON_CONTENT_TYPE, ...headers });
}

function sendError(
  response: ServerResponse,
  status: number,
  message: string,
  retryAfterSeconds?: number,
): void {
  sendOllamaJson(response, status, { error: message }, retryAfterHeaders(retryAfterSeconds));
}

/** `qwen3.5:9b` and `qwen3.5:9b:latest`-style names: a name without a tag means `:latest`. */
function sameModel(requested: string, served: string): boolean {
  const withTag = (name: string) => (name.includes(':') ? name : `${name}:latest`);
  return withTag(requested) === withTag(served);
}

function parameterCount(parameterSize: string): number {
  const match = /^([\d.]+)\s*([KMBT]?)$/i.exec(parameterSize.trim());
  if (!match) return 0;
  const scale: Record<string, number> = { '': 1, K: 1e3, M: 1e6, B: 1e9, T: 1e12 };
  return Math.round(Number(match[1]) * (scale[match[2].toUpperCase()] ?? 1));
}

function details(endpoint: SimulatedEndpoint): JsonObject {
  return {
    parent_model: '',
    format: 'gguf',
    family: 'qwen3',
    families: ['qwen3'],
    parameter_size: endpoint.parameterSize,
    quantization_level: endpoint.quantization,
  };
}

interface ChatPlan {
  model: string;
  /** The context the request runs with and the prompt tokens it asked for (before any truncation). */
  numCtx: number;
  requestedPromptTokens: number;
  promptTokens: number;
  completionTokens: number;
  promptNs: number;
  evalNs: number;
  loadNs: number;
  doneReason: string;
}

function planChat(context: WireContext, renderedCharacters: number): ChatPlan {
  const { request, turn, endpoint } = context;
  const body = isRecord(request.body) ? request.body : {};
  const options = isRecord(body.options) ? body.options : {};
  const numCtx =
    typeof options.num_ctx === 'number' && options.num_ctx > 0 ? options.num_ctx : endpoint.contextLength;
  const requestedPrompt = turn.usage?.promptTokens ?? estimateTokens(countRequestCharacters(body));
  // Ollama silently truncates a prompt longer than num_ctx and evaluates only num_ctx tokens: no error.
  const promptTokens = Math.min(requestedPrompt, numCtx);
  const completionTokens = turn.usage?.completionTokens ?? estimateTokens(renderedCharacters);
  const promptMs = turn.serverTimings?.promptMs ?? promptTokens; // 1000 tokens/s
  const predictedMs = turn.serverTimings?.predictedMs ?? completionTokens * 20; // 50 tokens/s
  return {
    model: typeof body.model === 'string' ? body.model : endpoint.model,
    numCtx,
    requestedPromptTokens: requestedPrompt,
    promptTokens,
    completionTokens,
    promptNs: Math.round(promptMs * NANOSECONDS_PER_MILLISECOND),
    evalNs: Math.round(predictedMs * NANOSECONDS_PER_MILLISECOND),
    loadNs: Math.round((turn.serverTimings?.loadMs ?? 0) * NANOSECONDS_PER_MILLISECOND),
    doneReason: turn.finishReason ?? 'stop',
  };
}

/** Ollama's own refusal when the prompt does not fit and shifting is off (llm/llama_server.go). */
export const OLLAMA_PROMPT_TOO_LONG =
  'the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length';

/**
 * A prompt longer than num_ctx is silently truncated (the default) unless the request turns that off: with
 * `truncate: false` the llama.cpp runner's refusal comes back as a JSON string inside Ollama's `error`; with
 * `shift: false` Ollama's own message. The error string, or null when the prompt fits or is truncated.
 */
function contextOverflowError(body: JsonObject, plan: ChatPlan): string | null {
  if (plan.requestedPromptTokens <= plan.numCtx) return null;
  if (body.truncate === false) {
    return JSON.stringify({
      error: {
        code: 400,
        message: `request (${plan.requestedPromptTokens} tokens) exceeds the available context size (${plan.numCtx} tokens), try increasing it`,
        type: 'exceed_context_size_error',
        n_prompt_tokens: plan.requestedPromptTokens,
        n_ctx: plan.numCtx,
      },
    });
  }
  return body.shift === false ? OLLAMA_PROMPT_TOO_LONG : null;
}

function finalFields(plan: ChatPlan): JsonObject {
  return {
    done: true,
    done_reason: plan.doneReason,
    total_duration: plan.loadNs + plan.promptNs + plan.evalNs,
    load_duration: plan.loadNs,
    prompt_eval_count: plan.promptTokens,
    prompt_eval_duration: plan.promptNs,
    eval_count: plan.completionTokens,
    eval_duration: plan.evalNs,
  };
}

/** Answers POST /api/chat from the scripted turn, streaming NDJSON unless the request says `stream: false`. */
export async function handleOllamaChat(context: WireContext): Promise<void> {
  const { request, response, turn, endpoint } = context;
  const fault = turn.fault;
  const sendWireError = (status: number, message: string, retryAfterSeconds?: number) =>
    sendError(response, status, message, retryAfterSeconds);
  if (answerUpfrontFault(fault, sendWireError)) return;
  const body = isRecord(request.body) ? request.body : null;
  if (!body || typeof body.model !== 'string' || !Array.isArray(body.messages)) {
    sendError(response, 400, 'invalid request: model and messages are required');
    return;
  }
  if (!sameModel(body.model, endpoint.model)) {
    sendError(response, 404, `model '${body.model}' not found`);
    return;
  }
  const think = body.think === true;
  // With `think` unset, thinking models still think and older servers leave the thinking in the content.
  const delivered = deliverToolCalls(turn, think);
  let content = delivered.content;
  let thinking = delivered.reasoning;
  if (!think && thinking.length > 0) {
    content = body.think === false ? content : `<think>\n${thinking}\n</think>\n\n${content}`;
    thinking = '';
  }
  const toolCalls = delivered.nativeCalls.map((call, index) => {
    callCounter += 1;
    return {
      id: call.id ?? `call_${callCounter.toString(36).padStart(8, '0')}`,
      function: { index, name: call.name, arguments: call.arguments },
    };
  });
  const argumentCharacters = delivered.nativeCalls.reduce(
    (sum, call) => sum + call.name.length + argumentsText(call).length,
    0,
  );
  const plan = planChat(context, content.length + thinking.length + argumentCharacters);
  const overflow = contextOverflowError(body, plan);
  if (overflow) {
    sendError(response, 400, overflow);
    return;
  }
  const createdAt = () => new Date().toISOString();
  await sleep(turn.firstTokenDelayMs ?? 0);

  if (body.stream === false) {
    if (answerWholeResponseFault(fault, response, 500, sendWireError)) return;
    const message: JsonObject = { role: 'assistant', content };
    if (thinking.length > 0) message.thinking = thinking;
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    sendOllamaJson(response, 200, {
      model: plan.model,
      created_at: createdAt(),
      message,
      ...finalFields(plan),
    });
    return;
  }

  const lines = planStreamLines(turn, thinking, content, toolCalls);
  response.writeHead(200, { 'content-type': 'application/x-ndjson' });
  let sent = 0;
  for (const message of lines) {
    if (fault?.kind === 'drop-connection' && sent >= fault.afterChunks) {
      response.destroy();
      return;
    }
    if (fault?.kind === 'error-in-stream' && sent >= fault.afterChunks) {
      response.end(`${JSON.stringify({ error: fault.message })}\n`);
      return;
    }
    if (sent > 0) await sleep(turn.chunkDelayMs ?? 0);
    await writeFlushed(
      response,
      `${JSON.stringify({ model: plan.model, created_at: createdAt(), message, done: false })}\n`,
    );
    sent += 1;
  }
  if (fault?.kind === 'drop-connection') {
    response.destroy();
    return;
  }
  if (fault?.kind === 'error-in-stream') {
    response.end(`${JSON.stringify({ error: fault.message })}\n`);
    return;
  }
  const final = { model: plan.model, created_at: createdAt(), message: { role: 'assistant', content: '' } };
  response.end(`${JSON.stringify({ ...final, ...finalFields(plan) })}\n`);
}

function planStreamLines(
  turn: SimulatedTurn,
  thinking: string,
  content: string,
  toolCalls: JsonObject[],
): JsonObject[] {
  const size = turn.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const lines: JsonObject[] = [];
  if (thinking.length > 0) {
    for (const piece of splitIntoChunks(thinking, size))
      lines.push({ role: 'assistant', content: '', thinking: piece });
  }
  if (content.length > 0) {
    for (const piece of splitIntoChunks(content, size)) lines.push({ role: 'assistant', content: piece });
  }
  // Ollama parses tool calls itself and sends them whole, in one message chunk.
  if (toolCalls.length > 0) lines.push({ role: 'assistant', content: '', tool_calls: toolCalls });
  return lines;
}

/** Answers Ollama's info routes: POST /api/show, GET /api/ps, GET /api/tags, GET /api/version. */
export async function handleOllamaInfo(context: WireContext): Promise<void> {
  const { request, response, endpoint } = context;
  const route = `${request.method} ${request.path}`;
  const expiresAt = new Date(Date.now() + 5 * 60_000).toISOString();
  switch (route) {
    case 'POST /api/show': {
      const body = isRecord(request.body) ? request.body : {};
      const requested =
        typeof body.model === 'string' ? body.model : typeof body.name === 'string' ? body.name : '';
      if (!sameModel(requested, endpoint.model)) {
        sendError(response, 404, `model '${requested}' not found`);
        return;
      }
      const capabilities = ['completion', ...(endpoint.supportsTools ? ['tools'] : []), 'thinking'];
      sendOllamaJson(response, 200, {
        license: 'Apache License 2.0 (simulated)',
        modelfile: `# Modelfile generated by "ollama show" (simulated)\nFROM ${endpoint.model}\nPARAMETER num_ctx ${endpoint.contextLength}\n`,
        parameters: [
          `num_ctx                        ${endpoint.contextLength}`,
          'repeat_penalty                 1',
          'stop                           "<|im_start|>"',
          'stop                           "<|im_end|>"',
          'temperature                    0.6',
          'top_k                          20',
          'top_p                          0.95',
        ].join('\n'),
        template:
          '{{- if .Tools }}<|im_start|>system\n# Tools\n{{- range .Tools }}{{ . }}{{ end }}<|im_end|>\n{{ end }}' +
          '{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n',
        details: details(endpoint),
        model_info: {
          'general.architecture': 'qwen3',
          'general.parameter_count': parameterCount(endpoint.parameterSize),
          'general.file_type': 15,
          'qwen3.context_length': endpoint.maxContextLength,
          'qwen3.block_count': 36,
        },
        capabilities,
        modified_at: new Date(0).toISOString(),
      });
      return;
    }
    case 'GET /api/ps':
      sendOllamaJson(response, 200, {
        models: [
          {
            name: endpoint.model,
            model: endpoint.model,
            size: endpoint.sizeBytes,
            digest: SIMULATED_DIGEST,
            details: details(endpoint),
            expires_at: expiresAt,
            size_vram: endpoint.sizeVramBytes,
            context_length: endpoint.contextLength,
          },
        ],
      });
      return;
    case 'GET /api/tags':
      sendOllamaJson(response, 200, {
        models: [
          {
            name: endpoint.model,
            model: endpoint.model,
            modified_at: new Date(0).toISOString(),
            size: endpoint.sizeBytes,
            digest: SIMULATED_DIGEST,
            details: details(endpoint),
          },
        ],
      });
      return;
    case 'GET /api/version':
      sendOllamaJson(response, 200, { version: SIMULATED_VERSION });
      return;
    default:
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('404 page not found');
  }
}
