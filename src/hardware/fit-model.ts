import { stat } from 'node:fs/promises';
import { readGgufMetadata } from '../gguf/gguf-reader.ts';
import { type CatalogueEntry, requireArchitecture } from './architecture-catalogue.ts';
import type { ArchitectureShape } from './architecture-shape.ts';
import { ggufArchitecture } from './gguf-architecture.ts';
import {
  bitsPerWeightOf,
  detectGpus,
  estimateFit,
  type FitEstimate,
  type FitVerdict,
  fitVerdict,
  type GpuInfo,
  guessedShape,
  largestFittingContext,
  parseParameterCount,
  typicalShape,
} from './hardware-fit.ts';

export interface FitRequest {
  /** A catalogue model (`qwen3.5-9b`, `Qwen/Qwen3.5-9B`, `qwen3.5:9b`). */
  model?: string;
  /** Or a GGUF file to read the real shape from (header only). */
  gguf?: string;
  /** Or: parameter count (`9B`); with `model` or `parameters`, the quantization (`Q4_K_M`). */
  parameters?: string;
  quantization?: string;
  /** Architecture overrides for `parameters`. */
  layers?: number;
  kvHeads?: number;
  headDimension?: number;
  /** Context per slot; default 32,768 or the trained maximum when smaller. */
  contextLength?: number;
  kvCacheType?: string;
  parallelSlots?: number;
  /** Count the vision tower (mmproj) when the model has one. */
  vision?: boolean;
  /** The mmproj file to be loaded with the model: its size is the vision tower's, exactly. */
  mmproj?: string;
  /** GPU memory to judge against (bytes); default: the first local GPU. */
  gpuMemoryBytes?: number;
  /** Flash attention as llama-server will run (`-fa`); default on (llama.cpp's `auto` on supporting GPUs). */
  flashAttention?: boolean;
}

/** One common card's answer when no GPU was found. */
export interface CardFit {
  name: string;
  totalBytes: number;
  verdict: FitVerdict;
  /** Largest context per slot that fits (capped at the trained maximum); 0 when not even the weights fit. */
  largestContext: number;
}

export interface FitReport {
  source: 'catalogue' | 'gguf' | 'parameters';
  model: string;
  /** The catalogue entry's source, layout and note (catalogue only). */
  catalogue: Pick<CatalogueEntry, 'id' | 'source' | 'layout' | 'note' | 'config' | 'experts'> | null;
  shape: ArchitectureShape;
  quantization: string;
  bitsPerWeight: number;
  estimate: FitEstimate;
  gpu: GpuInfo | null;
  verdict: FitVerdict;
  /** Largest context per slot that fits the GPU (capped at the trained maximum); null without a GPU. */
  largestContext: number | null;
  /** Without a GPU: the answer for common 12, 16 and 24 GiB cards. */
  commonCards: CardFit[];
  /** The llama-server flags this estimate describes. */
  llamaServerFlags: string;
}

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
/** Cards answered for when no GPU is found. */
export const COMMON_CARD_GIB = [12, 16, 24] as const;
const DEFAULT_CONTEXT = 32_768;
const DEFAULT_QUANTIZATION = 'Q4_K_M';

interface ResolvedModel {
  source: FitReport['source'];
  model: string;
  shape: ArchitectureShape;
  quantization: string;
  bitsPerWeight: number;
  catalogue: FitReport['catalogue'];
  assumptions: string[];
}

