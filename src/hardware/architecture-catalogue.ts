/**
 * A maintained catalogue of the architectures people compare, for `shakedown fit --model NAME`. Every entry keeps
 * the published config values it was built from (Hugging Face `config.json` / model card, linked in `source`) and
 * says in `note` what is rounded or not verified. Parameter counts are the model cards' figures (rounded, as
 * published); layer shapes are exact config values.
 */
import {
  type ArchitectureShape,
  denseShape,
  hybridDeltaNetShape,
  slidingWindowShape,
} from './architecture-shape.ts';

export interface CatalogueEntry {
  /** Catalogue id, e.g. `qwen3.5-9b`. */
  id: string;
  /** Display name. */
  name: string;
  /** Other spellings it answers to: Hugging Face repository, Ollama tag. */
  aliases: string[];
  /** Where the values come from (config.json or model card). */
  source: string;
  /** The published config values the shape was built from, under their config.json names. */
  config: Record<string, number | string>;
  shape: ArchitectureShape;
  /** Layer layout in words, e.g. `8 x (3 Gated DeltaNet + 1 gated attention)`. */
  layout: string;
  /** Experts per MoE layer and experts used per token; null for a dense model. */
  experts: { total: number; active: number; shared: number } | null;
  /** What is rounded, uncertain or left out. */
  note: string;
}

const QWEN3_NOTE =
  'max_position_embeddings is 40,960 (32,768 native; YaRN extends to 131,072, beyond what this catalogue counts as trained)';

function qwen35Hybrid(config: {
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim: number;
  linear_num_key_heads: number;
  linear_num_value_heads: number;
  linear_key_head_dim: number;
  linear_value_head_dim: number;
  linear_conv_kernel_dim: number;
  full_attention_interval: number;
  max_position_embeddings: number;
  parameters: number;
  activeParameters?: number;
}): ArchitectureShape {
  return hybridDeltaNetShape({
    parameters: config.parameters,
    activeParameters: config.activeParameters,
    layers: config.num_hidden_layers,
    kvHeads: config.num_key_value_heads,
    headDim: config.head_dim,
    maxContext: config.max_position_embeddings,
    fullAttentionInterval: config.full_attention_interval,
    linearKeyHeads: config.linear_num_key_heads,
    linearValueHeads: config.linear_num_value_heads,
    linearKeyHeadDim: config.linear_key_head_dim,
    linearValueHeadDim: config.linear_value_head_dim,
    convKernel: config.linear_conv_kernel_dim,
  });
}

const QWEN35_9B = {
  hidden_size: 4096,
  num_hidden_layers: 32,
  num_attention_heads: 16,
  num_key_value_heads: 4,
  head_dim: 256,
  linear_num_key_heads: 16,
  linear_num_value_heads: 32,
  linear_key_head_dim: 128,
  linear_value_head_dim: 128,
  linear_conv_kernel_dim: 4,
  full_attention_interval: 4,
  max_position_embeddings: 262_144,
  parameters: 9e9,
};
const QWEN35_27B = {
  hidden_size: 5120,
  num_hidden_layers: 64,
  num_attention_heads: 24,
  num_key_value_heads: 4,
  head_dim: 256,
  linear_num_key_heads: 16,
  linear_num_value_heads: 48,
  linear_key_head_dim: 128,
  linear_value_head_dim: 128,
  linear_conv_kernel_dim: 4,
  full_attention_interval: 4,
  max_position_embeddings: 262_144,
  parameters: 27e9,
};
const QWEN35_35B_A3B = {
  hidden_size: 2048,
  num_hidden_layers: 40,
  num_attention_heads: 16,
  num_key_value_heads: 2,
  head_dim: 256,
  linear_num_key_heads: 16,
  linear_num_value_heads: 32,
  linear_key_head_dim: 128,
  linear_value_head_dim: 128,
  linear_conv_kernel_dim: 4,
  full_attention_interval: 4,
  max_position_embeddings: 262_144,
  num_experts: 256,
  num_experts_per_tok: 8,
  parameters: 35e9,
  activeParameters: 3e9,
};
const QWEN3_NEXT_80B_A3B = {
  hidden_size: 2048,
  num_hidden_layers: 48,
  num_attention_heads: 16,
  num_key_value_heads: 2,
  head_dim: 256,
  linear_num_key_heads: 16,
  linear_num_value_heads: 32,
  linear_key_head_dim: 128,
  linear_value_head_dim: 128,
  linear_conv_kernel_dim: 4,
  full_attention_interval: 4,
  max_position_embeddings: 262_144,
  num_experts: 512,
  num_experts_per_tok: 10,
  parameters: 80e9,
  activeParameters: 3e9,
};

