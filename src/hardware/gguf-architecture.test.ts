import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GgufInsights, getLlama, readGgufFileInfo } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GgufMetadataEntry, type GgufTensor, writeGguf } from '../../test-support/gguf-writer.ts';
import { readGgufMetadata } from '../gguf/gguf-reader.ts';
import { ggufArchitecture } from './gguf-architecture.ts';
import { estimateFit } from './hardware-fit.ts';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'gguf-architecture-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const u32 = (key: string, value: number): GgufMetadataEntry => ({ key, type: 'uint32', value });
const tensor = (name: string, dimensions: number[]): GgufTensor => ({
  name,
  dimensions,
  type: 'F32',
  data: new Float32Array(dimensions.reduce((product, size) => product * size, 1)),
});

async function architectureOf(name: string, metadata: GgufMetadataEntry[], tensors: GgufTensor[]) {
  const path = join(directory, `${name}.gguf`);
  await writeGguf(path, { metadata, tensors });
  return ggufArchitecture(await readGgufMetadata(path));
}

describe('ggufArchitecture', () => {
  it('reads a Qwen3.5-style hybrid: full_attention_interval and ssm.* keys', async () => {
    const { shape } = await architectureOf(
      'qwen35',
      [
        { key: 'general.architecture', type: 'string', value: 'qwen35' },
        u32('qwen35.block_count', 8),
        u32('qwen35.context_length', 4096),
        u32('qwen35.embedding_length', 64),
        u32('qwen35.attention.head_count', 4),
        u32('qwen35.attention.head_count_kv', 2),
        u32('qwen35.attention.key_length', 16),
        u32('qwen35.attention.value_length', 16),
        u32('qwen35.full_attention_interval', 4),
        u32('qwen35.ssm.conv_kernel', 4),
        u32('qwen35.ssm.inner_size', 32),
        u32('qwen35.ssm.state_size', 8),
        u32('qwen35.ssm.group_count', 2),
        u32('qwen35.ssm.time_step_rank', 4),
      ],
      [tensor('token_embd.weight', [64, 10])],
    );
    // Layers 3 and 7 attend; the other six are Gated DeltaNet.
    expect(shape).toMatchObject({
      layers: 8,
      fullAttentionLayers: 2,
      recurrentLayers: 6,
      slidingWindowLayers: 0,
      kvHeads: 2,
      keyLength: 16,
      valueLength: 16,
      maxContext: 4096,
      parameters: 640,
    });
    // 8 x 32 state + (4 - 1) x (32 + 2 x 2 x 8) conv = 256 + 192.
    expect(shape.recurrentStateElements).toBe(448);
    const estimate = estimateFit(shape, 1024, { bitsPerWeight: 16 });
    // 2 layers x 1024 tokens x 2 heads x (16 + 16) x 2 bytes; 6 layers x 448 x 4 bytes.
    expect(estimate.kvCacheBytes).toBe(262_144);
    expect(estimate.recurrentStateBytes).toBe(10_752);

    // node-llama-cpp's GgufInsights sizes the same file's caches the same way. Its per-kind split is internal
    // (pinned node-llama-cpp version); the public estimate adds graph buffers and cannot be compared exactly.
    const llama = await getLlama({
      gpu: false,
      build: 'never',
      skipDownload: true,
      usePrebuiltBinaries: true,
      progressLogs: false,
    });
    const insights = await GgufInsights.from(await readGgufFileInfo(join(directory, 'qwen35.gguf')), llama);
    const split = (
      insights as unknown as {
        _estimateContextCacheMemorySplitInBytes(options: object): {
          cpuKVCacheSize: number;
          cpuRecurrentStateSize: number;
        };
      }
    )._estimateContextCacheMemorySplitInBytes({
      fullAttentionKvSize: 1024,
      swaKvSize: 1024,
      sequences: 1,
      totalFileLayers: 8,
      finalModelGpuLayers: 0,
      usingGpu: false,
      flashAttention: true,
    });
    expect(split.cpuKVCacheSize).toBe(estimate.kvCacheBytes);
    expect(split.cpuRecurrentStateSize).toBe(estimate.recurrentStateBytes);
  });

  it("applies llama.cpp's default sliding-window pattern for gemma3 (5 local : 1 global)", async () => {
    const { shape } = await architectureOf(
      'gemma3',
      [
        { key: 'general.architecture', type: 'string', value: 'gemma3' },
        u32('gemma3.block_count', 12),
        u32('gemma3.context_length', 8192),
        u32('gemma3.embedding_length', 64),
        u32('gemma3.attention.head_count', 4),
        u32('gemma3.attention.head_count_kv', 2),
        u32('gemma3.attention.key_length', 32),
        u32('gemma3.attention.value_length', 32),
        u32('gemma3.attention.sliding_window', 256),
      ],
      [tensor('token_embd.weight', [64, 4])],
    );
    expect(shape).toMatchObject({ fullAttentionLayers: 2, slidingWindowLayers: 10, slidingWindow: 256 });
    const estimate = estimateFit(shape, 4096, { bitsPerWeight: 16 });
    // Per token per layer: 2 heads x 64 x 2 bytes = 256; window cells: 256 + 512 = 768.
    expect(estimate.fullAttentionKvBytes).toBe(2 * 4096 * 256);
    expect(estimate.slidingWindowKvBytes).toBe(10 * 768 * 256);
  });

  it('reads an explicit window pattern array and counts MoE active parameters from the expert tensors', async () => {
    const { shape, notes } = await architectureOf(
      'gpt-oss',
      [
        { key: 'general.architecture', type: 'string', value: 'gpt-oss' },
        u32('gpt-oss.block_count', 4),
        u32('gpt-oss.context_length', 2048),
        u32('gpt-oss.embedding_length', 8),
        u32('gpt-oss.attention.head_count', 2),
        u32('gpt-oss.attention.head_count_kv', 1),
        u32('gpt-oss.attention.sliding_window', 128),
        {
          key: 'gpt-oss.attention.sliding_window_pattern',
          type: 'array',
          itemType: 'bool',
          value: [true, true, true, false],
        },
        u32('gpt-oss.expert_count', 4),
        u32('gpt-oss.expert_used_count', 1),
      ],
      [tensor('token_embd.weight', [8, 16]), tensor('blk.0.ffn_up_exps.weight', [8, 8, 4])],
    );
    expect(shape).toMatchObject({ fullAttentionLayers: 1, slidingWindowLayers: 3, keyLength: 4 });
    // 128 + 256 parameters; three quarters of the 256 expert parameters are idle per token.
    expect(shape.parameters).toBe(384);
    expect(shape.activeParameters).toBe(192);
    expect(notes.join(' ')).toMatch(/4 experts, 1 used per token; all experts resident/);
  });

  it('says when a window key has no pattern in llama.cpp and counts full attention', async () => {
    const { shape, notes } = await architectureOf(
      'qwen2',
      [
        { key: 'general.architecture', type: 'string', value: 'qwen2' },
        u32('qwen2.block_count', 2),
        u32('qwen2.context_length', 32768),
        u32('qwen2.embedding_length', 16),
        u32('qwen2.attention.head_count', 2),
        u32('qwen2.attention.sliding_window', 4096),
      ],
      [tensor('token_embd.weight', [16, 2])],
    );
    expect(shape).toMatchObject({ fullAttentionLayers: 2, slidingWindowLayers: 0, kvHeads: 2, keyLength: 8 });
    expect(notes.join(' ')).toMatch(/no window pattern to qwen2: counted as full attention/);
  });
});
