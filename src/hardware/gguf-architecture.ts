/**
 * The memory-relevant shape of a GGUF model, read from llama.cpp's own metadata keys (`src/llama-arch.cpp`):
 * `<arch>.full_attention_interval` and `<arch>.ssm.*` for Qwen3-Next / Qwen3.5 hybrids and Mamba, per-layer
 * `attention.head_count_kv` arrays (0 = a recurrent layer), `attention.sliding_window` with
 * `attention.sliding_window_pattern` or llama.cpp's per-architecture default pattern, `expert_count` /
 * `expert_used_count` with the expert tensors for active parameters. The layer rules mirror llama.cpp's
 * `load_arch_hparams` and node-llama-cpp's `GgufInsights` (which needs a loaded native binding, so it is not
 * called here).
 */
import type { GgufMetadata, GgufMetadataValue } from '../gguf/gguf-reader.ts';
import { type ArchitectureShape, recurrentStateElements } from './architecture-shape.ts';

/** llama.cpp's default sliding-window pattern per architecture (`set_swa_pattern` calls; node-llama-cpp's table). */
const DEFAULT_SWA_PATTERN: Record<string, number> = {
  gemma2: 2,
  gemma3: 6,
  gemma3n: 5,
  'gemma-embedding': 6,
  cohere2: 4,
  olmo2: 4,
  exaone4: 4,
  'gpt-oss': 2,
  llama4: 4,
};

/** Hybrids whose recurrent layers follow `full_attention_interval` (default 4 in llama.cpp). */
const INTERVAL_HYBRIDS = new Set(['qwen3next', 'qwen35', 'qwen35moe']);
/** Architectures whose every layer is recurrent. */
const ALL_RECURRENT = new Set(['mamba', 'mamba2']);

export interface GgufArchitecture {
  shape: ArchitectureShape;
  /** How the shape was read, and what it had to assume. */
  notes: string[];
}

function numberOf(value: GgufMetadataValue | undefined): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

function perLayer(value: GgufMetadataValue | undefined, layers: number): number[] | null {
  if (Array.isArray(value)) return value.map((item) => numberOf(item) ?? 0);
  const scalar = numberOf(value);
  return scalar === null ? null : Array.from({ length: layers }, () => scalar);
}

