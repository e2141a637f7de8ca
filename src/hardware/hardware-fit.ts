import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type ArchitectureShape, denseShape } from './architecture-shape.ts';
import { estimateComputeBuffer } from './compute-buffer.ts';

/**
 * Will this model fit this GPU? Weights size (parameter count x bits per weight), the KV cache per layer kind
 * for the context length, the recurrent state, llama.cpp's compute buffer and a runtime allowance, against the GPU's memory.
 */

/** Typical bits per weight of llama.cpp quantization types (mixture averages, as llama.cpp reports them). */
export const BITS_PER_WEIGHT: Record<string, number> = {
  F32: 32,
  F16: 16,
  BF16: 16,
  Q8_0: 8.5,
  Q6_K: 6.56,
  Q5_K_M: 5.69,
  Q5_K_S: 5.54,
  Q5_0: 5.5,
  Q4_K_M: 4.85,
  Q4_K_S: 4.58,
  Q4_0: 4.55,
  IQ4_XS: 4.25,
  IQ4_NL: 4.5,
  Q3_K_L: 4.27,
  Q3_K_M: 3.91,
  Q3_K_S: 3.5,
  IQ3_M: 3.66,
  Q2_K: 3.35,
  IQ2_M: 2.7,
};

/**
 * Bytes per element of the KV cache types llama.cpp offers (`--cache-type-k/v`): ggml block sizes (q8_0 stores
 * 32 values in 34 bytes, q4_0 in 18, q4_1 in 20, q5_0 in 22, q5_1 in 24, iq4_nl in 18).
 */
export const KV_CACHE_BYTES: Record<string, number> = {
  f32: 4,
  f16: 2,
  bf16: 2,
  q8_0: 34 / 32,
  q5_1: 24 / 32,
  q5_0: 22 / 32,
  q4_1: 20 / 32,
  q4_0: 18 / 32,
  iq4_nl: 18 / 32,
};

/** llama.cpp's default micro-batch (`-ub`), which a sliding-window cache keeps on top of the window. */
export const DEFAULT_UBATCH = 512;
/** Bytes per element of the recurrent state (llama.cpp keeps it in f32 whatever the KV cache type). */
const RECURRENT_STATE_BYTES = 4;
/** A vision tower (mmproj) is usually shipped in f16. */
const VISION_BYTES_PER_PARAMETER = 2;
/** Backend runtime (CUDA context, driver and scratch pools) that llama.cpp does not report: a fixed allowance. */
export const RUNTIME_ALLOWANCE_BYTES = 300 * 1024 * 1024;
/** Without a known trained maximum, the largest context searched. */
export const UNKNOWN_MAX_CONTEXT = 1_048_576;

export interface FitEstimate {
  weightsBytes: number;
  /** Vision tower: the mmproj file's size, or its parameters in f16 with `vision`; 0 otherwise. */
  visionBytes: number;
  /** The whole KV cache: full-attention layers plus sliding-window layers, every slot. */
  kvCacheBytes: number;
  /** Its full-attention part (grows with the context). */
  fullAttentionKvBytes: number;
  /** Its sliding-window part (capped at the window plus one micro-batch per slot). */
  slidingWindowKvBytes: number;
  /** Fixed recurrent state of Gated DeltaNet / Mamba layers, every slot (does not grow with the context). */
  recurrentStateBytes: number;
  /** llama.cpp's compute buffer, estimated from its graph reservation (see `computeBufferMethod`). */
  computeBufferBytes: number;
  /** How the compute buffer was estimated. */
  computeBufferMethod: string;
  /** Compute buffer plus {@link RUNTIME_ALLOWANCE_BYTES} (an allowance, not a measurement). */
  overheadBytes: number;
  flashAttention: boolean;
  totalBytes: number;
  /** Context per slot. */
  contextLength: number;
  parallelSlots: number;
  kvCacheType: string;
  /** What was assumed or rounded; shown with the figures. */
  assumptions: string[];
}