async function resolveModel(request: FitRequest): Promise<ResolvedModel> {
  const assumptions: string[] = [];
  const given = [request.model, request.gguf, request.parameters].filter((value) => value !== undefined);
  if (given.length > 1) throw new Error('give only one of --model NAME, --gguf FILE or --params COUNT');
  if (request.gguf) {
    const metadata = await readGgufMetadata(request.gguf);
    if (metadata.bitsPerWeight === null) throw new Error(`${request.gguf}: the GGUF file holds no tensors`);
    const { shape, notes } = ggufArchitecture(metadata);
    return {
      source: 'gguf',
      model: metadata.name ?? request.gguf,
      shape,
      quantization: metadata.quantization ?? 'unknown',
      bitsPerWeight: metadata.bitsPerWeight,
      catalogue: null,
      assumptions: [...notes, 'weights: the file size (bits per weight = file bits / parameters)'],
    };
  }
  const quantization = (request.quantization ?? DEFAULT_QUANTIZATION).toUpperCase().replace(/-/g, '_');
  const bitsPerWeight = bitsPerWeightOf(quantization);
  if (request.model) {
    const entry = requireArchitecture(request.model);
    if (!request.quantization)
      assumptions.push(`quantization assumed ${DEFAULT_QUANTIZATION} (pass --quant)`);
    assumptions.push(
      `weights estimated as parameters x ${bitsPerWeight} bits (typical ${quantization} average); a GGUF file (--gguf) gives the exact size`,
    );
    return {
      source: 'catalogue',
      model: entry.name,
      shape: entry.shape,
      quantization,
      bitsPerWeight,
      catalogue: {
        id: entry.id,
        source: entry.source,
        layout: entry.layout,
        note: entry.note,
        config: entry.config,
        experts: entry.experts,
      },
      assumptions,
    };
  }
  if (!request.parameters || !request.quantization) {
    throw new Error('give --model NAME, --gguf FILE, or --params (e.g. 9B) with --quant (e.g. Q4_K_M)');
  }
  const parameters = parseParameterCount(request.parameters);
  const shape = guessedShape(parameters, request);
  if (request.layers === undefined || request.kvHeads === undefined || request.headDimension === undefined) {
    const typical = typicalShape(parameters);
    assumptions.push(
      `architecture assumed dense and typical for ${request.parameters}: ${request.layers ?? typical.layers} layers, ${request.kvHeads ?? typical.kvHeads} KV heads of ${request.headDimension ?? typical.headDimension} dimensions (hybrid, sliding-window and MoE models need --model or --gguf)`,
    );
  }
  assumptions.push('trained context maximum unknown: contexts are not capped');
  return {
    source: 'parameters',
    model: `${request.parameters} ${quantization}`,
    shape,
    quantization,
    bitsPerWeight,
    catalogue: null,
    assumptions,
  };
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    throw new Error(`cannot read --mmproj ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Works out whether a model fits the local (or a stated) GPU at a context length; common cards without one. */
export async function fitModel(request: FitRequest, gpus?: GpuInfo[]): Promise<FitReport> {
  const resolved = await resolveModel(request);
  const { shape } = resolved;
  const maximum = shape.maxContext;
  const contextLength = request.contextLength ?? Math.min(DEFAULT_CONTEXT, maximum ?? DEFAULT_CONTEXT);
  if (maximum !== null && contextLength > maximum) {
    throw new Error(
      `--ctx ${contextLength} is above ${resolved.model}'s trained maximum of ${maximum.toLocaleString('en-US')} tokens; use --ctx ${maximum} or less`,
    );
  }
  const slots = request.parallelSlots ?? 1;
  const options = {
    bitsPerWeight: resolved.bitsPerWeight,
    kvCacheType: request.kvCacheType,
    parallelSlots: slots,
    vision: request.vision,
    visionFileBytes: request.mmproj ? await fileSize(request.mmproj) : undefined,
    flashAttention: request.flashAttention ?? true,
  };
  const assumptions = [...resolved.assumptions];
  if (request.mmproj) assumptions.push(`vision tower: the size of ${request.mmproj}`);
  else if (request.vision && shape.visionParameters)
    assumptions.push('vision tower: its parameters in f16 (pass --mmproj FILE for the exact size)');
  else if (request.vision)
    assumptions.push('vision tower size unknown for this model: pass --mmproj FILE to count it');
  else if (shape.visionParameters)
    assumptions.push('vision tower not counted (pass --vision or --mmproj FILE when loading it)');
  if (shape.activeParameters < shape.parameters)
    assumptions.push(
      'MoE: counted with every expert in GPU memory; llama.cpp can keep experts in system RAM instead (--n-cpu-moe N) at a speed cost',
    );
  if (shape.recurrentLayers > 0 && slots === 1)
    assumptions.push(
      "llama-server's default --parallel auto runs 4 slots: the recurrent state is kept per slot (pass --parallel 4 to count them)",
    );
  const estimate = estimateFit(shape, contextLength, { ...options, assumptions });
  const detected = request.gpuMemoryBytes
    ? [{ name: 'stated GPU', totalBytes: request.gpuMemoryBytes, freeBytes: request.gpuMemoryBytes }]
    : (gpus ?? (await detectGpus()));
  const gpu = detected[0] ?? null;
  const commonCards: CardFit[] = gpu
    ? []
    : COMMON_CARD_GIB.map((size) => ({
        name: `${size} GiB card`,
        totalBytes: size * GIB,
        verdict: fitVerdict(estimate, { totalBytes: size * GIB }),
        largestContext: largestFittingContext(shape, size * GIB, options),
      }));
  const kvType = estimate.kvCacheType;
  return {
    source: resolved.source,
    model: resolved.model,
    catalogue: resolved.catalogue,
    shape,
    quantization: resolved.quantization,
    bitsPerWeight: resolved.bitsPerWeight,
    estimate,
    gpu,
    verdict: fitVerdict(estimate, gpu),
    largestContext: gpu ? largestFittingContext(shape, gpu.totalBytes, options) : null,
    commonCards,
    llamaServerFlags: `-c ${contextLength * slots} -np ${slots} -fa ${estimate.flashAttention ? 'on' : 'off'} --cache-type-k ${kvType} --cache-type-v ${kvType}`,
  };
}