/** Derives the shape from GGUF metadata; throws a one-line error when the essentials are missing. */
export function ggufArchitecture(metadata: GgufMetadata): GgufArchitecture {
  const architecture = metadata.architecture ?? 'unknown';
  const key = (suffix: string) => metadata.metadata[`${architecture}.${suffix}`];
  const notes: string[] = [];
  const blockCount = metadata.blockCount;
  if (!blockCount || !metadata.headCount || !metadata.embeddingLength) {
    throw new Error(
      `${metadata.path}: the GGUF metadata lacks ${architecture}.block_count, attention.head_count or embedding_length`,
    );
  }
  const nextn = numberOf(key('nextn_predict_layers')) ?? 0;
  const layers = blockCount - nextn;
  if (nextn > 0)
    notes.push(
      `${nextn} multi-token-prediction layer(s) not counted (their cache exists only for MTP drafting)`,
    );
  const kvHeadsPerLayer = perLayer(key('attention.head_count_kv'), layers) ??
    perLayer(key('attention.head_count'), layers) ?? [metadata.headCount];

  // Which layers are recurrent: llama.cpp's rules per architecture.
  const recurrent: boolean[] = Array.from({ length: layers }, () => false);
  const interval = numberOf(key('full_attention_interval'));
  const zeroKvLayers = kvHeadsPerLayer.some((heads) => heads === 0);
  if (ALL_RECURRENT.has(architecture)) {
    recurrent.fill(true);
  } else if (INTERVAL_HYBRIDS.has(architecture) || (interval !== null && zeroKvLayers)) {
    const every = Math.max(1, interval ?? 4);
    if (interval === null)
      notes.push(`${architecture}.full_attention_interval absent: llama.cpp's default 4 used`);
    for (let layer = 0; layer < layers; layer++) recurrent[layer] = (layer + 1) % every !== 0;
  } else if (zeroKvLayers) {
    for (let layer = 0; layer < layers; layer++) recurrent[layer] = (kvHeadsPerLayer[layer] ?? 0) === 0;
  }
  const recurrentLayers = recurrent.filter(Boolean).length;
  const attentionKvHeads = kvHeadsPerLayer.filter((heads, layer) => heads > 0 && !recurrent[layer]);
  const kvHeads = attentionKvHeads.length > 0 ? Math.max(...attentionKvHeads) : 0;
  if (new Set(attentionKvHeads).size > 1)
    notes.push(
      `KV heads differ per layer (${[...new Set(attentionKvHeads)].join(', ')}): the largest is counted`,
    );

  let stateElements = 0;
  if (recurrentLayers > 0) {
    const stateSize = numberOf(key('ssm.state_size'));
    const innerSize = numberOf(key('ssm.inner_size'));
    if (stateSize === null || innerSize === null) {
      notes.push(
        `recurrent layers without ${architecture}.ssm.state_size / ssm.inner_size: state not counted`,
      );
    } else {
      stateElements = recurrentStateElements({
        stateSize,
        innerSize,
        groupCount: numberOf(key('ssm.group_count')) ?? 0,
        convKernel: numberOf(key('ssm.conv_kernel')) ?? 0,
      });
    }
  }

  // Sliding-window layers among the attention layers.
  const maxContext = metadata.contextLength;
  let window = numberOf(key('attention.sliding_window'));
  if (window !== null && (window <= 0 || (maxContext !== null && window >= maxContext))) window = null;
  const patternValue = key('attention.sliding_window_pattern');
  const swa: boolean[] = Array.from({ length: layers }, () => false);
  if (window !== null) {
    if (Array.isArray(patternValue)) {
      for (let layer = 0; layer < layers; layer++) swa[layer] = Boolean(patternValue[layer]);
    } else {
      const pattern = numberOf(patternValue) ?? DEFAULT_SWA_PATTERN[architecture] ?? null;
      if (pattern === null) {
        notes.push(
          `${architecture}.attention.sliding_window is set but llama.cpp applies no window pattern to ${architecture}: counted as full attention`,
        );
      } else {
        for (let layer = 0; layer < layers; layer++)
          swa[layer] = pattern === 0 || layer % pattern < pattern - 1;
      }
    }
    if (key('attention.key_length_swa') !== undefined)
      notes.push(
        'sliding-window layers have their own head width (key_length_swa): the full width is counted',
      );
  }
  const slidingWindowLayers = swa.filter((isSwa, layer) => isSwa && !recurrent[layer]).length;

  // MoE: every expert resident; active = everything but the unused share of the routed experts.
  const expertCount = numberOf(key('expert_count'));
  const expertUsed = numberOf(key('expert_used_count'));
  let activeParameters = metadata.parameterCount;
  if (expertCount && expertUsed) {
    const routed = metadata.tensors
      .filter((tensor) => /_exps\./.test(tensor.name))
      .reduce((sum, tensor) => sum + tensor.elementCount, 0);
    activeParameters = metadata.parameterCount - routed * (1 - expertUsed / expertCount);
    notes.push(`MoE: ${expertCount} experts, ${expertUsed} used per token; all experts resident`);
  }
  if (maxContext === null) notes.push(`${architecture}.context_length absent: context not capped`);

  // The feed-forward width used per token sizes the compute buffer: dense `feed_forward_length`, or MoE
  // `expert_feed_forward_length` x experts used (+ the shared expert's width).
  const denseFeedForward = perLayer(key('feed_forward_length'), layers);
  const expertFeedForward = numberOf(key('expert_feed_forward_length'));
  const sharedFeedForward = numberOf(key('expert_shared_feed_forward_length')) ?? 0;
  const feedForwardLength =
    expertFeedForward !== null && expertUsed
      ? expertFeedForward * expertUsed + sharedFeedForward
      : denseFeedForward !== null && denseFeedForward.length > 0
        ? Math.max(...denseFeedForward)
        : undefined;

  return {
    shape: {
      parameters: metadata.parameterCount,
      activeParameters,
      layers,
      fullAttentionLayers: layers - recurrentLayers - slidingWindowLayers,
      slidingWindowLayers,
      slidingWindow: slidingWindowLayers > 0 ? window : null,
      kvHeads,
      keyLength: metadata.keyLength ?? metadata.embeddingLength / metadata.headCount,
      valueLength: metadata.valueLength ?? metadata.embeddingLength / metadata.headCount,
      recurrentLayers,
      recurrentStateElements: stateElements,
      maxContext,
      visionParameters: null,
      attentionHeads: metadata.headCount,
      embeddingLength: metadata.embeddingLength,
      ...(feedForwardLength !== undefined && feedForwardLength > 0 ? { feedForwardLength } : {}),
    },
    notes,
  };
}