export interface EstimateOptions {
  bitsPerWeight: number;
  kvCacheType?: string;
  /** Parallel slots (llama-server -np), each with `contextLength` tokens and its own recurrent state. */
  parallelSlots?: number;
  /** Count the vision tower (mmproj) too: its parameters in f16. */
  vision?: boolean;
  /** Or the exact size of the mmproj file, when known (overrides `vision`). */
  visionFileBytes?: number;
  /** Flash attention (llama.cpp `-fa`; default on, as llama.cpp's `auto` chooses on GPUs that support it). */
  flashAttention?: boolean;
  assumptions?: string[];
}

/** Parses `9B`, `0.5b`, `70B`, `1.5e9`, `350M` into a parameter count. */
export function parseParameterCount(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmbt]?)\s*$/i.exec(text);
  if (!match) throw new Error(`cannot read parameter count "${text}": use forms like 9B, 0.5B, 350M`);
  const scale = { '': 1, k: 1e3, m: 1e6, b: 1e9, t: 1e12 }[
    match[2].toLowerCase() as '' | 'k' | 'm' | 'b' | 't'
  ];
  return Number(match[1]) * scale;
}

/** Bits per weight of a quantization name (case-insensitive); a clear error listing the known ones otherwise. */
export function bitsPerWeightOf(quantization: string): number {
  const key = quantization.toUpperCase().replace(/-/g, '_');
  const bits = BITS_PER_WEIGHT[key];
  if (bits === undefined) {
    throw new Error(
      `unknown quantization "${quantization}"; known: ${Object.keys(BITS_PER_WEIGHT).join(', ')}`,
    );
  }
  return bits;
}

/**
 * A typical dense-transformer shape for a parameter count when the real one is unknown (grouped-query
 * attention with 8 KV heads of 128 dimensions, layer count growing with size — Llama 3 / Qwen 3 family shapes).
 */
export function typicalShape(parameters: number): { layers: number; kvHeads: number; headDimension: number } {
  const billions = parameters / 1e9;
  const layers =
    billions < 1 ? 24 : billions < 2 ? 28 : billions < 10 ? 36 : billions < 20 ? 48 : billions < 40 ? 64 : 80;
  const kvHeads = billions < 1 ? 2 : billions < 5 ? 4 : 8;
  return { layers, kvHeads, headDimension: billions < 1 ? 64 : 128 };
}

/** A dense shape from a parameter count and (optionally) stated layers, KV heads and head dimension. */
export function guessedShape(
  parameters: number,
  stated: { layers?: number; kvHeads?: number; headDimension?: number } = {},
): ArchitectureShape {
  const typical = typicalShape(parameters);
  return denseShape({
    parameters,
    layers: stated.layers ?? typical.layers,
    kvHeads: stated.kvHeads ?? typical.kvHeads,
    headDim: stated.headDimension ?? typical.headDimension,
    maxContext: null,
  });
}

function kvBytesPerElement(kvType: string): number {
  const bytes = KV_CACHE_BYTES[kvType];
  if (bytes === undefined) {
    throw new Error(`unknown KV cache type "${kvType}"; known: ${Object.keys(KV_CACHE_BYTES).join(', ')}`);
  }
  return bytes;
}

/**
 * Cells of one slot's sliding-window cache: llama.cpp (`llama_kv_cache_iswa`) pads min(context, window + ubatch)
 * to 256. node-llama-cpp's GgufInsights adds one more token (1792 cells for a 1024 window); the llama.cpp source it
 * ships does not, so this follows llama.cpp.
 */
export function slidingWindowCells(window: number, contextLength: number, ubatch = DEFAULT_UBATCH): number {
  return Math.ceil(Math.min(contextLength, window + ubatch) / 256) * 256;
}

/**
 * Estimates the memory a model needs at a context length per slot: weights (parameters x bits per weight),
 * KV cache per layer kind (full attention: every token; sliding window: the window plus a micro-batch; recurrent
 * layers: none), the fixed f32 recurrent state per slot, the vision tower when asked, llama.cpp's compute buffer
 * ({@link estimateComputeBuffer}) and a fixed runtime allowance.
 */
