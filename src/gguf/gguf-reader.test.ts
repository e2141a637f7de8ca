import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGguf } from '../../test-support/gguf-writer.ts';
import { type TinyRandomModelInfo, writeTinyRandomModel } from '../../test-support/tiny-model.ts';
import { GgufFormatError, readGgufMetadata } from './gguf-reader.ts';

let directory: string;
let modelPath: string;
let model: TinyRandomModelInfo;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'gguf-reader-'));
  modelPath = join(directory, 'tiny.gguf');
  model = await writeTinyRandomModel(modelPath, { layers: 2, embedding: 64, heads: 8, keyValueHeads: 2 });
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('readGgufMetadata', () => {
  it('reads architecture, sizes and attention shape of the tiny random-weight model', async () => {
    const metadata = await readGgufMetadata(modelPath, { maxArrayLength: 100 });
    expect(metadata).toMatchObject({
      version: 3,
      architecture: 'llama',
      name: 'shakedown tiny random-weight test model',
      fileType: 0,
      quantization: 'F32',
      contextLength: 512,
      blockCount: 2,
      embeddingLength: 64,
      feedForwardLength: 128,
      headCount: 8,
      headCountKv: 2,
      keyLength: 8,
      valueLength: 8,
      slidingWindow: null,
      alignment: 32,
      tensorCount: 3 + 2 * 9,
    });
    expect(metadata.parameterCount).toBe(model.parameterCount);
    expect(metadata.bitsPerWeight).toBeGreaterThan(32);
    expect(metadata.bitsPerWeight).toBeLessThan(40);
    expect(metadata.fileSizeBytes).toBe((await readFile(modelPath)).length);
    expect(metadata.dataOffset % 32).toBe(0);
    expect(metadata.tensors.find((tensor) => tensor.name === 'blk.1.attn_k.weight')).toMatchObject({
      dimensions: [64, 16],
      type: 'F32',
      elementCount: 1024,
    });
    expect(metadata.metadata['tokenizer.ggml.model']).toBe('gpt2');
    expect(metadata.metadata['tokenizer.ggml.tokens']).toBeUndefined();
    expect(metadata.metadata['tokenizer.ggml.merges']).toHaveLength(8);
  });

  it('keeps long arrays when asked and names F16 models', async () => {
    const path = join(directory, 'tiny-f16.gguf');
    await writeTinyRandomModel(path, { weightType: 'F16' });
    const metadata = await readGgufMetadata(path, { maxArrayLength: 100_000 });
    expect(metadata.quantization).toBe('F16');
    expect(metadata.metadata['tokenizer.ggml.tokens']).toHaveLength(267);
    expect(metadata.bitsPerWeight).toBeLessThan(24);
  });

  it('maps quantized file types and infers the type from tensors when general.file_type is absent', async () => {
    const quantized = join(directory, 'q4km.gguf');
    await writeGguf(quantized, {
      metadata: [
        { key: 'general.architecture', type: 'string', value: 'qwen2' },
        { key: 'general.file_type', type: 'uint32', value: 15 },
        { key: 'qwen2.attention.head_count', type: 'array', itemType: 'int32', value: [4, 8] },
      ],
      tensors: [],
    });
    const quantizedMetadata = await readGgufMetadata(quantized);
    expect(quantizedMetadata.quantization).toBe('Q4_K_M');
    expect(quantizedMetadata.headCount).toBe(8);
    expect(quantizedMetadata.headCountKv).toBe(8);
    expect(quantizedMetadata.parameterCount).toBe(0);
    expect(quantizedMetadata.bitsPerWeight).toBeNull();

    const untyped = join(directory, 'untyped.gguf');
    await writeGguf(untyped, {
      metadata: [],
      tensors: [
        { name: 'w', dimensions: [4, 4], type: 'F16', data: new Float32Array(16) },
        { name: 'n', dimensions: [4], type: 'F32', data: new Float32Array(4) },
      ],
    });
    const untypedMetadata = await readGgufMetadata(untyped);
    expect(untypedMetadata.quantization).toBe('F16');
    expect(untypedMetadata.architecture).toBeNull();
    expect(untypedMetadata.contextLength).toBeNull();
  });

  it('rejects missing, garbage, truncated and unsupported-version files with clear errors', async () => {
    await expect(readGgufMetadata(join(directory, 'absent.gguf'))).rejects.toThrow(/GGUF file not found/);

    const garbage = join(directory, 'garbage.gguf');
    await writeFile(garbage, 'this is not a model, just some text');
    await expect(readGgufMetadata(garbage)).rejects.toThrow(/not a GGUF file \(bad magic bytes\)/);

    const tiny = join(directory, 'tiny-file.gguf');
    await writeFile(tiny, 'GG');
    await expect(readGgufMetadata(tiny)).rejects.toBeInstanceOf(GgufFormatError);

    const bytes = await readFile(modelPath);
    const truncated = join(directory, 'truncated.gguf');
    await writeFile(truncated, bytes.subarray(0, 2000));
    await expect(readGgufMetadata(truncated)).rejects.toThrow(/truncated file/);

    const future = join(directory, 'future.gguf');
    const futureBytes = Buffer.from(bytes);
    futureBytes.writeUInt32LE(99, 4);
    await writeFile(future, futureBytes);
    await expect(readGgufMetadata(future)).rejects.toThrow(/unsupported GGUF version 99/);

    const corrupt = join(directory, 'corrupt.gguf');
    const corruptBytes = Buffer.from(bytes);
    corruptBytes.writeBigUInt64LE(2n ** 62n, 16);
    await writeFile(corrupt, corruptBytes);
    await expect(readGgufMetadata(corrupt)).rejects.toThrow(/implausible metadata count/);

    await expect(readGgufMetadata(directory)).rejects.toThrow(/not a regular file|EISDIR/);
  });
});
