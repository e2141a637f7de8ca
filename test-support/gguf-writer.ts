import { writeFile } from 'node:fs/promises';
import {
  DEFAULT_GGUF_ALIGNMENT,
  GGUF_MAGIC,
  GgmlTensorType,
  type GgufScalarTypeName,
  GgufValueType,
} from '../src/gguf/gguf-format.ts';

/** A scalar metadata value as written: numbers for the numeric types (bigint allowed for 64-bit ones). */
export type GgufScalarValue = number | bigint | boolean | string;

/** One metadata key/value pair with its explicit GGUF type. */
export type GgufMetadataEntry =
  | { key: string; type: GgufScalarTypeName; value: GgufScalarValue }
  | { key: string; type: 'array'; itemType: GgufScalarTypeName; value: readonly GgufScalarValue[] };

/** A tensor to write. `dimensions` are in ggml order (innermost first): a matrix `[columns, rows]`. */
export interface GgufTensor {
  name: string;
  dimensions: readonly number[];
  /** Storage type in the file; the values are given as 32-bit floats either way. */
  type: keyof typeof GgmlTensorType;
  data: Float32Array;
}

/** What goes into a GGUF file. */
export interface GgufContent {
  metadata: readonly GgufMetadataEntry[];
  tensors: readonly GgufTensor[];
}

/** Grows a little-endian byte buffer. */
class ByteSink {
  private buffer = Buffer.alloc(4096);
  length = 0;

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + bytes) size *= 2;
    const next = Buffer.alloc(size);
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }

  uint8(value: number): void {
    this.reserve(1);
    this.buffer.writeUInt8(value, this.length);
    this.length += 1;
  }
  int8(value: number): void {
    this.reserve(1);
    this.buffer.writeInt8(value, this.length);
    this.length += 1;
  }
  uint16(value: number): void {
    this.reserve(2);
    this.buffer.writeUInt16LE(value, this.length);
    this.length += 2;
  }
  int16(value: number): void {
    this.reserve(2);
    this.buffer.writeInt16LE(value, this.length);
    this.length += 2;
  }
  uint32(value: number): void {
    this.reserve(4);
    this.buffer.writeUInt32LE(value, this.length);
    this.length += 4;
  }
  int32(value: number): void {
    this.reserve(4);
    this.buffer.writeInt32LE(value, this.length);
    this.length += 4;
  }
  float32(value: number): void {
    this.reserve(4);
    this.buffer.writeFloatLE(value, this.length);
    this.length += 4;
  }
  float64(value: number): void {
    this.reserve(8);
    this.buffer.writeDoubleLE(value, this.length);
    this.length += 8;
  }
  uint64(value: number | bigint): void {
    this.reserve(8);
    this.buffer.writeBigUInt64LE(BigInt(value), this.length);
    this.length += 8;
  }
  int64(value: number | bigint): void {
    this.reserve(8);
    this.buffer.writeBigInt64LE(BigInt(value), this.length);
    this.length += 8;
  }
  bytes(value: Uint8Array): void {
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }
  string(value: string): void {
    const encoded = Buffer.from(value, 'utf8');
    this.uint64(encoded.length);
    this.bytes(encoded);
  }
  padTo(alignment: number): void {
    const padding = (alignment - (this.length % alignment)) % alignment;
    this.reserve(padding);
    this.buffer.fill(0, this.length, this.length + padding);
    this.length += padding;
  }
  toBuffer(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/** Converts a 32-bit float to IEEE 754 half-precision bits (round to nearest even, with overflow to infinity). */
export function float32ToFloat16Bits(value: number): number {
  const floatView = new Float32Array(1);
  const intView = new Uint32Array(floatView.buffer);
  floatView[0] = value;
  const bits = intView[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half += 1;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half += 1;
  return sign | half;
}

function expectNumber(key: string, value: GgufScalarValue): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`GGUF metadata "${key}": expected a finite number, got ${String(value)}`);
  }
  return value;
}

function expectInteger(key: string, value: GgufScalarValue, minimum: number, maximum: number): number {
  const number = expectNumber(key, value);
  if (!Number.isInteger(number) || number < minimum || number > maximum) {
    throw new RangeError(`GGUF metadata "${key}": ${number} is not an integer in [${minimum}, ${maximum}]`);
  }
  return number;
}

function expectBigInteger(key: string, value: GgufScalarValue): number | bigint {
  if (typeof value === 'bigint') return value;
  const number = expectNumber(key, value);
  if (!Number.isSafeInteger(number))
    throw new RangeError(`GGUF metadata "${key}": ${number} is not a safe integer`);
  return number;
}

