import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Will this model fit this GPU? Weights size (parameter count x bits per weight) plus the KV cache for the
 * context length plus a compute-buffer allowance, against the local GPU's memory.
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

/** Bytes per element of the KV cache types llama.cpp offers (`--cache-type-k/v`). */
export const KV_CACHE_BYTES: Record<string, number> = { f32: 4, f16: 2, bf16: 2, q8_0: 1.0625, q4_0: 0.5625 };

export interface ModelShape {
  /** Total parameters. */
  parameters: number;
  bitsPerWeight: number;
  layers: number;
  kvHeads: number;
  headDimension: number;
}

export interface FitEstimate {
  weightsBytes: number;
  kvCacheBytes: number;
  /** Compute buffers and runtime overhead (a conservative allowance). */
  overheadBytes: number;
  totalBytes: number;
  contextLength: number;
  /** Set when the architecture had to be guessed from the parameter count. */
  assumptions: string[];
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
export function typicalShape(parameters: number): Pick<ModelShape, 'layers' | 'kvHeads' | 'headDimension'> {
  const billions = parameters / 1e9;
  const layers =
    billions < 1
      ? 24
      : billions < 2
        ? 28
        : billions < 5
          ? 36
          : billions < 10
            ? 36
            : billions < 20
              ? 48
              : billions < 40
                ? 64
                : 80;
  const kvHeads = billions < 1 ? 2 : billions < 5 ? 4 : 8;
  return { layers, kvHeads, headDimension: billions < 1 ? 64 : 128 };
}

/** Estimates the memory a model needs at a context length. */
export function estimateFit(
  shape: ModelShape,
  contextLength: number,
  options: { kvCacheType?: string; parallelSlots?: number; assumptions?: string[] } = {},
): FitEstimate {
  if (!Number.isFinite(contextLength) || contextLength <= 0)
    throw new Error(`context length must be positive`);
  const kvType = options.kvCacheType ?? 'f16';
  const kvBytesPerElement = KV_CACHE_BYTES[kvType];
  if (kvBytesPerElement === undefined) {
    throw new Error(`unknown KV cache type "${kvType}"; known: ${Object.keys(KV_CACHE_BYTES).join(', ')}`);
  }
  const weightsBytes = (shape.parameters * shape.bitsPerWeight) / 8;
  const kvCacheBytes =
    2 *
    shape.layers *
    contextLength *
    shape.kvHeads *
    shape.headDimension *
    kvBytesPerElement *
    (options.parallelSlots ?? 1);
  // llama.cpp's compute buffers grow with context; ~5% of weights plus a fixed 300 MiB is a safe allowance.
  const overheadBytes = Math.round(weightsBytes * 0.05 + 300 * 1024 * 1024);
  return {
    weightsBytes,
    kvCacheBytes,
    overheadBytes,
    totalBytes: weightsBytes + kvCacheBytes + overheadBytes,
    contextLength,
    assumptions: options.assumptions ?? [],
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

/** Compares an estimate with a GPU: tight when under 10% headroom would remain. */
export function fitVerdict(estimate: FitEstimate, gpu: GpuInfo | null): FitVerdict {
  if (!gpu) return 'no-gpu';
  if (estimate.totalBytes > gpu.totalBytes) return 'does-not-fit';
  return estimate.totalBytes > gpu.totalBytes * 0.9 ? 'tight' : 'fits';
}

/** Largest context (multiple of 1024) that fits in `availableBytes`, or 0 when not even the weights fit. */
export function largestFittingContext(
  shape: ModelShape,
  availableBytes: number,
  kvCacheType = 'f16',
): number {
  const base = estimateFit(shape, 1, { kvCacheType });
  const perToken = base.kvCacheBytes;
  const room = availableBytes - base.weightsBytes - base.overheadBytes;
  if (room <= 0) return 0;
  return Math.floor(room / perToken / 1024) * 1024;
}
