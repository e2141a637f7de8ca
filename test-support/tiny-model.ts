import { seededRandom } from '../src/shared/seeded-random.ts';
import { type GgufMetadataEntry, type GgufTensor, writeGguf } from './gguf-writer.ts';
import { QWEN_TOOL_TEMPLATE } from './qwen-tool-template.ts';

/** Options of {@link writeTinyRandomModel}. */
export interface TinyRandomModelOptions {
  /** PRNG seed of the weights (default 1): the same seed gives byte-identical files. */
  seed?: number;
  /** Total vocabulary size; padded with reserved control tokens above the natural size (default: natural size). */
  vocabulary?: number;
  /** Embedding width, 32 to 64 (default 32). */
  embedding?: number;
  /** Transformer blocks, 1 or 2 (default 1). */
  layers?: number;
  /** Attention heads; must divide the embedding width (default 4). */
  heads?: number;
  /** Key/value heads (grouped-query attention); must divide `heads` (default heads / 2). */
  keyValueHeads?: number;
  /** Trained context length written to the metadata (default 512). */
  contextLength?: number;
  /** Storage type of the weight matrices (norms stay F32); default F32. */
  weightType?: 'F32' | 'F16';
  /**
   * Chat template: `chatml` (default; node-llama-cpp picks its ChatML wrapper) or `qwen-tools`, the Qwen2.5
   * template with `tools` and `<tool_call>` (llama-server then selects its Hermes/Qwen tool-call format).
   */
  chatTemplate?: 'chatml' | 'qwen-tools';
}

/** What was written, for tests and callers that need the shapes. */
export interface TinyRandomModelInfo {
  path: string;
  vocabulary: number;
  embedding: number;
  layers: number;
  heads: number;
  keyValueHeads: number;
  feedForward: number;
  contextLength: number;
  parameterCount: number;
  bosTokenId: number;
  eosTokenId: number;
}

/** ChatML, the template Qwen-style models ship; node-llama-cpp recognises it and picks its ChatML wrapper. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const TOKEN_TYPE_NORMAL = 1;
const TOKEN_TYPE_CONTROL = 3;

/** The GPT-2 byte-to-unicode table: each byte maps to a printable character so BPE tokens are plain strings. */
export function gpt2ByteToUnicode(): string[] {
  const printable: number[] = [];
  for (let byte = 0x21; byte <= 0x7e; byte++) printable.push(byte);
  for (let byte = 0xa1; byte <= 0xac; byte++) printable.push(byte);
  for (let byte = 0xae; byte <= 0xff; byte++) printable.push(byte);
  const table = new Array<string>(256);
  let extra = 0;
  for (let byte = 0; byte < 256; byte++) {
    table[byte] = printable.includes(byte) ? String.fromCodePoint(byte) : String.fromCodePoint(256 + extra++);
  }
  return table;
}

/** A few byte-level BPE merges (in GPT-2 notation, `Ġ` is a space) so the tokenizer really merges. */
const MERGES: readonly [string, string][] = [
  ['Ġ', 't'],
  ['Ġ', 'a'],
  ['h', 'e'],
  ['i', 'n'],
  ['r', 'e'],
  ['o', 'n'],
  ['Ġt', 'he'],
  ['e', 'r'],
];

const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;
/** Qwen's tool-call markers: added (user-defined) tokens, as in Qwen's own vocabulary. */
const TOOL_TOKENS = ['<tool_call>', '</tool_call>'] as const;
const TOKEN_TYPE_USER_DEFINED = 4;

function checkInteger(name: string, value: number, minimum: number, maximum: number): number {
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    throw new RangeError(
      `writeTinyRandomModel: ${name} must be an integer in [${minimum}, ${maximum}], got ${value}`,
    );
  }
  return value;
}

/**
 * Writes a tiny `llama`-architecture GGUF with random weights and a working byte-level BPE tokenizer (GPT-2 byte
 * alphabet, a few merges, ChatML special tokens and template). llama.cpp loads and runs it; its output is
 * gibberish. Meant for tests of the embedded provider: the file is a few hundred kilobytes.
 */
