/**
 * llama.cpp's compute buffer, estimated the way llama.cpp sizes it: at start it reserves the graph of one worst-case
 * micro-batch (`llama_context::sched_reserve` → `graph_reserve(n_ubatch tokens)`, `src/llama-context.cpp`) and ggml's
 * allocator keeps the peak of the tensors alive at once. That peak is, for a full-attention layer over the whole
 * cache of one slot:
 *
 * - inputs alive for the whole graph: the attention mask, `n_kv x n_tokens` in f32 (f16 with flash attention);
 * - without flash attention, the attention scores `n_kv x n_tokens x heads` in f32 (softmax runs in place) plus the
 *   layer's projections (about 6 x hidden floats per token);
 * - with flash attention no score matrix exists, and the feed-forward activations set the peak
 *   (about (hidden + 3.5 x feed-forward) floats per token).
 *
 * `n_kv` is one slot's cells padded to 256 (llama-server with `--parallel N` gives each slot its own stream),
 * `n_tokens = min(all cells, n_ubatch)`. The per-token activation factors were measured on the real llama-server
 * (bundled llama.cpp) with random-weight models of several widths; the context-dependent terms are exact there.
 * Not counted: logits (vocabulary x slots x 4 bytes; llama-server reserves one output per slot), Gated DeltaNet
 * chunk workspaces, backend-specific scratch (CUDA adds its own pools), the vision encoder's own buffer.
 */
import type { ArchitectureShape } from './architecture-shape.ts';

/** llama.cpp's default micro-batch (`-ub`). */
export const DEFAULT_MICRO_BATCH = 512;
/** llama.cpp pads the KV cache to a multiple of 256 cells. */
const CELL_PADDING = 256;
const F32 = 4;
const F16 = 2;

export interface ComputeBufferOptions {
  /** Flash attention (`-fa`); llama.cpp's default `auto` turns it on where the backend supports it. */
  flashAttention: boolean;
  /** Context per slot. */
  contextLength: number;
  parallelSlots: number;
  /** `-ub`, default 512. */
  microBatch?: number;
}

export interface ComputeBufferEstimate {
  bytes: number;
  /** The attention mask (an input, alive for the whole graph). */
  maskBytes: number;
  /** The attention scores of one layer (0 with flash attention). */
  attentionScoreBytes: number;
  /** The feed-forward activations at their peak. */
  activationBytes: number;
  /** How it was computed, for the user. */
  method: string;
  /** What had to be assumed (a hidden width or head count not known for this model). */
  assumptions: string[];
}

/** The widths the compute buffer depends on; assumed from the KV shape when the model does not state them. */
function widths(shape: ArchitectureShape): {
  heads: number;
  hidden: number;
  feedForward: number;
  assumptions: string[];
} {
  const assumptions: string[] = [];
  const heads = shape.attentionHeads ?? shape.kvHeads * 4;
  if (shape.attentionHeads === undefined) assumptions.push(`attention heads assumed 4 x KV heads (${heads})`);
  const hidden = shape.embeddingLength ?? heads * shape.keyLength;
  if (shape.embeddingLength === undefined)
    assumptions.push(`hidden width assumed heads x head dimension (${hidden})`);
  const feedForward = shape.feedForwardLength ?? 4 * hidden;
  if (shape.feedForwardLength === undefined)
    assumptions.push(`feed-forward width assumed 4 x hidden (${feedForward}) for the compute buffer`);
  return { heads, hidden, feedForward, assumptions };
}

/** The compute buffer llama.cpp reserves for this model at this context (see the file comment for the method). */
export function estimateComputeBuffer(
  shape: ArchitectureShape,
  options: ComputeBufferOptions,
): ComputeBufferEstimate {
  const { heads, hidden, feedForward, assumptions } = widths(shape);
  const microBatch = options.microBatch ?? DEFAULT_MICRO_BATCH;
  const cells = Math.ceil(options.contextLength / CELL_PADDING) * CELL_PADDING;
  const tokens = Math.min(options.contextLength * options.parallelSlots, microBatch);
  const attends = shape.fullAttentionLayers + shape.slidingWindowLayers > 0;
  const maskBytes = attends ? cells * tokens * (options.flashAttention ? F16 : F32) : 0;
  const attentionScoreBytes =
    attends && !options.flashAttention ? cells * tokens * heads * F32 + 6 * hidden * tokens * F32 : 0;
  const activationBytes = (hidden + 3.5 * feedForward) * tokens * F32;
  const method = options.flashAttention
    ? `llama.cpp graph reservation, flash attention: mask ${cells} cells x ${tokens} tokens (f16) + feed-forward activations of one ${microBatch}-token micro-batch`
    : `llama.cpp graph reservation, no flash attention: mask + attention scores ${cells} cells x ${tokens} tokens x ${heads} heads (f32) of one ${microBatch}-token micro-batch`;
  return {
    bytes: Math.round(maskBytes + Math.max(attentionScoreBytes, activationBytes)),
    maskBytes,
    attentionScoreBytes,
    activationBytes,
    method,
    assumptions,
  };
}
