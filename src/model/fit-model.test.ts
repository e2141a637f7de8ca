import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { fitModel, formatFitReport } from './fit-model.ts';
import { writeTinyRandomModel } from './gguf/tiny-model.ts';

const GIB = 1024 ** 3;

describe('fitModel', () => {
  it('reads the real shape from a GGUF header', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'shakedown-fit-'));
    const file = path.join(directory, 'tiny.gguf');
    const written = await writeTinyRandomModel(file, { layers: 2 });
    const report = await fitModel({ gguf: file, contextLength: 512 }, [
      { name: 'test GPU', totalBytes: GIB, freeBytes: GIB },
    ]);
    expect(report.source).toBe('gguf');
    expect(report.shape.layers).toBe(2);
    expect(report.shape.parameters).toBe(written.parameterCount);
    expect(report.verdict).toBe('fits');
    expect(report.estimate.assumptions).toEqual([]);
  });

  it('estimates from --params and --quant, saying what it assumed', async () => {
    const report = await fitModel({ parameters: '9B', quantization: 'q4_k_m', contextLength: 32768 }, []);
    expect(report.verdict).toBe('no-gpu');
    expect(report.largestContext).toBeNull();
    expect(report.estimate.assumptions[0]).toMatch(/assumed typical/);
    expect(formatFitReport(report)).toMatch(/GPU: +none detected/);
    const tight = await fitModel({
      parameters: '9B',
      quantization: 'Q4_K_M',
      contextLength: 131072,
      gpuMemoryBytes: 16 * GIB,
    });
    expect(tight.verdict).toBe('does-not-fit');
    expect(tight.largestContext).toBeGreaterThan(8192);
  });

  it('refuses incomplete requests', async () => {
    await expect(fitModel({ parameters: '9B', contextLength: 1024 }, [])).rejects.toThrow(/--quant/);
  });

  it('runs as a CLI command', async () => {
    const result = await execa(
      'node',
      [
        'bin/shakedown.js',
        'fit',
        '--params',
        '9B',
        '--quant',
        'Q4_K_M',
        '--ctx',
        '32768',
        '--gpu-memory',
        '16',
        '--json',
      ],
      { cwd: path.resolve(import.meta.dirname, '../..'), reject: false },
    );
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout).verdict).toBe('fits');
  });
});