const QWEN35_VISION_NOTE =
  'Qwen3.5 checkpoints carry a vision encoder (llama.cpp: separate mmproj file); its size is not verified here, so --vision adds nothing for it';

/** The entries as written; {@link ARCHITECTURE_CATALOGUE} adds the widths the compute buffer needs. */
const ENTRIES: readonly CatalogueEntry[] = [
  {
    id: 'qwen3.5-9b',
    name: 'Qwen3.5 9B',
    aliases: ['Qwen/Qwen3.5-9B', 'qwen3.5:9b'],
    source: 'https://huggingface.co/Qwen/Qwen3.5-9B (model card; config.json text_config)',
    config: QWEN35_9B,
    shape: qwen35Hybrid(QWEN35_9B),
    layout: '8 x (3 Gated DeltaNet + 1 gated attention)',
    experts: null,
    note: `parameters: the model card's rounded "9B"; ${QWEN35_VISION_NOTE}`,
  },
  {
    id: 'qwen3.5-27b',
    name: 'Qwen3.5 27B',
    aliases: ['Qwen/Qwen3.5-27B', 'qwen3.5:27b'],
    source: 'https://huggingface.co/Qwen/Qwen3.5-27B (model card; config.json text_config)',
    config: QWEN35_27B,
    shape: qwen35Hybrid(QWEN35_27B),
    layout: '16 x (3 Gated DeltaNet + 1 gated attention)',
    experts: null,
    note: `parameters: the model card's rounded "27B"; ${QWEN35_VISION_NOTE}`,
  },
  {
    id: 'qwen3.5-35b-a3b',
    name: 'Qwen3.5 35B-A3B',
    aliases: ['Qwen/Qwen3.5-35B-A3B', 'qwen3.5:35b-a3b', 'qwen3.5:35b'],
    source: 'https://huggingface.co/Qwen/Qwen3.5-35B-A3B (model card; config.json text_config)',
    config: QWEN35_35B_A3B,
    shape: qwen35Hybrid(QWEN35_35B_A3B),
    layout: '10 x (3 Gated DeltaNet + 1 gated attention), every layer MoE',
    experts: { total: 256, active: 8, shared: 1 },
    note: `parameters: the model card's rounded "35B total, 3B activated"; ${QWEN35_VISION_NOTE}`,
  },
  {
    id: 'qwen3-8b',
    name: 'Qwen3 8B',
    aliases: ['Qwen/Qwen3-8B', 'qwen3:8b'],
    source: 'https://huggingface.co/Qwen/Qwen3-8B/blob/main/config.json',
    config: {
      hidden_size: 4096,
      num_hidden_layers: 36,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      head_dim: 128,
      max_position_embeddings: 40_960,
    },
    shape: denseShape({ parameters: 8.2e9, layers: 36, kvHeads: 8, headDim: 128, maxContext: 40_960 }),
    layout: '36 full-attention layers',
    experts: null,
    note: `parameters: the model card's 8.2B; ${QWEN3_NOTE}`,
  },
  {
    id: 'qwen3-14b',
    name: 'Qwen3 14B',
    aliases: ['Qwen/Qwen3-14B', 'qwen3:14b'],
    source: 'https://huggingface.co/Qwen/Qwen3-14B/blob/main/config.json',
    config: {
      hidden_size: 5120,
      num_hidden_layers: 40,
      num_attention_heads: 40,
      num_key_value_heads: 8,
      head_dim: 128,
      max_position_embeddings: 40_960,
    },
    shape: denseShape({ parameters: 14.8e9, layers: 40, kvHeads: 8, headDim: 128, maxContext: 40_960 }),
    layout: '40 full-attention layers',
    experts: null,
    note: `parameters: the model card's 14.8B; ${QWEN3_NOTE}`,
  },
  {
    id: 'qwen3-32b',
    name: 'Qwen3 32B',
    aliases: ['Qwen/Qwen3-32B', 'qwen3:32b'],
    source: 'https://huggingface.co/Qwen/Qwen3-32B/blob/main/config.json',
    config: {
      hidden_size: 5120,
      num_hidden_layers: 64,
      num_attention_heads: 64,
      num_key_value_heads: 8,
      head_dim: 128,
      max_position_embeddings: 40_960,
    },
    shape: denseShape({ parameters: 32.8e9, layers: 64, kvHeads: 8, headDim: 128, maxContext: 40_960 }),
    layout: '64 full-attention layers',
    experts: null,
    note: `parameters: the model card's 32.8B; ${QWEN3_NOTE}`,
  },
  {
    id: 'qwen3-30b-a3b',
    name: 'Qwen3 30B-A3B',
    aliases: ['Qwen/Qwen3-30B-A3B', 'qwen3:30b-a3b', 'qwen3:30b'],
    source: 'https://huggingface.co/Qwen/Qwen3-30B-A3B/blob/main/config.json',
    config: {
      hidden_size: 2048,
      num_hidden_layers: 48,
      num_attention_heads: 32,
      num_key_value_heads: 4,
      head_dim: 128,
      num_experts: 128,
      num_experts_per_tok: 8,
      max_position_embeddings: 40_960,
    },
    shape: denseShape({
      parameters: 30.5e9,
      activeParameters: 3.3e9,
      layers: 48,
      kvHeads: 4,
      headDim: 128,
      maxContext: 40_960,
    }),
    layout: '48 full-attention layers, every layer MoE',
    experts: { total: 128, active: 8, shared: 0 },
    note: `parameters: the model card's 30.5B total, 3.3B activated; ${QWEN3_NOTE}`,
  },
  {
    id: 'qwen3-next-80b-a3b',
    name: 'Qwen3-Next 80B-A3B',
    aliases: ['Qwen/Qwen3-Next-80B-A3B-Instruct', 'Qwen/Qwen3-Next-80B-A3B-Thinking', 'qwen3-next:80b'],
    source: 'https://huggingface.co/Qwen/Qwen3-Next-80B-A3B-Instruct/blob/main/config.json',
    config: QWEN3_NEXT_80B_A3B,
    shape: qwen35Hybrid(QWEN3_NEXT_80B_A3B),
    layout: '12 x (3 Gated DeltaNet + 1 gated attention), every layer MoE',
    experts: { total: 512, active: 10, shared: 1 },
    note: 'parameters: the model card\'s rounded "80B total, 3B activated"; text only',
  },
  {
    id: 'qwen3-coder-30b-a3b',
    name: 'Qwen3-Coder 30B-A3B',
    aliases: ['Qwen/Qwen3-Coder-30B-A3B-Instruct', 'qwen3-coder:30b', 'qwen3-coder:30b-a3b'],
    source: 'https://huggingface.co/Qwen/Qwen3-Coder-30B-A3B-Instruct/blob/main/config.json',
    config: {
      hidden_size: 2048,
      num_hidden_layers: 48,
      num_attention_heads: 32,
      num_key_value_heads: 4,
      head_dim: 128,
      num_experts: 128,
      num_experts_per_tok: 8,
      max_position_embeddings: 262_144,
    },
    shape: denseShape({
      parameters: 30.5e9,
      activeParameters: 3.3e9,
      layers: 48,
      kvHeads: 4,
      headDim: 128,
      maxContext: 262_144,
    }),
    layout: '48 full-attention layers, every layer MoE',
    experts: { total: 128, active: 8, shared: 0 },
    note: "parameters: the model card's 30.5B total, 3.3B activated",
  },
  {
    id: 'gpt-oss-20b',
    name: 'gpt-oss 20B',
    aliases: ['openai/gpt-oss-20b', 'gpt-oss:20b'],
    source: 'https://huggingface.co/openai/gpt-oss-20b/blob/main/config.json',
    config: {
      hidden_size: 2880,
      num_hidden_layers: 24,
      num_attention_heads: 64,
      num_key_value_heads: 8,
      head_dim: 64,
      sliding_window: 128,
      layer_types: 'sliding_attention / full_attention alternating',
      num_local_experts: 32,
      num_experts_per_tok: 4,
      max_position_embeddings: 131_072,
    },
    shape: slidingWindowShape({
      parameters: 20.9e9,
      activeParameters: 3.6e9,
      layers: 24,
      kvHeads: 8,
      headDim: 64,
      maxContext: 131_072,
      pattern: 2,
      slidingWindow: 128,
    }),
    layout:
      '12 x (1 sliding-window 128 + 1 full attention), every layer MoE; attention sinks (weights, no cache)',
    experts: { total: 32, active: 4, shared: 0 },
    note: 'parameters: the model card rounds to 21B total, 3.6B active (20.9B from the gpt-oss model card paper); experts ship in MXFP4, so --quant changes little for them',
  },
  {
    id: 'gpt-oss-120b',
    name: 'gpt-oss 120B',
    aliases: ['openai/gpt-oss-120b', 'gpt-oss:120b'],
    source: 'https://huggingface.co/openai/gpt-oss-120b/blob/main/config.json',
    config: {
      hidden_size: 2880,
      num_hidden_layers: 36,
      num_attention_heads: 64,
      num_key_value_heads: 8,
      head_dim: 64,
      sliding_window: 128,
      layer_types: 'sliding_attention / full_attention alternating',
      num_local_experts: 128,
      num_experts_per_tok: 4,
      max_position_embeddings: 131_072,
    },
    shape: slidingWindowShape({
      parameters: 116.8e9,
      activeParameters: 5.1e9,
      layers: 36,
      kvHeads: 8,
      headDim: 64,
      maxContext: 131_072,
      pattern: 2,
      slidingWindow: 128,
    }),
    layout:
      '18 x (1 sliding-window 128 + 1 full attention), every layer MoE; attention sinks (weights, no cache)',
    experts: { total: 128, active: 4, shared: 0 },
    note: 'parameters: 116.8B total, 5.1B active (gpt-oss model card paper; the card rounds to 117B); experts ship in MXFP4',
  },
  {
    id: 'llama-3.1-8b',
    name: 'Llama 3.1 8B',
    aliases: ['meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Meta-Llama-3.1-8B-Instruct', 'llama3.1:8b'],
    source: 'https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct/blob/main/config.json',
    config: {
      hidden_size: 4096,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      max_position_embeddings: 131_072,
    },
    shape: denseShape({ parameters: 8.03e9, layers: 32, kvHeads: 8, headDim: 128, maxContext: 131_072 }),
    layout: '32 full-attention layers',
    experts: null,
    note: 'parameters: 8.03B (Hugging Face safetensors count); head dim 128 = hidden 4096 / 32 heads',
  },
  {
    id: 'gemma-3-12b',
    name: 'Gemma 3 12B',
    aliases: ['google/gemma-3-12b-it', 'gemma3:12b'],
    source: 'https://huggingface.co/google/gemma-3-12b-it/blob/main/config.json',
    config: {
      hidden_size: 3840,
      num_hidden_layers: 48,
      num_attention_heads: 16,
      num_key_value_heads: 8,
      head_dim: 256,
      sliding_window: 1024,
      sliding_window_pattern: 6,
      max_position_embeddings: 131_072,
    },
    shape: slidingWindowShape({
      parameters: 12e9,
      layers: 48,
      kvHeads: 8,
      headDim: 256,
      maxContext: 131_072,
      pattern: 6,
      slidingWindow: 1024,
      visionParameters: 0.4e9,
    }),
    layout: '8 x (5 sliding-window 1024 + 1 global attention)',
    experts: null,
    note: 'parameters: the rounded "12B"; vision tower: SigLIP encoder of about 0.4B (approximate, mmproj file)',
  },
  {
    id: 'gemma-3-27b',
    name: 'Gemma 3 27B',
    aliases: ['google/gemma-3-27b-it', 'gemma3:27b'],
    source: 'https://huggingface.co/google/gemma-3-27b-it/blob/main/config.json',
    config: {
      hidden_size: 5376,
      num_hidden_layers: 62,
      num_attention_heads: 32,
      num_key_value_heads: 16,
      head_dim: 128,
      sliding_window: 1024,
      sliding_window_pattern: 6,
      max_position_embeddings: 131_072,
    },
    shape: slidingWindowShape({
      parameters: 27e9,
      layers: 62,
      kvHeads: 16,
      headDim: 128,
      maxContext: 131_072,
      pattern: 6,
      slidingWindow: 1024,
      visionParameters: 0.4e9,
    }),
    layout: '62 layers: 5 sliding-window 1024 then 1 global, repeating (52 local, 10 global)',
    experts: null,
    note: 'parameters: the rounded "27B"; vision tower: SigLIP encoder of about 0.4B (approximate, mmproj file)',
  },
  {
    id: 'devstral-small',
    name: 'Devstral Small 1.1 (24B)',
    aliases: ['mistralai/Devstral-Small-2507', 'mistralai/Devstral-Small-2505', 'devstral:24b', 'devstral'],
    source: 'https://huggingface.co/mistralai/Devstral-Small-2507 (params.json / Mistral Small 3.1 config)',
    config: {
      hidden_size: 5120,
      num_hidden_layers: 40,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      head_dim: 128,
      max_position_embeddings: 131_072,
    },
    shape: denseShape({ parameters: 23.6e9, layers: 40, kvHeads: 8, headDim: 128, maxContext: 131_072 }),
    layout: '40 full-attention layers',
    experts: null,
    note: 'parameters: 23.6B (the card says 24B); text only (the Mistral Small 3.1 vision encoder was removed); Devstral Small 2 (2512) is a different model, not in this catalogue',
  },
];