export async function writeTinyRandomModel(
  path: string,
  options: TinyRandomModelOptions = {},
): Promise<TinyRandomModelInfo> {
  const embedding = checkInteger('embedding', options.embedding ?? 32, 32, 64);
  const layers = checkInteger('layers', options.layers ?? 1, 1, 2);
  const heads = checkInteger('heads', options.heads ?? 4, 1, embedding);
  if (embedding % heads !== 0)
    throw new RangeError(`writeTinyRandomModel: heads (${heads}) must divide embedding (${embedding})`);
  const keyValueHeads = checkInteger(
    'keyValueHeads',
    options.keyValueHeads ?? Math.max(1, heads / 2),
    1,
    heads,
  );
  if (heads % keyValueHeads !== 0) {
    throw new RangeError(
      `writeTinyRandomModel: keyValueHeads (${keyValueHeads}) must divide heads (${heads})`,
    );
  }
  const headDimension = embedding / heads;
  if (headDimension % 2 !== 0)
    throw new RangeError('writeTinyRandomModel: embedding / heads must be even (RoPE)');
  const contextLength = checkInteger('contextLength', options.contextLength ?? 512, 16, 1 << 20);
  const seed = checkInteger('seed', options.seed ?? 1, 0, 0xffffffff);
  const weightType = options.weightType ?? 'F32';
  const feedForward = embedding * 2;

  const byteTable = gpt2ByteToUnicode();
  const tokens: string[] = [...byteTable];
  const tokenTypes: number[] = tokens.map(() => TOKEN_TYPE_NORMAL);
  for (const [left, right] of MERGES) {
    tokens.push(left + right);
    tokenTypes.push(TOKEN_TYPE_NORMAL);
  }
  for (const special of SPECIAL_TOKENS) {
    tokens.push(special);
    tokenTypes.push(TOKEN_TYPE_CONTROL);
  }
  const chatTemplate = options.chatTemplate ?? 'chatml';
  if (chatTemplate === 'qwen-tools') {
    for (const marker of TOOL_TOKENS) {
      tokens.push(marker);
      tokenTypes.push(TOKEN_TYPE_USER_DEFINED);
    }
  }
  const naturalSize = tokens.length;
  const vocabulary = checkInteger('vocabulary', options.vocabulary ?? naturalSize, naturalSize, 32768);
  for (let index = 0; tokens.length < vocabulary; index++) {
    tokens.push(`<|reserved_${index}|>`);
    tokenTypes.push(TOKEN_TYPE_CONTROL);
  }
  const bosTokenId = tokens.indexOf('<|endoftext|>');
  const eosTokenId = tokens.indexOf('<|im_end|>');

  const random = seededRandom(seed);
  const matrix = (name: string, columns: number, rows: number, scale: number): GgufTensor => {
    const data = new Float32Array(columns * rows);
    for (let index = 0; index < data.length; index++) data[index] = (random() * 2 - 1) * scale;
    return { name, dimensions: [columns, rows], type: weightType, data };
  };
  const norm = (name: string): GgufTensor => ({
    name,
    dimensions: [embedding],
    type: 'F32',
    data: new Float32Array(embedding).fill(1),
  });
  const keyValueWidth = headDimension * keyValueHeads;
  const projectionScale = 1 / Math.sqrt(embedding);
  const tensors: GgufTensor[] = [matrix('token_embd.weight', embedding, vocabulary, 0.5)];
  for (let layer = 0; layer < layers; layer++) {
    const prefix = `blk.${layer}`;
    tensors.push(
      norm(`${prefix}.attn_norm.weight`),
      matrix(`${prefix}.attn_q.weight`, embedding, embedding, projectionScale),
      matrix(`${prefix}.attn_k.weight`, embedding, keyValueWidth, projectionScale),
      matrix(`${prefix}.attn_v.weight`, embedding, keyValueWidth, projectionScale),
      matrix(`${prefix}.attn_output.weight`, embedding, embedding, projectionScale),
      norm(`${prefix}.ffn_norm.weight`),
      matrix(`${prefix}.ffn_gate.weight`, embedding, feedForward, projectionScale),
      matrix(`${prefix}.ffn_up.weight`, embedding, feedForward, projectionScale),
      matrix(`${prefix}.ffn_down.weight`, feedForward, embedding, 1 / Math.sqrt(feedForward)),
    );
  }
  tensors.push(norm('output_norm.weight'), matrix('output.weight', embedding, vocabulary, projectionScale));

  const metadata: GgufMetadataEntry[] = [
    { key: 'general.architecture', type: 'string', value: 'llama' },
    { key: 'general.name', type: 'string', value: 'shakedown tiny random-weight test model' },
    { key: 'general.file_type', type: 'uint32', value: weightType === 'F16' ? 1 : 0 },
    { key: 'general.alignment', type: 'uint32', value: 32 },
    { key: 'llama.context_length', type: 'uint32', value: contextLength },
    { key: 'llama.embedding_length', type: 'uint32', value: embedding },
    { key: 'llama.block_count', type: 'uint32', value: layers },
    { key: 'llama.feed_forward_length', type: 'uint32', value: feedForward },
    { key: 'llama.attention.head_count', type: 'uint32', value: heads },
    { key: 'llama.attention.head_count_kv', type: 'uint32', value: keyValueHeads },
    { key: 'llama.rope.dimension_count', type: 'uint32', value: headDimension },
    { key: 'llama.rope.freq_base', type: 'float32', value: 10000 },
    { key: 'llama.attention.layer_norm_rms_epsilon', type: 'float32', value: 1e-5 },
    { key: 'llama.vocab_size', type: 'uint32', value: vocabulary },
    { key: 'tokenizer.ggml.model', type: 'string', value: 'gpt2' },
    { key: 'tokenizer.ggml.pre', type: 'string', value: 'default' },
    { key: 'tokenizer.ggml.tokens', type: 'array', itemType: 'string', value: tokens },
    { key: 'tokenizer.ggml.token_type', type: 'array', itemType: 'int32', value: tokenTypes },
    {
      key: 'tokenizer.ggml.merges',
      type: 'array',
      itemType: 'string',
      value: MERGES.map(([left, right]) => `${left} ${right}`),
    },
    { key: 'tokenizer.ggml.bos_token_id', type: 'uint32', value: bosTokenId },
    { key: 'tokenizer.ggml.eos_token_id', type: 'uint32', value: eosTokenId },
    { key: 'tokenizer.ggml.padding_token_id', type: 'uint32', value: bosTokenId },
    { key: 'tokenizer.ggml.add_bos_token', type: 'bool', value: false },
    {
      key: 'tokenizer.chat_template',
      type: 'string',
      value: chatTemplate === 'qwen-tools' ? QWEN_TOOL_TEMPLATE : CHATML_TEMPLATE,
    },
  ];
  await writeGguf(path, { metadata, tensors });
  const parameterCount = tensors.reduce((sum, tensor) => sum + tensor.data.length, 0);
  return {
    path,
    vocabulary,
    embedding,
    layers,
    heads,
    keyValueHeads,
    feedForward,
    contextLength,
    parameterCount,
    bosTokenId,
    eosTokenId,
  };
}
