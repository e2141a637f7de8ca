import { readGgufMetadata } from './gguf/gguf-reader.ts';
import {
  bitsPerWeightOf,
  detectGpus,
  estimateFit,
  type FitEstimate,
  type FitVerdict,
  fitVerdict,
  type GpuInfo,
  largestFittingContext,
  type ModelShape,
  parseParameterCount,
  typicalShape,
} from './hardware-fit.ts';

export interface FitRequest {
  /** A GGUF file to read the real shape from (header only). */
  gguf?: string;
  /** Or: parameter count (`9B`) and quantization (`Q4_K_M`). */
  parameters?: string;
  quantization?: string;
  /** Architecture overrides when not using a GGUF. */
  layers?: number;
  kvHeads?: number;
  headDimension?: number;
  contextLength: number;
  kvCacheType?: string;
  parallelSlots?: number;
  /** GPU memory to judge against (bytes); default: the first local GPU. */
  gpuMemoryBytes?: number;
}

export interface FitReport {
  source: 'gguf' | 'parameters';
  model: string;
  shape: ModelShape;
  quantization: string;
  estimate: FitEstimate;
  gpu: GpuInfo | null;
  verdict: FitVerdict;
  /** Largest context (multiple of 1024) that fits the GPU; null without a GPU. */
  largestContext: number | null;
}

/** Works out whether a model fits the local (or a stated) GPU at a context length. */
export async function fitModel(request: FitRequest, gpus?: GpuInfo[]): Promise<FitReport> {
  let shape: ModelShape;
  let quantization: string;
  let model: string;
  const assumptions: string[] = [];
  if (request.gguf) {
    const metadata = await readGgufMetadata(request.gguf);
    const headCount = metadata.headCount ?? null;
    const embedding = metadata.embeddingLength ?? null;
    if (!metadata.blockCount || !headCount || !embedding || metadata.bitsPerWeight === null) {
      throw new Error(`${request.gguf}: the GGUF metadata lacks block count, head count or embedding length`);
    }
    shape = {
      parameters: metadata.parameterCount,
      bitsPerWeight: metadata.bitsPerWeight,
      layers: metadata.blockCount,
      kvHeads: metadata.headCountKv ?? headCount,
      headDimension: Math.max(metadata.keyLength ?? embedding / headCount, metadata.valueLength ?? 0),
    };
    quantization = metadata.quantization ?? 'unknown';
    model = metadata.name ?? request.gguf;
  } else {
    if (!request.parameters || !request.quantization) {
      throw new Error('give --gguf FILE, or --params (e.g. 9B) with --quant (e.g. Q4_K_M)');
    }
    const parameters = parseParameterCount(request.parameters);
    const typical = typicalShape(parameters);
    const layers = request.layers ?? typical.layers;
    const kvHeads = request.kvHeads ?? typical.kvHeads;
    const headDimension = request.headDimension ?? typical.headDimension;
    if (
      request.layers === undefined ||
      request.kvHeads === undefined ||
      request.headDimension === undefined
    ) {
      assumptions.push(
        `architecture assumed typical for ${request.parameters}: ${layers} layers, ${kvHeads} KV heads of ${headDimension} dimensions (pass --gguf for the real one)`,
      );
    }
    shape = {
      parameters,
      bitsPerWeight: bitsPerWeightOf(request.quantization),
      layers,
      kvHeads,
      headDimension,
    };
    quantization = request.quantization.toUpperCase();
    model = `${request.parameters} ${quantization}`;
  }
  const estimate = estimateFit(shape, request.contextLength, {
    kvCacheType: request.kvCacheType,
    parallelSlots: request.parallelSlots,
    assumptions,
  });
  const detected = request.gpuMemoryBytes
    ? [{ name: 'stated GPU', totalBytes: request.gpuMemoryBytes, freeBytes: request.gpuMemoryBytes }]
    : (gpus ?? (await detectGpus()));
  const gpu = detected[0] ?? null;
  return {
    source: request.gguf ? 'gguf' : 'parameters',
    model,
    shape,
    quantization,
    estimate,
    gpu,
    verdict: fitVerdict(estimate, gpu),
    largestContext: gpu ? largestFittingContext(shape, gpu.totalBytes, request.kvCacheType) : null,
  };
}

const GIB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(2)} GiB`;

/** Human-readable fit report. */
export function formatFitReport(report: FitReport): string {
  const lines = [
    `Model:        ${report.model} (${(report.shape.parameters / 1e9).toFixed(2)}B parameters, ${report.quantization}, ${report.shape.bitsPerWeight.toFixed(2)} bits/weight)`,
    `Weights:      ${gib(report.estimate.weightsBytes)}`,
    `KV cache:     ${gib(report.estimate.kvCacheBytes)} at ${report.estimate.contextLength} tokens (${report.shape.layers} layers x ${report.shape.kvHeads} KV heads x ${report.shape.headDimension})`,
    `Overhead:     ${gib(report.estimate.overheadBytes)} (compute buffers, allowance)`,
    `Total:        ${gib(report.estimate.totalBytes)}`,
    report.gpu
      ? `GPU:          ${report.gpu.name}, ${gib(report.gpu.totalBytes)}`
      : 'GPU:          none detected',
    `Verdict:      ${report.verdict}`,
  ];
  if (report.largestContext !== null)
    lines.push(`Largest context that fits: ${report.largestContext} tokens`);
  for (const assumption of report.estimate.assumptions) lines.push(`Note: ${assumption}`);
  return `${lines.join('\n')}\n`;
}