const gib = (bytes: number) => `${(bytes / GIB).toFixed(2)} GiB`;
const size = (bytes: number) => (bytes < GIB ? `${(bytes / MIB).toFixed(2)} MiB` : gib(bytes));
const count = (value: number) => value.toLocaleString('en-US');
const billions = (value: number) => `${(value / 1e9).toFixed(2)}B`;

function layoutLine(report: FitReport): string {
  const { shape } = report;
  const kinds = [`${shape.fullAttentionLayers} full attention`];
  if (shape.slidingWindowLayers > 0)
    kinds.push(`${shape.slidingWindowLayers} sliding-window (${count(shape.slidingWindow ?? 0)} tokens)`);
  if (shape.recurrentLayers > 0) kinds.push(`${shape.recurrentLayers} recurrent`);
  const described = report.catalogue ? ` — ${report.catalogue.layout}` : '';
  return `${shape.layers} layers: ${kinds.join(', ')}${described}`;
}

function contextLine(context: number, maximum: number | null): string {
  if (context === 0) return 'not even the weights fit';
  return maximum !== null && context >= maximum
    ? `${count(context)} tokens (the trained maximum)`
    : `${count(context)} tokens`;
}

/** Human-readable fit report; every figure is an estimate and says how it was made. */
export function formatFitReport(report: FitReport): string {
  const { estimate, shape } = report;
  const attention = `${shape.kvHeads} KV heads x (${shape.keyLength} + ${shape.valueLength})`;
  const lines = [
    `Model:        ${report.model} (${report.source === 'catalogue' ? 'catalogue' : report.source === 'gguf' ? 'GGUF metadata' : 'guessed from the parameter count'})`,
  ];
  if (report.catalogue) lines.push(`Source:       ${report.catalogue.source}`);
  lines.push(`Layout:       ${layoutLine(report)}`);
  lines.push(
    shape.activeParameters < shape.parameters
      ? `Parameters:   ${billions(shape.parameters)} total, all resident; ${billions(shape.activeParameters)} active per token (sets the speed)`
      : `Parameters:   ${billions(shape.parameters)}`,
  );
  lines.push(
    `Weights:      ${gib(estimate.weightsBytes)} (${report.quantization}, ${report.bitsPerWeight.toFixed(2)} bits/weight${report.source === 'gguf' ? ', from the file' : '; estimate: parameters x typical bits per weight'})`,
  );
  if (estimate.visionBytes > 0) lines.push(`Vision tower: ${size(estimate.visionBytes)} (mmproj)`);
  const slots = estimate.parallelSlots === 1 ? '' : ` x ${estimate.parallelSlots} slots`;
  lines.push(
    `KV cache:     ${size(estimate.kvCacheBytes)} at ${count(estimate.contextLength)} tokens${slots}, ${estimate.kvCacheType} (${shape.fullAttentionLayers} full-attention layers x ${attention})`,
  );
  if (estimate.slidingWindowKvBytes > 0)
    lines.push(
      `              of which ${size(estimate.slidingWindowKvBytes)} for ${shape.slidingWindowLayers} sliding-window layers (window + 512-token micro-batch, padded to 256)`,
    );
  if (shape.recurrentLayers > 0)
    lines.push(
      `Recurrent:    ${size(estimate.recurrentStateBytes)} fixed state (${shape.recurrentLayers} layers x ${count(shape.recurrentStateElements)} f32 values${slots}), does not grow with context`,
    );
  lines.push(
    `Compute:      ${size(estimate.computeBufferBytes)} (estimate: ${estimate.computeBufferMethod})`,
  );
  lines.push(
    `Runtime:      ${size(estimate.overheadBytes - estimate.computeBufferBytes)} (an allowance for the CUDA/driver context and backend scratch, not measured)`,
  );
  lines.push(`Total:        ${gib(estimate.totalBytes)} (estimate)`);
  if (report.gpu) {
    lines.push(`GPU:          ${report.gpu.name}, ${gib(report.gpu.totalBytes)}`);
    lines.push(`Verdict:      ${report.verdict}`);
    if (report.largestContext !== null)
      lines.push(`Largest context that fits: ${contextLine(report.largestContext, shape.maxContext)}`);
  } else {
    lines.push('GPU:          none detected; for common cards:');
    for (const card of report.commonCards)
      lines.push(
        `  ${card.name.padEnd(12)} ${card.verdict.padEnd(13)} largest context: ${contextLine(card.largestContext, shape.maxContext)}`,
      );
  }
  if (shape.maxContext !== null) lines.push(`Trained context maximum: ${count(shape.maxContext)} tokens`);
  lines.push(`llama-server: ${report.llamaServerFlags}`);
  if (report.catalogue) lines.push(`Note: ${report.catalogue.note}`);
  for (const assumption of estimate.assumptions) lines.push(`Note: ${assumption}`);
  return `${lines.join('\n')}\n`;
}
