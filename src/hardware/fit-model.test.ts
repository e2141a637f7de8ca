import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { writeTinyRandomModel } from '../../test-support/tiny-model.ts';
import { ARCHITECTURE_CATALOGUE } from './architecture-catalogue.ts';
import { fitModel, formatFitReport } from './fit-model.ts';

const GIB = 1024 ** 3;
const ONE_GPU = (gib: number) => [{ name: 'test GPU', totalBytes: gib * GIB, freeBytes: gib * GIB }];

describe('fitModel', () => {
  it('reads the real shape from a GGUF header', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'shakedown-fit-'));
    const file = path.join(directory, 'tiny.gguf');
    const written = await writeTinyRandomModel(file, { layers: 2 });
    const report = await fitModel({ gguf: file, contextLength: 512 }, ONE_GPU(1));
    expect(report.source).toBe('gguf');
    expect(report.shape).toMatchObject({ layers: 2, fullAttentionLayers: 2, maxContext: 512 });
    expect(report.shape.parameters).toBe(written.parameterCount);
    expect(report.verdict).toBe('fits');
    await expect(fitModel({ gguf: file, contextLength: 1024 }, ONE_GPU(1))).rejects.toThrow(
      /above .*trained maximum of 512 tokens; use --ctx 512 or less/,
    );
  });

  it('answers for a catalogue model: Qwen3.5 9B at 32k is 1.0 GiB of KV plus 50.25 MiB of state', async () => {
    const report = await fitModel({ model: 'Qwen/Qwen3.5-9B', contextLength: 32768 }, ONE_GPU(16));
    expect(report.source).toBe('catalogue');
    expect(report.catalogue?.source).toMatch(/^https:\/\/huggingface.co\/Qwen\/Qwen3.5-9B/);
    expect(report.estimate.kvCacheBytes).toBe(GIB);
    expect(report.estimate.recurrentStateBytes).toBe(52_690_944);
    expect(report.quantization).toBe('Q4_K_M');
    expect(report.estimate.assumptions.join(' ')).toMatch(/quantization assumed Q4_K_M/);
    expect(report.verdict).toBe('fits');
    // 16 GiB holds the trained maximum: the answer is capped there, never above.
    expect(report.largestContext).toBe(262_144);
    const text = formatFitReport(report);
    expect(text).toContain('Layout:       32 layers: 8 full attention, 24 recurrent');
    expect(text).toContain('KV cache:     1.00 GiB at 32,768 tokens, f16');
    expect(text).toContain('Recurrent:    50.25 MiB fixed state (24 layers x 548,864 f32 values)');
    expect(text).toContain('Largest context that fits: 262,144 tokens (the trained maximum)');
    expect(text).toContain('llama-server: -c 32768 -np 1');
  });

  it('reports MoE active parameters and refuses a context above the trained maximum', async () => {
    const report = await fitModel({ model: 'qwen3-30b-a3b', quantization: 'q4_k_m' }, ONE_GPU(24));
    expect(report.estimate.contextLength).toBe(32768);
    expect(formatFitReport(report)).toContain('30.50B total, all resident; 3.30B active per token');
    await expect(fitModel({ model: 'qwen3-8b', contextLength: 65536 }, ONE_GPU(24))).rejects.toThrow(
      /Qwen3 8B's trained maximum of 40,960 tokens; use --ctx 40960 or less/,
    );
    await expect(fitModel({ model: 'qwen9' }, [])).rejects.toThrow(/unknown model "qwen9".*qwen3.5-9b/);
  });

  it('answers for 12, 16 and 24 GiB cards when no GPU is found', async () => {
    const report = await fitModel({ model: 'qwen3.5-27b' }, []);
    expect(report.gpu).toBeNull();
    expect(report.commonCards.map((card) => card.name)).toEqual([
      '12 GiB card',
      '16 GiB card',
      '24 GiB card',
    ]);
    // 27B x 4.85 bits = 15.2 GiB of weights: not on 12 or 16 GiB, fits 24 GiB with a capped context.
    expect(report.commonCards.map((card) => card.verdict)).toEqual(['does-not-fit', 'does-not-fit', 'fits']);
    expect(report.commonCards[0].largestContext).toBe(0);
    expect(report.commonCards[2].largestContext).toBeGreaterThan(32768);
    expect(report.commonCards[2].largestContext).toBeLessThanOrEqual(262_144);
    const text = formatFitReport(report);
    expect(text).toContain('GPU:          none detected; for common cards:');
    expect(text).toMatch(/12 GiB card +does-not-fit +largest context: not even the weights fit/);
  });

  it('estimates from --params and --quant, saying what it assumed', async () => {
    const report = await fitModel({ parameters: '9B', quantization: 'q4_k_m', contextLength: 32768 }, []);
    expect(report.verdict).toBe('no-gpu');
    expect(report.largestContext).toBeNull();
    expect(report.estimate.assumptions[0]).toMatch(/assumed dense and typical/);
    const tight = await fitModel({
      parameters: '9B',
      quantization: 'Q4_K_M',
      contextLength: 131072,
      gpuMemoryBytes: 16 * GIB,
    });
    expect(tight.verdict).toBe('does-not-fit');
    expect(tight.largestContext).toBeGreaterThan(8192);
  });

  it('counts the vision tower: from parameters with --vision, exactly from an --mmproj file', async () => {
    const without = await fitModel({ model: 'gemma-3-12b' }, ONE_GPU(24));
    expect(without.estimate.visionBytes).toBe(0);
    expect(without.estimate.assumptions.join(' ')).toMatch(/vision tower not counted/);
    const estimated = await fitModel({ model: 'gemma-3-12b', vision: true }, ONE_GPU(24));
    expect(estimated.estimate.visionBytes).toBe(0.8e9);
    expect(estimated.estimate.totalBytes - without.estimate.totalBytes).toBe(0.8e9);
    const directory = await mkdtemp(path.join(tmpdir(), 'shakedown-fit-'));
    const mmproj = path.join(directory, 'mmproj.gguf');
    await writeFile(mmproj, Buffer.alloc(12_345));
    const exact = await fitModel({ model: 'gemma-3-12b', mmproj }, ONE_GPU(24));
    expect(exact.estimate.visionBytes).toBe(12_345);
    await expect(fitModel({ model: 'gemma-3-12b', mmproj: `${mmproj}.missing` }, [])).rejects.toThrow(
      /cannot read --mmproj/,
    );
  });

  it('refuses incomplete or conflicting requests', async () => {
    await expect(fitModel({ parameters: '9B', contextLength: 1024 }, [])).rejects.toThrow(/--quant/);
    await expect(fitModel({ model: 'qwen3-8b', parameters: '9B' }, [])).rejects.toThrow(/only one of/);
  });

  it('every catalogue entry names its source and keeps a consistent shape', () => {
    for (const entry of ARCHITECTURE_CATALOGUE) {
      expect(entry.source).toMatch(/^https:\/\/huggingface.co\//);
      const { shape } = entry;
      expect(shape.fullAttentionLayers + shape.slidingWindowLayers + shape.recurrentLayers).toBe(
        shape.layers,
      );
      expect(shape.layers).toBe(entry.config.num_hidden_layers);
      expect(shape.kvHeads).toBe(entry.config.num_key_value_heads);
      expect(shape.maxContext).toBe(entry.config.max_position_embeddings);
      expect(shape.activeParameters).toBeLessThanOrEqual(shape.parameters);
    }
  });

  it('runs as a CLI command with --model and --json', async () => {
    const result = await execa(
      'node',
      ['bin/shakedown.js', 'fit', '--model', 'qwen3.5-9b', '--ctx', '32768', '--gpu-memory', '16', '--json'],
      { cwd: path.resolve(import.meta.dirname, '../..'), reject: false },
    );
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.verdict).toBe('fits');
    expect(report.estimate.kvCacheBytes).toBe(GIB);
    expect(report.estimate.recurrentStateBytes).toBe(52_690_944);
  });
});