export function estimateFit(
  shape: ArchitectureShape,
  contextLength: number,
  options: EstimateOptions,
): FitEstimate {
  if (!Number.isFinite(contextLength) || contextLength <= 0)
    throw new Error(`context length must be positive`);
  const kvType = options.kvCacheType ?? 'f16';
  const perElement = kvBytesPerElement(kvType);
  const slots = options.parallelSlots ?? 1;
  const perTokenPerLayer = shape.kvHeads * (shape.keyLength + shape.valueLength) * perElement;
  const fullAttentionKvBytes = shape.fullAttentionLayers * contextLength * perTokenPerLayer * slots;
  const slidingWindowKvBytes =
    shape.slidingWindowLayers > 0 && shape.slidingWindow !== null
      ? shape.slidingWindowLayers *
        slidingWindowCells(shape.slidingWindow, contextLength) *
        perTokenPerLayer *
        slots
      : 0;
  const recurrentStateBytes =
    shape.recurrentLayers * shape.recurrentStateElements * RECURRENT_STATE_BYTES * slots;
  const weightsBytes = (shape.parameters * options.bitsPerWeight) / 8;
  const visionBytes =
    options.visionFileBytes ??
    (options.vision && shape.visionParameters ? shape.visionParameters * VISION_BYTES_PER_PARAMETER : 0);
  const flashAttention = options.flashAttention ?? true;
  const computeBuffer = estimateComputeBuffer(shape, {
    flashAttention,
    contextLength,
    parallelSlots: slots,
  });
  const overheadBytes = computeBuffer.bytes + RUNTIME_ALLOWANCE_BYTES;
  const kvCacheBytes = fullAttentionKvBytes + slidingWindowKvBytes;
  return {
    weightsBytes,
    visionBytes,
    kvCacheBytes,
    fullAttentionKvBytes,
    slidingWindowKvBytes,
    recurrentStateBytes,
    computeBufferBytes: computeBuffer.bytes,
    computeBufferMethod: computeBuffer.method,
    overheadBytes,
    flashAttention,
    totalBytes: weightsBytes + visionBytes + kvCacheBytes + recurrentStateBytes + overheadBytes,
    contextLength,
    parallelSlots: slots,
    kvCacheType: kvType,
    assumptions: [...(options.assumptions ?? []), ...computeBuffer.assumptions],
  };
}

export interface GpuInfo {
  name: string;
  totalBytes: number;
  freeBytes: number;
}

/** Reads the local NVIDIA GPUs through nvidia-smi; an empty list when there is none or no driver. */
export async function detectGpus(): Promise<GpuInfo[]> {
  try {
    const { stdout } = await promisify(execFile)(
      'nvidia-smi',
      ['--query-gpu=name,memory.total,memory.free', '--format=csv,noheader,nounits'],
      { timeout: 5000 },
    );
    return stdout
      .trim()
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => {
        const [name, total, free] = line.split(',').map((part) => part.trim());
        return { name, totalBytes: Number(total) * 1024 * 1024, freeBytes: Number(free) * 1024 * 1024 };
      });
  } catch {
    return [];
  }
}

export type FitVerdict = 'fits' | 'tight' | 'does-not-fit' | 'no-gpu';

/** Compares an estimate with a GPU's memory: tight when under 10% headroom would remain. */
export function fitVerdict(estimate: FitEstimate, gpu: Pick<GpuInfo, 'totalBytes'> | null): FitVerdict {
  if (!gpu) return 'no-gpu';
  if (estimate.totalBytes > gpu.totalBytes) return 'does-not-fit';
  return estimate.totalBytes > gpu.totalBytes * 0.9 ? 'tight' : 'fits';
}

/**
 * Largest context per slot (a multiple of 1024, or the trained maximum itself) that fits in `availableBytes`;
 * 0 when not even 1024 tokens fit. Bisection over {@link estimateFit}, so sliding-window and recurrent layers
 * count exactly as there; never above the trained maximum.
 */
export function largestFittingContext(
  shape: ArchitectureShape,
  availableBytes: number,
  options: EstimateOptions,
): number {
  const cap = Math.floor((shape.maxContext ?? UNKNOWN_MAX_CONTEXT) / 1024);
  const fitsTokens = (tokens: number) => estimateFit(shape, tokens, options).totalBytes <= availableBytes;
  if (cap < 1 || !fitsTokens(1024)) return 0;
  if (fitsTokens(shape.maxContext ?? cap * 1024)) return shape.maxContext ?? cap * 1024;
  let low = 1;
  let high = cap;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fitsTokens(middle * 1024)) low = middle;
    else high = middle;
  }
  return low * 1024;
}