/** The attention heads and hidden width of the config, carried into the shape (they size the compute buffer). */
function withWidths(entry: CatalogueEntry): CatalogueEntry {
  const heads = entry.config.num_attention_heads;
  const hidden = entry.config.hidden_size;
  return {
    ...entry,
    shape: {
      ...entry.shape,
      ...(typeof heads === 'number' ? { attentionHeads: heads } : {}),
      ...(typeof hidden === 'number' ? { embeddingLength: hidden } : {}),
    },
  };
}

/** The catalogue, in the order `fit --model list` prints it. */
export const ARCHITECTURE_CATALOGUE: readonly CatalogueEntry[] = ENTRIES.map(withWidths);

const normalize = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');

/** Finds a catalogue entry by id, alias (Hugging Face repo, Ollama tag) or display name; case-insensitive. */
export function findArchitecture(name: string): CatalogueEntry | undefined {
  const wanted = normalize(name.replace(/^(ollama|hf|huggingface):/i, ''));
  return ARCHITECTURE_CATALOGUE.find(
    (entry) =>
      normalize(entry.id) === wanted ||
      normalize(entry.name) === wanted ||
      entry.aliases.some((alias) => normalize(alias) === wanted),
  );
}

/** Like {@link findArchitecture}, or a one-line error listing the catalogue. */
export function requireArchitecture(name: string): CatalogueEntry {
  const entry = findArchitecture(name);
  if (!entry) {
    throw new Error(
      `unknown model "${name}" for fit --model; known: ${ARCHITECTURE_CATALOGUE.map((item) => item.id).join(', ')} (or pass --gguf FILE)`,
    );
  }
  return entry;
}
