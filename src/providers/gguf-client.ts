import { stat } from 'node:fs/promises';
import {
  type ChatHistoryItem,
  type ChatModelFunctionCall,
  type ChatModelFunctions,
  type ChatModelResponse,
  type GbnfJsonSchema,
  getLlama,
  type Llama,
  LlamaChat,
  type LlamaContext,
  LlamaLogLevel,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import { type GgufMetadata, readGgufMetadata } from '../gguf/gguf-reader.ts';
import { ContextLengthExceededError } from './context-length-error.ts';
import { assembleStepResult } from './step-result-assembly.ts';
import { normalizeAssistantOutput } from './tool-call-recovery.ts';
import type {
  EndpointInfo,
  FinishReason,
  Message,
  ModelClient,
  ModelIssue,
  StepRequest,
  StepResult,
  ToolCall,
  ToolDefinition,
} from './types.ts';
import { unknownEndpointInfo } from './unknown-endpoint-info.ts';

/** Options of {@link createGgufClient}. */
export interface GgufClientOptions {
  /** Path of the `.gguf` file to run in-process. */
  modelPath: string;
  /** CPU threads for evaluation (default: one fewer than the CPU's math cores, at least 1). */
  threads?: number;
  /** Context window to allocate (default: the model's trained context, capped at 8192). */
  contextSize?: number;
  /**
   * `'auto'` (default) offloads to a GPU (CUDA, Vulkan, Metal) when there is one and its prebuilt binaries load,
   * else runs on the CPU; `false` runs on the CPU only.
   */
  gpu?: false | 'auto';
  /** Output token limit when a request gives none (default 1024). */
  maxTokensDefault?: number;
  /** Sampling seed when a request gives none. */
  seed?: number;
}

const DEFAULT_CONTEXT_CAP = 8192;
const DEFAULT_MAX_TOKENS = 1024;

const llamaInstances = new Map<string, Promise<Llama>>();

/** The compute backend an embedded model runs on. */
export type GgufBackend = 'cuda' | 'vulkan' | 'metal' | 'cpu';

/** The backend of a loaded `Llama`: its GPU type, or `cpu`. */
export function backendOf(llama: Pick<Llama, 'gpu'>): GgufBackend {
  return llama.gpu === false ? 'cpu' : llama.gpu;
}

/** node-llama-cpp's prebuilt binaries only: never builds from source nor downloads anything. */
function loadPrebuiltLlama(gpu: false | 'auto'): Promise<Llama> {
  return getLlama({
    gpu,
    build: 'never',
    skipDownload: true,
    usePrebuiltBinaries: true,
    progressLogs: false,
    logLevel: LlamaLogLevel.error,
  });
}

/**
 * Loads llama.cpp's bindings for `gpu`. With `'auto'`, node-llama-cpp picks CUDA, Vulkan or Metal when the machine
 * has one and falls back to the CPU itself; should that GPU start still fail (a prebuilt binary missing or not
 * loading), `warn` gets one line and the CPU bindings are loaded instead.
 */
export async function loadLlama(
  gpu: false | 'auto',
  load: (gpu: false | 'auto') => Promise<Llama> = loadPrebuiltLlama,
  warn: (message: string) => void = (message) => process.stderr.write(`warning: ${message}\n`),
): Promise<Llama> {
  if (gpu === false) return load(false);
  try {
    return await load('auto');
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    warn(`GPU backend for embedded GGUF models failed to start (${reason}); running on the CPU`);
    return load(false);
  }
}

/** One `Llama` per GPU setting for the whole process. */
function sharedLlama(gpu: false | 'auto'): Promise<Llama> {
  const key = String(gpu);
  let instance = llamaInstances.get(key);
  if (!instance) {
    instance = loadLlama(gpu);
    instance.catch(() => llamaInstances.delete(key));
    llamaInstances.set(key, instance);
  }
  return instance;
}

/**
 * Evaluation threads when none are given: one fewer than the math cores, leaving one for Node's main thread
 * (whatever the backend: on a GPU the threads only feed it). node-llama-cpp's CPU-only default is at least 4, which on a 2-core machine oversubscribes the spinning ggml
 * workers and cut decoding of a tiny model from ~2,000 to ~7 tokens/s.
 */
function defaultThreads(llama: Llama): number {
  return Math.max(1, llama.cpuMathCores - 1);
}

interface LoadedModel {
  model: LlamaModel;
  context: LlamaContext;
  chat: LlamaChat;
}

/** Converts our conversation to node-llama-cpp's chat history; tool results become their calls' results. */
export function toChatHistory(messages: readonly Message[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const pendingCalls = new Map<string, ChatModelFunctionCall>();
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        history.push({ type: 'system', text: message.content });
        break;
      case 'user':
        history.push({ type: 'user', text: message.content });
        break;
      case 'assistant': {
        const response: ChatModelResponse['response'] = [];
        if (message.reasoning) {
          response.push({ type: 'segment', segmentType: 'thought', text: message.reasoning, ended: true });
        }
        if (message.content) response.push(message.content);
        (message.toolCalls ?? []).forEach((call, index) => {
          const functionCall: ChatModelFunctionCall = {
            type: 'functionCall',
            name: call.name,
            params: call.arguments,
            result: '',
            startsNewChunk: index === 0,
          };
          pendingCalls.set(call.id, functionCall);
          response.push(functionCall);
        });
        history.push({ type: 'model', response });
        break;
      }
      case 'tool': {
        const call = pendingCalls.get(message.toolCallId);
        if (!call) {
          throw new Error(
            `Tool result for "${message.toolName}" refers to call id "${message.toolCallId}", which no earlier assistant message made`,
          );
        }
        call.result = message.isError ? `Error: ${message.content}` : message.content;
        pendingCalls.delete(message.toolCallId);
        break;
      }
      default:
        throw new Error(`Unknown message role: ${String((message as { role: unknown }).role)}`);
    }
  }
  return history;
}

