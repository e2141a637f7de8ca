import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGguf, float32ToFloat16Bits, writeGguf } from './gguf-writer.ts';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'gguf-writer-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('encodeGguf', () => {
  it('writes a v3 header, metadata of every type and aligned tensors that an independent parser reads back', async () => {
    const path = join(directory, 'all-types.gguf');
    await writeGguf(path, {
      metadata: [
        { key: 'general.architecture', type: 'string', value: 'llama' },
        { key: 'general.alignment', type: 'uint32', value: 64 },
        { key: 'test.uint8', type: 'uint8', value: 200 },
        { key: 'test.int8', type: 'int8', value: -100 },
        { key: 'test.uint16', type: 'uint16', value: 60000 },
        { key: 'test.int16', type: 'int16', value: -30000 },
        { key: 'test.int32', type: 'int32', value: -2_000_000_000 },
        { key: 'test.float32', type: 'float32', value: 0.5 },
        { key: 'test.float64', type: 'float64', value: Math.PI },
        { key: 'test.bool', type: 'bool', value: true },
        { key: 'test.uint64', type: 'uint64', value: 2n ** 40n },
        { key: 'test.int64', type: 'int64', value: -5 },
        { key: 'test.strings', type: 'array', itemType: 'string', value: ['a', 'Ġb', '<|im_end|>'] },
        { key: 'test.ints', type: 'array', itemType: 'int32', value: [1, -2, 3] },
        { key: 'test.floats', type: 'array', itemType: 'float32', value: [0.25, -1.5] },
      ],
      tensors: [
        { name: 'a.weight', dimensions: [3], type: 'F32', data: Float32Array.from([1, 2, 3]) },
        { name: 'b.weight', dimensions: [2, 2], type: 'F16', data: Float32Array.from([1, -2, 0.5, 65504]) },
      ],
    });
    const bytes = await readFile(path);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('GGUF');
    expect(bytes.readUInt32LE(4)).toBe(3);
    expect(bytes.length % 64).toBe(0);

    const info = await readGgufFileInfo(path, { logWarnings: false });
    expect(info.version).toBe(3);
    const raw = info.metadata as unknown as Record<string, Record<string, unknown>>;
    expect(raw.test).toMatchObject({
      uint8: 200,
      int8: -100,
      uint16: 60000,
      int16: -30000,
      int32: -2_000_000_000,
      float32: 0.5,
      float64: Math.PI,
      bool: true,
      strings: ['a', 'Ġb', '<|im_end|>'],
      ints: [1, -2, 3],
      floats: [0.25, -1.5],
    });
    expect(BigInt(raw.test.uint64 as number | bigint)).toBe(2n ** 40n);
    expect(Number(raw.test.int64)).toBe(-5);
    const tensors = info.fullTensorInfo ?? [];
    expect(tensors.map((tensor) => tensor.name)).toEqual(['a.weight', 'b.weight']);
    expect(tensors[1].dimensions.map(Number)).toEqual([2, 2]);
    expect(Number(tensors[1].offset) % 64).toBe(0);

    const dataStart = bytes.length - 128;
    expect(bytes.readFloatLE(dataStart + 8)).toBe(3);
    expect(bytes.readUInt16LE(dataStart + 64)).toBe(0x3c00);
    expect(bytes.readUInt16LE(dataStart + 66)).toBe(0xc000);
  });

  it('rejects bad input with clear errors', () => {
    const tensor = { name: 't', dimensions: [2], type: 'F32' as const, data: new Float32Array(2) };
    expect(() => encodeGguf({ metadata: [{ key: 'x', type: 'uint8', value: 300 }], tensors: [] })).toThrow(
      /"x".*\[0, 255\]/,
    );
    expect(() => encodeGguf({ metadata: [], tensors: [{ ...tensor, data: new Float32Array(3) }] })).toThrow(
      /3 values given/,
    );
    expect(() => encodeGguf({ metadata: [], tensors: [tensor, tensor] })).toThrow(/given twice/);
    expect(() =>
      encodeGguf({ metadata: [{ key: 'general.alignment', type: 'uint32', value: 24 }], tensors: [] }),
    ).toThrow(/power of two/);
    expect(() => encodeGguf({ metadata: [{ key: 's', type: 'string', value: 3 }], tensors: [] })).toThrow(
      /string/,
    );
  });
});

describe('float32ToFloat16Bits', () => {
  it('converts normal, subnormal, overflowing and special values', () => {
    expect(float32ToFloat16Bits(0)).toBe(0);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(1e6)).toBe(0x7c00);
    expect(float32ToFloat16Bits(Number.NEGATIVE_INFINITY)).toBe(0xfc00);
    expect(float32ToFloat16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
    expect(float32ToFloat16Bits(2 ** -24)).toBe(1);
    expect(float32ToFloat16Bits(2 ** -14)).toBe(0x0400);
  });
});