function writeScalar(sink: ByteSink, key: string, type: GgufScalarTypeName, value: GgufScalarValue): void {
  switch (type) {
    case 'uint8':
      sink.uint8(expectInteger(key, value, 0, 0xff));
      return;
    case 'int8':
      sink.int8(expectInteger(key, value, -0x80, 0x7f));
      return;
    case 'uint16':
      sink.uint16(expectInteger(key, value, 0, 0xffff));
      return;
    case 'int16':
      sink.int16(expectInteger(key, value, -0x8000, 0x7fff));
      return;
    case 'uint32':
      sink.uint32(expectInteger(key, value, 0, 0xffffffff));
      return;
    case 'int32':
      sink.int32(expectInteger(key, value, -0x80000000, 0x7fffffff));
      return;
    case 'float32':
      sink.float32(expectNumber(key, value));
      return;
    case 'float64':
      sink.float64(expectNumber(key, value));
      return;
    case 'uint64': {
      const integer = expectBigInteger(key, value);
      if (BigInt(integer) < 0n) throw new RangeError(`GGUF metadata "${key}": uint64 cannot be negative`);
      sink.uint64(integer);
      return;
    }
    case 'int64':
      sink.int64(expectBigInteger(key, value));
      return;
    case 'bool':
      if (typeof value !== 'boolean') throw new TypeError(`GGUF metadata "${key}": expected a boolean`);
      sink.uint8(value ? 1 : 0);
      return;
    case 'string':
      if (typeof value !== 'string') throw new TypeError(`GGUF metadata "${key}": expected a string`);
      sink.string(value);
      return;
    default:
      throw new TypeError(`GGUF metadata "${key}": unknown value type "${String(type)}"`);
  }
}

function validateTensor(tensor: GgufTensor): number {
  if (tensor.name.length === 0) throw new Error('GGUF tensor with an empty name');
  if (tensor.dimensions.length < 1 || tensor.dimensions.length > 4) {
    throw new RangeError(
      `GGUF tensor "${tensor.name}": needs 1 to 4 dimensions, got ${tensor.dimensions.length}`,
    );
  }
  let elements = 1;
  for (const dimension of tensor.dimensions) {
    if (!Number.isSafeInteger(dimension) || dimension < 1) {
      throw new RangeError(`GGUF tensor "${tensor.name}": bad dimension ${dimension}`);
    }
    elements *= dimension;
  }
  if (tensor.data.length !== elements) {
    throw new RangeError(
      `GGUF tensor "${tensor.name}": ${tensor.data.length} values given for dimensions [${tensor.dimensions.join(', ')}] (${elements} elements)`,
    );
  }
  if (!(tensor.type in GgmlTensorType))
    throw new TypeError(`GGUF tensor "${tensor.name}": unsupported type ${tensor.type}`);
  return elements;
}

function tensorByteLength(tensor: GgufTensor): number {
  return tensor.data.length * (tensor.type === 'F16' ? 2 : 4);
}

/**
 * Encodes a GGUF v3 file in memory: header, metadata, tensor infos, padding to the alignment, tensor data.
 * The alignment is taken from a `general.alignment` entry (uint32) when present, else 32.
 */
export function encodeGguf(content: GgufContent): Buffer {
  const keys = new Set<string>();
  for (const entry of content.metadata) {
    if (keys.has(entry.key)) throw new Error(`GGUF metadata key "${entry.key}" given twice`);
    keys.add(entry.key);
  }
  const names = new Set<string>();
  for (const tensor of content.tensors) {
    validateTensor(tensor);
    if (names.has(tensor.name)) throw new Error(`GGUF tensor "${tensor.name}" given twice`);
    names.add(tensor.name);
  }
  const alignmentEntry = content.metadata.find((entry) => entry.key === 'general.alignment');
  let alignment = DEFAULT_GGUF_ALIGNMENT;
  if (alignmentEntry) {
    if (alignmentEntry.type !== 'uint32')
      throw new TypeError('GGUF metadata "general.alignment" must be a uint32');
    alignment = expectInteger('general.alignment', alignmentEntry.value, 1, 0xffffffff);
    if ((alignment & (alignment - 1)) !== 0)
      throw new RangeError('GGUF "general.alignment" must be a power of two');
  }

  const sink = new ByteSink();
  sink.uint32(GGUF_MAGIC);
  sink.uint32(3);
  sink.uint64(content.tensors.length);
  sink.uint64(content.metadata.length);
  for (const entry of content.metadata) {
    sink.string(entry.key);
    sink.uint32(GgufValueType[entry.type]);
    if (entry.type === 'array') {
      sink.uint32(GgufValueType[entry.itemType]);
      sink.uint64(entry.value.length);
      for (const item of entry.value) writeScalar(sink, entry.key, entry.itemType, item);
    } else {
      writeScalar(sink, entry.key, entry.type, entry.value);
    }
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const tensor of content.tensors) {
    offsets.push(offset);
    sink.string(tensor.name);
    sink.uint32(tensor.dimensions.length);
    for (const dimension of tensor.dimensions) sink.uint64(dimension);
    sink.uint32(GgmlTensorType[tensor.type]);
    sink.uint64(offset);
    offset = alignUp(offset + tensorByteLength(tensor), alignment);
  }
  sink.padTo(alignment);
  const dataStart = sink.length;
  content.tensors.forEach((tensor, index) => {
    const target = dataStart + offsets[index];
    while (sink.length < target) sink.uint8(0);
    if (tensor.type === 'F16') {
      for (const value of tensor.data) sink.uint16(float32ToFloat16Bits(value));
    } else {
      for (const value of tensor.data) sink.float32(value);
    }
  });
  sink.padTo(alignment);
  return sink.toBuffer();
}

/** Writes a GGUF v3 file (see {@link encodeGguf}). */
export async function writeGguf(path: string, content: GgufContent): Promise<void> {
  await writeFile(path, encodeGguf(content));
}
