import { describe, expect, it } from 'vitest';
import {
  bitsPerWeightOf,
  estimateFit,
  fitVerdict,
  largestFittingContext,
  parseParameterCount,
  typicalShape,
} from './hardware-fit.ts';

const GIB = 1024 ** 3;

describe('hardware fit', () => {
  it('parses parameter counts and quantization names', () => {
    expect(parseParameterCount('9B')).toBe(9e9);
    expect(parseParameterCount('0.5b')).toBe(5e8);
    expect(parseParameterCount('350M')).toBe(3.5e8);
    expect(() => parseParameterCount('nine')).toThrow(/9B/);
    expect(bitsPerWeightOf('q4_k_m')).toBe(4.85);
    expect(() => bitsPerWeightOf('Q9')).toThrow(/known: .*Q4_K_M/);
  });

  it('estimates weights and KV cache for a Qwen3-8B-shaped model at 32k', () => {
    const estimate = estimateFit(
      { parameters: 8.2e9, bitsPerWeight: 4.85, layers: 36, kvHeads: 8, headDimension: 128 },
      32768,
    );
    expect(estimate.weightsBytes / GIB).toBeCloseTo(4.63, 1);
    // 2 (K and V) x 36 layers x 32768 tokens x 8 heads x 128 dims x 2 bytes = 4.5 GiB
    expect(estimate.kvCacheBytes / GIB).toBeCloseTo(4.5, 5);
    expect(estimate.totalBytes).toBeGreaterThan(estimate.weightsBytes + estimate.kvCacheBytes);
  });

  it('judges the fit against a 16 GB GPU', () => {
    const shape = { parameters: 9e9, bitsPerWeight: 4.85, ...typicalShape(9e9) };
    const gpu = { name: 'test GPU', totalBytes: 16 * GIB, freeBytes: 16 * GIB };
    expect(fitVerdict(estimateFit(shape, 32768), gpu)).toBe('fits');
    expect(fitVerdict(estimateFit(shape, 131072), gpu)).toBe('does-not-fit');
    expect(fitVerdict(estimateFit(shape, 32768), null)).toBe('no-gpu');
    const largest = largestFittingContext(shape, 16 * GIB);
    expect(fitVerdict(estimateFit(shape, largest), gpu)).not.toBe('does-not-fit');
    expect(fitVerdict(estimateFit(shape, largest + 4096), gpu)).toBe('does-not-fit');
  });

  it('quantized KV cache shrinks the cache', () => {
    const shape = { parameters: 9e9, bitsPerWeight: 4.85, ...typicalShape(9e9) };
    const f16 = estimateFit(shape, 32768).kvCacheBytes;
    const q8 = estimateFit(shape, 32768, { kvCacheType: 'q8_0' }).kvCacheBytes;
    expect(q8 / f16).toBeCloseTo(1.0625 / 2, 10);
    expect(() => estimateFit(shape, 1024, { kvCacheType: 'q2' })).toThrow(/unknown KV cache type/);
  });
});