/** Our tool definitions as node-llama-cpp functions, without handlers: a call ends generation and comes back. */
export function toChatFunctions(tools: readonly ToolDefinition[]): ChatModelFunctions {
  const functions: Record<string, { description: string; params: GbnfJsonSchema }> = {};
  for (const tool of tools) {
    if (!tool.name) throw new Error('Tool definition without a name');
    functions[tool.name] = { description: tool.description, params: tool.parameters as GbnfJsonSchema };
  }
  return functions;
}

/** Maps node-llama-cpp function calls to our ToolCalls (server-parsed, native); `nextId` names each call. */
export function toToolCalls(
  calls: readonly { functionName: string; params: unknown }[],
  nextId: () => string,
): ToolCall[] {
  return calls.map((call) => {
    const params = call.params ?? {};
    const isObject = typeof params === 'object' && params !== null && !Array.isArray(params);
    return {
      id: nextId(),
      name: call.functionName,
      arguments: isObject ? (params as Record<string, unknown>) : {},
      rawArguments: JSON.stringify(params),
      origin: 'server-parsed',
      format: 'native',
      ...(isObject ? {} : { argumentsError: 'Function call parameters are not a JSON object' }),
    };
  });
}

/** Maps node-llama-cpp's stop reason to our finish reason. */
export function mapStopReason(stopReason: string): FinishReason {
  switch (stopReason) {
    case 'eogToken':
    case 'stopGenerationTrigger':
    case 'customStopTrigger':
      return 'stop';
    case 'maxTokens':
      return 'length';
    case 'functionCalls':
      return 'tool-calls';
    default:
      return 'other';
  }
}

/** Formats a parameter count the way Ollama does (`7.6B`, `350M`, `26.4K`). */
export function formatParameterCount(count: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, unit] of units) {
    if (count >= size) return `${Number((count / size).toFixed(1))}${unit}`;
  }
  return String(count);
}

/**
 * A model client that runs a GGUF model in-process with node-llama-cpp (provider `gguf`). The model and its
 * context load lazily on the first step and are reused; we keep control of the agent loop: tools are offered as
 * functions without handlers, so a function call ends the turn and is returned as a ToolCall.
 */
