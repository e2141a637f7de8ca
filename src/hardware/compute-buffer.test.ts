import { describe, expect, it } from 'vitest';
import { describeWithLlamaServer } from '../../test-support/llama-server.ts';
import { startLlamaServer, writeTinyToolModel } from '../../test-support/llama-server-process.ts';
import { readGgufMetadata } from '../gguf/gguf-reader.ts';
import { requireArchitecture } from './architecture-catalogue.ts';
import { denseShape } from './architecture-shape.ts';
import { estimateComputeBuffer } from './compute-buffer.ts';
import { ggufArchitecture } from './gguf-architecture.ts';

const MIB = 1024 * 1024;

/** The tiny random-weight llama the tests write: 4 heads, 2 KV heads of 16, hidden 64, feed-forward 128. */
const tiny = {
  ...denseShape({ parameters: 108_224, layers: 2, kvHeads: 2, headDim: 16, maxContext: 65_536 }),
  attentionHeads: 4,
  embeddingLength: 64,
  feedForwardLength: 128,
};

describe('estimateComputeBuffer', () => {
  it('pins Qwen3.5 9B at 32k by hand, with and without flash attention', () => {
    const { shape } = requireArchitecture('qwen3.5-9b');
    const withFlash = estimateComputeBuffer(shape, {
      flashAttention: true,
      contextLength: 32_768,
      parallelSlots: 1,
    });
    // mask 32768 x 512 x 2 B = 32 MiB; activations (4096 + 3.5 x 16384 assumed) x 512 x 4 B = 120 MiB.
    expect(withFlash.maskBytes).toBe(32 * MIB);
    expect(withFlash.activationBytes).toBe(120 * MIB);
    expect(withFlash.bytes).toBe(152 * MIB);
    expect(withFlash.assumptions.join(' ')).toContain('feed-forward width assumed 4 x hidden');
    const without = estimateComputeBuffer(shape, {
      flashAttention: false,
      contextLength: 32_768,
      parallelSlots: 1,
    });
    // mask 32768 x 512 x 4 B = 64 MiB; scores 32768 x 512 x 16 heads x 4 B = 1 GiB, + 6 x 4096 x 512 x 4 B = 48 MiB.
    expect(without.maskBytes).toBe(64 * MIB);
    expect(without.attentionScoreBytes).toBe(1024 * MIB + 48 * MIB);
    expect(without.bytes).toBe(1136 * MIB);
  });

  it('sizes per slot and per micro-batch as llama-server measured on the tiny model', () => {
    // Logged by the bundled llama-server (de3ff815): -c 4096 -fa off 40.76 MiB, -fa on 5.01 MiB; -c 4096 -np 2
    // -fa off 20.76 MiB, -fa on 3.01 MiB; -c 4096 -ub 256 -fa off 20.38 MiB; -c 300 -fa off 3.37 MiB.
    const estimate = (
      contextLength: number,
      parallelSlots: number,
      flashAttention: boolean,
      microBatch = 512,
    ) =>
      estimateComputeBuffer(tiny, { contextLength, parallelSlots, flashAttention, microBatch }).bytes / MIB;
    expect(estimate(4096, 1, false)).toBeCloseTo(40.75, 2);
    expect(estimate(4096, 1, true)).toBeCloseTo(5, 2);
    expect(estimate(2048, 2, false)).toBeCloseTo(20.75, 2);
    expect(estimate(2048, 2, true)).toBeCloseTo(3, 2);
    expect(estimate(4096, 1, false, 256)).toBeCloseTo(20.375, 3);
    // 300 tokens: the cache pads to 512 cells, the micro-batch is the 300 tokens there are.
    expect(estimate(300, 1, false)).toBeCloseTo((512 * 300 * 5 * 4 + 6 * 64 * 300 * 4) / MIB, 6);
  });

  it('says what it assumed when the model does not state its widths', () => {
    const guessed = denseShape({ parameters: 8e9, layers: 36, kvHeads: 8, headDim: 128, maxContext: null });
    const estimate = estimateComputeBuffer(guessed, {
      flashAttention: false,
      contextLength: 8192,
      parallelSlots: 1,
    });
    expect(estimate.assumptions).toEqual([
      'attention heads assumed 4 x KV heads (32)',
      'hidden width assumed heads x head dimension (4096)',
      'feed-forward width assumed 4 x hidden (16384) for the compute buffer',
    ]);
    expect(estimate.method).toContain('no flash attention');
  });
});

/** Reads `CPU compute buffer size = N MiB` from llama-server's log (the last reservation wins). */
function loggedComputeBufferMib(log: string): number {
  const sizes = [...log.matchAll(/compute buffer size =\s*([\d.]+) MiB/g)].map((match) => Number(match[1]));
  if (sizes.length === 0) throw new Error(`no compute buffer size in the log:\n${log.slice(-2000)}`);
  return sizes[sizes.length - 1];
}

describeWithLlamaServer('estimateComputeBuffer against the real llama-server', () => {
  it('matches the compute buffer llama-server logs for the GGUF it serves', async () => {
    const model = await writeTinyToolModel({ embedding: 64, layers: 2, heads: 4, contextLength: 16_384 });
    try {
      const { shape } = ggufArchitecture(await readGgufMetadata(model.path));
      for (const [contextSize, parallel, flash] of [
        [4096, 1, 'off'],
        [8192, 2, 'off'],
        [8192, 2, 'on'],
        [1024, 1, 'on'],
      ] as const) {
        const server = await startLlamaServer({
          modelPath: model.path,
          contextSize,
          parallel,
          extraArgs: ['-fa', flash, '-lv', '4'],
        });
        let logged: number;
        try {
          logged = loggedComputeBufferMib(server.log());
        } finally {
          await server.stop();
        }
        const estimated =
          estimateComputeBuffer(shape, {
            flashAttention: flash === 'on',
            contextLength: contextSize / parallel,
            parallelSlots: parallel,
          }).bytes / MIB;
        // The log rounds to 0.01 MiB and holds a few small tensors more (under 0.05 MiB here).
        expect({ contextSize, parallel, flash, difference: Math.abs(logged - estimated) < 0.1 }).toEqual({
          contextSize,
          parallel,
          flash,
          difference: true,
        });
      }
    } finally {
      await model.remove();
    }
  }, 120_000);
});
