import { describe, expect, it } from 'vitest';
import { requireArchitecture } from './architecture-catalogue.ts';
import {
  bitsPerWeightOf,
  estimateFit,
  fitVerdict,
  guessedShape,
  largestFittingContext,
  parseParameterCount,
  slidingWindowCells,
} from './hardware-fit.ts';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const Q4 = { bitsPerWeight: 4.85 };

describe('hardware fit', () => {
  it('parses parameter counts and quantization names', () => {
    expect(parseParameterCount('9B')).toBe(9e9);
    expect(parseParameterCount('0.5b')).toBe(5e8);
    expect(parseParameterCount('350M')).toBe(3.5e8);
    expect(() => parseParameterCount('nine')).toThrow(/9B/);
    expect(bitsPerWeightOf('q4_k_m')).toBe(4.85);
    expect(() => bitsPerWeightOf('Q9')).toThrow(/known: .*Q4_K_M/);
  });

  it('estimates weights and KV cache for a Qwen3-8B-shaped dense model at 32k', () => {
    const estimate = estimateFit(
      guessedShape(8.2e9, { layers: 36, kvHeads: 8, headDimension: 128 }),
      32768,
      Q4,
    );
    expect(estimate.weightsBytes).toBe((8.2e9 * 4.85) / 8);
    // 36 layers x 32768 tokens x 8 heads x (128 + 128) x 2 bytes = 4.5 GiB
    expect(estimate.kvCacheBytes).toBe(4.5 * GIB);
    expect(estimate.recurrentStateBytes).toBe(0);
    expect(estimate.totalBytes).toBe(estimate.weightsBytes + estimate.kvCacheBytes + estimate.overheadBytes);
  });

  it('Qwen3.5 9B: KV only in the 8 attention layers (1.0 GiB at 32k f16) plus a fixed recurrent state', () => {
    const shape = requireArchitecture('qwen3.5-9b').shape;
    expect(shape).toMatchObject({ layers: 32, fullAttentionLayers: 8, recurrentLayers: 24, kvHeads: 4 });
    // State 128 x (32 x 128) + conv 3 x (4096 + 2 x 16 x 128) = 524,288 + 24,576 f32 values per layer.
    expect(shape.recurrentStateElements).toBe(548_864);
    const estimate = estimateFit(shape, 32768, Q4);
    // 8 layers x 32768 tokens x 4 heads x (256 + 256) x 2 bytes
    expect(estimate.kvCacheBytes).toBe(1 * GIB);
    // 24 x 548,864 x 4 bytes = 52,690,944 bytes = 50.25 MiB (48 MiB of them the DeltaNet state itself)
    expect(estimate.recurrentStateBytes).toBe(52_690_944);
    expect(estimate.recurrentStateBytes / MIB).toBe(50.25);
    // The recurrent state does not grow with the context; the KV cache does, linearly.
    const long = estimateFit(shape, 262_144, Q4);
    expect(long.recurrentStateBytes).toBe(estimate.recurrentStateBytes);
    expect(long.kvCacheBytes).toBe(8 * GIB);
    // Per slot: two slots double both.
    const twoSlots = estimateFit(shape, 32768, { ...Q4, parallelSlots: 2 });
    expect(twoSlots.kvCacheBytes).toBe(2 * GIB);
    expect(twoSlots.recurrentStateBytes).toBe(2 * 52_690_944);
    // q8_0 KV: 34 bytes per 32 values; the recurrent state stays f32.
    const q8 = estimateFit(shape, 32768, { ...Q4, kvCacheType: 'q8_0' });
    expect(q8.kvCacheBytes).toBe((GIB * 34) / 64);
    expect(q8.recurrentStateBytes).toBe(52_690_944);
  });

  it("adds llama.cpp's compute buffer (flash attention by default) and a 300 MiB runtime allowance", () => {
    const shape = requireArchitecture('qwen3.5-9b').shape;
    const estimate = estimateFit(shape, 32768, Q4);
    // 9e9 x 4.85 / 8 bytes of weights + 1 GiB KV + 50.25 MiB state + 152 MiB compute + 300 MiB runtime.
    expect(estimate.flashAttention).toBe(true);
    expect(estimate.computeBufferBytes).toBe(152 * MIB);
    expect(estimate.overheadBytes).toBe(452 * MIB);
    expect(estimate.totalBytes).toBe((9e9 * 4.85) / 8 + GIB + 52_690_944 + 452 * MIB);
    expect(estimate.computeBufferMethod).toMatch(/flash attention/);
    // Without flash attention the attention scores of one layer dominate: 1136 MiB at 32k (see compute-buffer.test).
    const withoutFlash = estimateFit(shape, 32768, { ...Q4, flashAttention: false });
    expect(withoutFlash.computeBufferBytes).toBe(1136 * MIB);
    expect(withoutFlash.totalBytes - estimate.totalBytes).toBe((1136 - 152) * MIB);
  });

  it('Qwen3.5 27B and 35B-A3B and Qwen3-Next: KV and state from their configs', () => {
    // 27B: 16 attention layers x 4 KV heads x 512 x 2 bytes = 64 KiB per token; 48 DeltaNet layers of
    // 128 x 6144 + 3 x (6144 + 4096) = 817,152 f32 values.
    const dense27 = estimateFit(requireArchitecture('qwen3.5-27b').shape, 32768, Q4);
    expect(dense27.kvCacheBytes).toBe(2 * GIB);
    expect(dense27.recurrentStateBytes).toBe(48 * 817_152 * 4);
    // 35B-A3B: 10 attention layers x 2 KV heads x 512 x 2 = 20 KiB per token; 30 DeltaNet layers.
    const moe = requireArchitecture('qwen3.5:35b-a3b').shape;
    expect(moe).toMatchObject({ parameters: 35e9, activeParameters: 3e9, fullAttentionLayers: 10 });
    expect(estimateFit(moe, 32768, Q4).kvCacheBytes).toBe(640 * MIB);
    expect(estimateFit(moe, 32768, Q4).recurrentStateBytes).toBe(30 * 548_864 * 4);
    // Qwen3-Next 80B-A3B: 12 attention layers, 36 DeltaNet layers.
    const next = estimateFit(requireArchitecture('qwen3-next-80b-a3b').shape, 32768, Q4);
    expect(next.kvCacheBytes).toBe(768 * MIB);
    expect(next.recurrentStateBytes).toBe(36 * 548_864 * 4);
  });

  it('sliding-window layers keep the window plus a micro-batch (gpt-oss, Gemma 3)', () => {
    expect(slidingWindowCells(128, 32768)).toBe(768);
    expect(slidingWindowCells(1024, 32768)).toBe(1536);
    expect(slidingWindowCells(1024, 1000)).toBe(1024);
    // gpt-oss 20B: 12 full layers x 32768 x 8 heads x (64 + 64) x 2 = 768 MiB; 12 window layers x 768 cells = 18 MiB.
    const oss = estimateFit(requireArchitecture('gpt-oss-20b').shape, 32768, Q4);
    expect(oss.fullAttentionKvBytes).toBe(768 * MIB);
    expect(oss.slidingWindowKvBytes).toBe(18 * MIB);
    expect(oss.kvCacheBytes).toBe(786 * MIB);
    // Gemma 3 12B: 8 global layers x 32768 x 8 x 512 x 2 = 2 GiB; 40 local layers x 1536 cells = 480 MiB.
    const gemma = estimateFit(requireArchitecture('gemma-3-12b').shape, 32768, Q4);
    expect(gemma.fullAttentionKvBytes).toBe(2 * GIB);
    expect(gemma.slidingWindowKvBytes).toBe(480 * MIB);
    // Gemma 3 27B: 10 global, 52 local layers of 16 KV heads x 256.
    const gemma27 = requireArchitecture('gemma-3-27b').shape;
    expect(gemma27).toMatchObject({ fullAttentionLayers: 10, slidingWindowLayers: 52 });
    expect(estimateFit(gemma27, 32768, Q4).fullAttentionKvBytes).toBe(10 * 32768 * 16 * 256 * 2);
  });

  it('dense and MoE catalogue entries: f16 KV bytes per token = layers x KV heads x (K + V dims) x 2', () => {
    const perToken = (id: string) =>
      estimateFit(requireArchitecture(id).shape, 1024, Q4).fullAttentionKvBytes / 1024;
    expect(perToken('qwen3-8b')).toBe(36 * 8 * 256 * 2);
    expect(perToken('qwen3-14b')).toBe(40 * 8 * 256 * 2);
    expect(perToken('qwen3-32b')).toBe(64 * 8 * 256 * 2);
    expect(perToken('qwen3-30b-a3b')).toBe(48 * 4 * 256 * 2);
    expect(perToken('qwen3-coder-30b-a3b')).toBe(48 * 4 * 256 * 2);
    expect(perToken('llama-3.1-8b')).toBe(32 * 8 * 256 * 2);
    expect(perToken('devstral-small')).toBe(40 * 8 * 256 * 2);
    // gpt-oss 120B: 18 full layers x 8 x 128 x 2 per token; 18 window layers x 768 cells at any longer context.
    expect(perToken('gpt-oss-120b')).toBe(18 * 8 * 128 * 2);
    expect(estimateFit(requireArchitecture('gpt-oss-120b').shape, 65536, Q4).slidingWindowKvBytes).toBe(
      18 * 768 * 8 * 128 * 2,
    );
  });

  it('counts the vision tower only when asked', () => {
    const shape = requireArchitecture('gemma-3-12b').shape;
    expect(estimateFit(shape, 4096, Q4).visionBytes).toBe(0);
    expect(estimateFit(shape, 4096, { ...Q4, vision: true }).visionBytes).toBe(0.4e9 * 2);
  });

  it('judges the fit and finds the largest context, capped at the trained maximum', () => {
    const shape = guessedShape(9e9);
    const gpu = { totalBytes: 16 * GIB };
    expect(fitVerdict(estimateFit(shape, 32768, Q4), gpu)).toBe('fits');
    expect(fitVerdict(estimateFit(shape, 131072, Q4), gpu)).toBe('does-not-fit');
    expect(fitVerdict(estimateFit(shape, 32768, Q4), null)).toBe('no-gpu');
    const largest = largestFittingContext(shape, 16 * GIB, Q4);
    expect(largest % 1024).toBe(0);
    expect(fitVerdict(estimateFit(shape, largest, Q4), gpu)).not.toBe('does-not-fit');
    expect(fitVerdict(estimateFit(shape, largest + 1024, Q4), gpu)).toBe('does-not-fit');
    // Qwen3.5 9B on a 24 GiB card: 262,144 tokens need 8 GiB of KV, so the answer is the trained maximum.
    const qwen = requireArchitecture('qwen3.5-9b').shape;
    expect(largestFittingContext(qwen, 24 * GIB, Q4)).toBe(262_144);
    expect(largestFittingContext(qwen, 2 * GIB, Q4)).toBe(0);
  });

  it('rejects an unknown KV cache type', () => {
    expect(() => estimateFit(guessedShape(9e9), 1024, { ...Q4, kvCacheType: 'q2' })).toThrow(
      /unknown KV cache type/,
    );
  });
});