export function createGgufClient(options: GgufClientOptions): ModelClient {
  if (!options.modelPath) throw new Error('createGgufClient: modelPath is required');
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
    throw new RangeError(`createGgufClient: threads must be a positive integer, got ${options.threads}`);
  }
  if (
    options.contextSize !== undefined &&
    (!Number.isInteger(options.contextSize) || options.contextSize < 16)
  ) {
    throw new RangeError(
      `createGgufClient: contextSize must be an integer >= 16, got ${options.contextSize}`,
    );
  }
  const modelPath = options.modelPath;
  const gpu = options.gpu ?? 'auto';
  const maxTokensDefault = options.maxTokensDefault ?? DEFAULT_MAX_TOKENS;
  let loading: Promise<LoadedModel> | null = null;
  let metadataPromise: Promise<GgufMetadata> | null = null;
  let callCounter = 0;

  const metadata = () => {
    metadataPromise ??= readGgufMetadata(modelPath);
    metadataPromise.catch(() => {
      metadataPromise = null;
    });
    return metadataPromise;
  };

  const resolveContextSize = (fileMetadata: GgufMetadata) =>
    options.contextSize ?? Math.min(fileMetadata.contextLength ?? DEFAULT_CONTEXT_CAP, DEFAULT_CONTEXT_CAP);

  const load = async (): Promise<LoadedModel> => {
    let fileMetadata: GgufMetadata;
    try {
      fileMetadata = await metadata();
    } catch (error) {
      throw new Error(`Cannot load GGUF model ${modelPath}: ${(error as Error).message}`, { cause: error });
    }
    const llama = await sharedLlama(gpu);
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath, gpuLayers: llama.gpu === false ? 0 : 'auto' });
    } catch (error) {
      throw new Error(`Cannot load GGUF model ${modelPath}: ${(error as Error).message}`, { cause: error });
    }
    try {
      const context = await model.createContext({
        contextSize: resolveContextSize(fileMetadata),
        sequences: 1,
        threads: options.threads ?? defaultThreads(llama),
      });
      const chat = new LlamaChat({ contextSequence: context.getSequence(), autoDisposeSequence: true });
      return { model, context, chat };
    } catch (error) {
      await model.dispose();
      throw new Error(`Cannot create a context for GGUF model ${modelPath}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };

  const loaded = () => {
    loading ??= load();
    loading.catch(() => {
      loading = null;
    });
    return loading;
  };

  const step = async (request: StepRequest): Promise<StepResult> => {
    const startedAt = performance.now();
    const { chat, context } = await loaded();
    const loadedAt = performance.now();
    const sequence = chat.sequence;
    const history = toChatHistory(request.messages);
    const tools = request.toolChoice === 'none' ? [] : (request.tools ?? []);
    const functions = tools.length > 0 ? toChatFunctions(tools) : undefined;

    const promptState = chat.chatWrapper.generateContextState({
      chatHistory: [...history, { type: 'model', response: [] }],
      availableFunctions: functions,
    });
    const promptTokens = promptState.contextText.tokenize(chat.model.tokenizer);
    const contextSize = context.contextSize;
    if (promptTokens.length + 1 >= contextSize) {
      throw new ContextLengthExceededError(
        `Prompt of ${promptTokens.length} tokens does not fit the ${contextSize}-token context of ${modelPath}`,
        contextSize,
      );
    }
    const cachedTokens = Math.min(
      sequence.compareContextTokens(promptTokens).firstDifferentIndex,
      promptTokens.length,
    );
    const requestedMaxTokens = request.maxOutputTokens ?? maxTokensDefault;
    const maxTokens = Math.max(1, Math.min(requestedMaxTokens, contextSize - promptTokens.length - 1));
    const meterBefore = sequence.tokenMeter.getState();

    let firstTokenAt: number | null = null;
    const markFirstToken = (tokens: readonly Token[]) => {
      if (firstTokenAt === null && tokens.length > 0) firstTokenAt = performance.now();
    };
    const seed = request.seed ?? options.seed;
    const response = await chat.generateResponse(history, {
      maxTokens,
      temperature: request.temperature ?? 0,
      ...(request.topP !== undefined ? { topP: request.topP } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.stop && request.stop.length > 0 ? { customStopTriggers: request.stop } : {}),
      ...(functions ? { functions, maxParallelFunctionCalls: 8 } : {}),
      contextShift: {
        strategy: () => {
          throw new ContextLengthExceededError(
            `Conversation no longer fits the ${contextSize}-token context of ${modelPath}`,
            contextSize,
          );
        },
      },
      onResponseChunk: (chunk) => {
        markFirstToken(chunk.tokens);
        if (chunk.text && request.onDelta) {
          request.onDelta({ kind: chunk.type === 'segment' ? 'reasoning' : 'text', text: chunk.text });
        }
      },
      onFunctionCallParamsChunk: (chunk) => {
        if (firstTokenAt === null && chunk.paramsChunk.length > 0) firstTokenAt = performance.now();
      },
    });
    const endedAt = performance.now();
    const meter = sequence.tokenMeter.diff(meterBefore);

    const reasoning = response.fullResponse
      .filter((item) => typeof item !== 'string' && item.segmentType === 'thought')
      .map((item) => (typeof item === 'string' ? item : item.text))
      .join('');
    const toolCalls = toToolCalls(response.functionCalls ?? [], () => {
      callCounter += 1;
      return `call_${callCounter}`;
    });
    const normalized = normalizeAssistantOutput(
      { text: response.response, reasoning, toolCalls },
      { knownTools: tools.map((tool) => tool.name) },
    );
    const rawFinishReason = response.metadata.stopReason;
    const finishReason =
      normalized.toolCalls.length > 0 && rawFinishReason !== 'maxTokens'
        ? 'tool-calls'
        : mapStopReason(rawFinishReason);
    const issues: ModelIssue[] = [...normalized.issues];
    if (finishReason === 'length') {
      issues.push({ kind: 'truncated', message: `Output stopped at the ${maxTokens}-token limit` });
    }

    const outputTokens = meter.usedOutputTokens;
    const evaluatedPromptTokens = Math.max(0, promptTokens.length - cachedTokens);
    const prefillMs = firstTokenAt !== null ? firstTokenAt - loadedAt : null;
    const decodeMs = firstTokenAt !== null ? endedAt - firstTokenAt : null;
    return assembleStepResult(normalized, {
      finishReason,
      rawFinishReason,
      usage: {
        inputTokens: promptTokens.length,
        cachedInputTokens: cachedTokens,
        outputTokens,
        reasoningTokens: 0,
        source: 'server',
      },
      timings: {
        timeToFirstTokenMs: firstTokenAt !== null ? firstTokenAt - startedAt : null,
        prefillTokensPerSecond:
          prefillMs !== null && prefillMs > 0 && evaluatedPromptTokens > 0
            ? (evaluatedPromptTokens * 1000) / prefillMs
            : null,
        decodeTokensPerSecond:
          decodeMs !== null && decodeMs > 0 && outputTokens > 1
            ? ((outputTokens - 1) * 1000) / decodeMs
            : null,
        prefillMs,
        decodeMs,
        wallMs: endedAt - startedAt,
        loadMs: null,
        sources: {
          timeToFirstToken: firstTokenAt !== null ? 'measured' : 'unavailable',
          prefill: prefillMs !== null ? 'measured' : 'unavailable',
          decode: decodeMs !== null ? 'measured' : 'unavailable',
        },
      },
      issues,
      provider: 'gguf',
      model: modelPath,
      simulated: false,
    });
  };

  const describe = async (): Promise<EndpointInfo> => {
    const info = unknownEndpointInfo('gguf', modelPath, { parallelSlots: 1, supportsTools: true });
    try {
      const file = await stat(modelPath);
      info.reachable = file.isFile();
      info.sizeBytes = file.size;
    } catch (error) {
      info.notes.push(`Model file not readable: ${(error as Error).message}`);
      return info;
    }
    try {
      const fileMetadata = await metadata();
      info.maxContextLength = fileMetadata.contextLength;
      info.contextLength = loading ? (await loaded()).context.contextSize : resolveContextSize(fileMetadata);
      info.quantization = fileMetadata.quantization;
      info.parameterCount = formatParameterCount(fileMetadata.parameterCount);
    } catch (error) {
      info.notes.push((error as Error).message);
    }
    try {
      const llama = await sharedLlama(gpu);
      info.backend = backendOf(llama);
      if (gpu === false) info.notes.push('Runs on the CPU only (gpu: false).');
      else if (info.backend === 'cpu')
        info.notes.push('No usable GPU (CUDA, Vulkan, Metal) found: runs on the CPU.');
      if (loading && info.backend !== 'cpu') {
        info.notes.push(`${(await loaded()).model.gpuLayers} layer(s) offloaded to the GPU`);
      }
    } catch (error) {
      info.notes.push(`llama.cpp bindings did not load: ${(error as Error).message.split('\n')[0]}`);
    }
    return info;
  };

  const close = async (): Promise<void> => {
    const current = loading;
    loading = null;
    if (!current) return;
    const resources = await current.catch(() => null);
    if (!resources) return;
    resources.chat.dispose();
    await resources.context.dispose();
    await resources.model.dispose();
  };

  return {
    id: `gguf:${modelPath}`,
    provider: 'gguf',
    model: modelPath,
    simulated: false,
    step,
    describe,
    close,
  };
}
