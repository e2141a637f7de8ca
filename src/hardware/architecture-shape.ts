/**
 * What sizes a model's memory at run time, counted per layer kind the way llama.cpp allocates it
 * (`src/llama-kv-cache*.cpp`, `src/llama-memory-recurrent.cpp`, `llama_hparams::n_embd_r/n_embd_s`):
 * full-attention layers keep K and V for every token of the context; sliding-window layers keep at most the
 * window (plus one micro-batch); recurrent layers (Gated DeltaNet, Mamba) keep a fixed f32 state per sequence.
 */

/** The memory-relevant shape of a model. */
export interface ArchitectureShape {
  /** Total parameters, every expert included (all experts stay resident). */
  parameters: number;
  /** Parameters used per token (MoE); equals `parameters` for a dense model. Sets the speed, not the memory. */
  activeParameters: number;
  /** Repeating layers (blocks). */
  layers: number;
  /** Layers whose KV cache holds the whole context. */
  fullAttentionLayers: number;
  /** Layers whose KV cache is capped at `slidingWindow` tokens. */
  slidingWindowLayers: number;
  slidingWindow: number | null;
  /** KV heads of an attention layer and the widths of one key and one value head. */
  kvHeads: number;
  keyLength: number;
  valueLength: number;
  /** Layers with a fixed recurrent state instead of a KV cache. */
  recurrentLayers: number;
  /** f32 elements of one recurrent layer's state per sequence (llama.cpp's n_embd_r + n_embd_s). */
  recurrentStateElements: number;
  /** Trained context maximum; null when unknown. */
  maxContext: number | null;
  /** Parameters of a vision tower (llama.cpp loads it from a separate mmproj file); null when none or unknown. */
  visionParameters: number | null;
  /** Query heads of an attention layer (sizes the compute buffer); absent when unknown. */
  attentionHeads?: number;
  /** Hidden width (embedding length); absent when unknown. */
  embeddingLength?: number;
  /** Feed-forward width used per token (MoE: expert width x experts used, plus shared); absent when unknown. */
  feedForwardLength?: number;
}

/** A dense model where every layer attends to the whole context. */
export function denseShape(options: {
  parameters: number;
  layers: number;
  kvHeads: number;
  headDim: number;
  maxContext: number | null;
  activeParameters?: number;
  visionParameters?: number | null;
}): ArchitectureShape {
  return {
    parameters: options.parameters,
    activeParameters: options.activeParameters ?? options.parameters,
    layers: options.layers,
    fullAttentionLayers: options.layers,
    slidingWindowLayers: 0,
    slidingWindow: null,
    kvHeads: options.kvHeads,
    keyLength: options.headDim,
    valueLength: options.headDim,
    recurrentLayers: 0,
    recurrentStateElements: 0,
    maxContext: options.maxContext,
    visionParameters: options.visionParameters ?? null,
  };
}

/**
 * Sliding-window attention in llama.cpp's pattern: of every `pattern` layers the last is global, the others use
 * the window (`llama_hparams::set_swa_pattern`, dense_first = false): Gemma 3 uses 6 (5 local : 1 global),
 * gpt-oss 2 (alternating, local first).
 */
export function slidingWindowShape(
  options: Parameters<typeof denseShape>[0] & {
    pattern: number;
    slidingWindow: number;
  },
): ArchitectureShape {
  let sliding = 0;
  for (let layer = 0; layer < options.layers; layer++) {
    if (options.pattern === 0 || layer % options.pattern < options.pattern - 1) sliding++;
  }
  return {
    ...denseShape(options),
    fullAttentionLayers: options.layers - sliding,
    slidingWindowLayers: sliding,
    slidingWindow: options.slidingWindow,
  };
}

/**
 * f32 elements of one Gated DeltaNet / Mamba-2 layer's state per sequence, as llama.cpp sizes it: the
 * recurrent state `n_embd_s = d_state x d_inner` plus the convolution state
 * `n_embd_r = (d_conv - 1) x (d_inner + 2 x n_group x d_state)`. For the Qwen3-Next / Qwen3.5 Gated DeltaNet,
 * d_state = key head dim, d_inner = value heads x value head dim, n_group = key heads.
 */
export function recurrentStateElements(options: {
  stateSize: number;
  innerSize: number;
  groupCount: number;
  convKernel: number;
}): number {
  const state = options.stateSize * options.innerSize;
  const conv =
    Math.max(0, options.convKernel - 1) * (options.innerSize + 2 * options.groupCount * options.stateSize);
  return state + conv;
}

/**
 * Qwen3-Next / Qwen3.5 hybrid: every `interval`-th layer is gated attention, the others Gated DeltaNet
 * (llama.cpp: layer i is recurrent when (i + 1) % full_attention_interval != 0).
 */
export function hybridDeltaNetShape(
  options: Parameters<typeof denseShape>[0] & {
    fullAttentionInterval: number;
    linearKeyHeads: number;
    linearValueHeads: number;
    linearKeyHeadDim: number;
    linearValueHeadDim: number;
    convKernel: number;
  },
): ArchitectureShape {
  let recurrent = 0;
  for (let layer = 0; layer < options.layers; layer++) {
    if ((layer + 1) % options.fullAttentionInterval !== 0) recurrent++;
  }
  return {
    ...denseShape(options),
    fullAttentionLayers: options.layers - recurrent,
    recurrentLayers: recurrent,
    recurrentStateElements: recurrentStateElements({
      stateSize: options.linearKeyHeadDim,
      innerSize: options.linearValueHeads * options.linearValueHeadDim,
      groupCount: options.linearKeyHeads,
      convKernel: options.convKernel,
    }),
  };
}
