import { type FileHandle, open } from 'node:fs/promises';
import {
  DEFAULT_GGUF_ALIGNMENT,
  GGML_TYPE_NAMES,
  GGUF_FILE_TYPE_NAMES,
  GGUF_MAGIC,
  GGUF_SCALAR_SIZE,
  type GgufScalarTypeName,
  ggufValueTypeName,
  SUPPORTED_GGUF_VERSIONS,
} from './gguf-format.ts';

/** A decoded metadata value: 64-bit integers beyond 2^53 stay bigint. */
export type GgufMetadataValue = number | bigint | boolean | string | GgufMetadataValue[];

/** One tensor's header entry (its data is never read). */
export interface GgufTensorInfo {
  name: string;
  dimensions: number[];
  /** ggml type name (`F16`, `Q4_K`, ...) or `type_<code>` for a code this reader does not know. */
  type: string;
  elementCount: number;
  /** Offset of the data, relative to the start of the tensor data section. */
  offset: number;
}

/** What `readGgufMetadata` learns from a GGUF header without touching the weights. */
export interface GgufMetadata {
  path: string;
  fileSizeBytes: number;
  version: number;
  architecture: string | null;
  name: string | null;
  tensorCount: number;
  /** Sum of all tensors' element counts. */
  parameterCount: number;
  /** `general.file_type` as stored, when present. */
  fileType: number | null;
  /** Quantization name (`Q4_K_M`, `Q8_0`, `F16`...), from `general.file_type` or, if absent, the dominant tensor type. */
  quantization: string | null;
  /** File size in bits per parameter (includes the header and metadata, so slightly above the nominal figure). */
  bitsPerWeight: number | null;
  contextLength: number | null;
  blockCount: number | null;
  embeddingLength: number | null;
  feedForwardLength: number | null;
  /** Attention heads (the largest, when the model stores one value per layer). */
  headCount: number | null;
  /** Key/value heads (grouped-query attention); equals `headCount` when the file does not say. */
  headCountKv: number | null;
  /** Per-head key and value widths; default `embeddingLength / headCount`. */
  keyLength: number | null;
  valueLength: number | null;
  /** Sliding-window attention width, when the architecture uses one. */
  slidingWindow: number | null;
  alignment: number;
  /** Offset in the file where tensor data starts. */
  dataOffset: number;
  /** All metadata; arrays longer than `maxArrayLength` (the tokenizer's vocabulary) are left out. */
  metadata: Record<string, GgufMetadataValue>;
  tensors: GgufTensorInfo[];
}

/** Options of {@link readGgufMetadata}. */
export interface ReadGgufMetadataOptions {
  /** Arrays longer than this are skipped, not decoded, and left out of `metadata` (default 1024). */
  maxArrayLength?: number;
}

/** A GGUF file that is malformed, truncated, or of an unsupported version. */
export class GgufFormatError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'GgufFormatError';
    this.path = path;
  }
}

const CHUNK_BYTES = 1 << 20;
/** Sanity bounds: a count beyond these means a corrupt file, not a real model. */
const MAX_STRING_BYTES = 1 << 30;
const MAX_COUNT = 1 << 30;

/** Sequential little-endian reader over a file handle, reading 1 MiB chunks on demand. */
class SequentialFileReader {
  private buffer = Buffer.alloc(0);
  private bufferStart = 0;
  position = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly fileSize: number,
    private readonly path: string,
  ) {}

  private async ensure(bytes: number): Promise<number> {
    if (this.position + bytes > this.fileSize) {
      throw new GgufFormatError(
        this.path,
        `truncated file: needed ${bytes} bytes at offset ${this.position}`,
      );
    }
    const relative = this.position - this.bufferStart;
    if (relative + bytes <= this.buffer.length) return relative;
    const length = Math.min(Math.max(bytes, CHUNK_BYTES), this.fileSize - this.position);
    const chunk = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(chunk, 0, length, this.position);
    if (bytesRead < bytes) throw new GgufFormatError(this.path, `truncated file at offset ${this.position}`);
    this.buffer = chunk.subarray(0, bytesRead);
    this.bufferStart = this.position;
    return 0;
  }

  async uint32(): Promise<number> {
    const at = await this.ensure(4);
    this.position += 4;
    return this.buffer.readUInt32LE(at);
  }

  async uint64(): Promise<bigint> {
    const at = await this.ensure(8);
    this.position += 8;
    return this.buffer.readBigUInt64LE(at);
  }

  async count(what: string): Promise<number> {
    const value = await this.uint64();
    if (value > BigInt(MAX_COUNT))
      throw new GgufFormatError(this.path, `implausible ${what} ${value} (corrupt file?)`);
    return Number(value);
  }

  async string(): Promise<string> {
    const length = await this.uint64();
    if (length > BigInt(MAX_STRING_BYTES))
      throw new GgufFormatError(this.path, `implausible string length ${length}`);
    const at = await this.ensure(Number(length));
    this.position += Number(length);
    return this.buffer.toString('utf8', at, at + Number(length));
  }

  async skipString(): Promise<void> {
    const length = await this.uint64();
    if (length > BigInt(MAX_STRING_BYTES))
      throw new GgufFormatError(this.path, `implausible string length ${length}`);
    this.skip(Number(length));
  }

  skip(bytes: number): void {
    if (this.position + bytes > this.fileSize) {
      throw new GgufFormatError(
        this.path,
        `truncated file: needed ${bytes} bytes at offset ${this.position}`,
      );
    }
    this.position += bytes;
  }

  async scalar(type: GgufScalarTypeName): Promise<number | bigint | boolean | string> {
    if (type === 'string') return this.string();
    const size = GGUF_SCALAR_SIZE[type];
    const at = await this.ensure(size);
    this.position += size;
    const buffer = this.buffer;
    switch (type) {
      case 'uint8':
        return buffer.readUInt8(at);
      case 'int8':
        return buffer.readInt8(at);
      case 'uint16':
        return buffer.readUInt16LE(at);
      case 'int16':
        return buffer.readInt16LE(at);
      case 'uint32':
        return buffer.readUInt32LE(at);
      case 'int32':
        return buffer.readInt32LE(at);
      case 'float32':
        return buffer.readFloatLE(at);
      case 'float64':
        return buffer.readDoubleLE(at);
      case 'bool':
        return buffer.readUInt8(at) !== 0;
      case 'uint64':
        return narrow(buffer.readBigUInt64LE(at));
      case 'int64':
        return narrow(buffer.readBigInt64LE(at));
    }
  }
}

function narrow(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(value)
    : value;
}

async function readValueType(reader: SequentialFileReader, path: string, key: string) {
  const code = await reader.uint32();
  const type = ggufValueTypeName(code);
  if (type === undefined) throw new GgufFormatError(path, `metadata "${key}" has unknown value type ${code}`);
  return type;
}

/** Reads one value; returns `undefined` for an array that was skipped for being too long. */
async function readValue(
  reader: SequentialFileReader,
  path: string,
  key: string,
  maxArrayLength: number,
): Promise<GgufMetadataValue | undefined> {
  const type = await readValueType(reader, path, key);
  if (type !== 'array') return reader.scalar(type);
  const itemType = await readValueType(reader, path, key);
  if (itemType === 'array')
    throw new GgufFormatError(path, `metadata "${key}": nested arrays are not supported`);
  const length = await reader.count(`array length of "${key}"`);
  if (length > maxArrayLength) {
    if (itemType === 'string') {
      for (let index = 0; index < length; index++) await reader.skipString();
    } else {
      reader.skip(length * GGUF_SCALAR_SIZE[itemType]);
    }
    return undefined;
  }
  const items: GgufMetadataValue[] = [];
  for (let index = 0; index < length; index++) items.push(await reader.scalar(itemType));
  return items;
}

function numberOf(value: GgufMetadataValue | undefined): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) {
    const numbers = value.map(numberOf).filter((item): item is number => item !== null);
    return numbers.length > 0 ? Math.max(...numbers) : null;
  }
  return null;
}

function dominantTensorType(tensors: GgufTensorInfo[]): string | null {
  const elementsByType = new Map<string, number>();
  for (const tensor of tensors) {
    if (tensor.dimensions.length < 2) continue;
    elementsByType.set(tensor.type, (elementsByType.get(tensor.type) ?? 0) + tensor.elementCount);
  }
  let best: string | null = null;
  let bestElements = -1;
  for (const [type, elements] of elementsByType) {
    if (elements > bestElements) {
      best = type;
      bestElements = elements;
    }
  }
  return best;
}

/**
 * Reads a GGUF file's header, metadata and tensor infos — never the weights, so it is fast on multi-gigabyte
 * files — and derives what sizing needs: parameter count, quantization, bits per weight, context length and the
 * attention shape for the KV cache. Throws {@link GgufFormatError} for a non-GGUF, truncated or unsupported file.
 */
export async function readGgufMetadata(
  path: string,
  options: ReadGgufMetadataOptions = {},
): Promise<GgufMetadata> {
  const maxArrayLength = options.maxArrayLength ?? 1024;
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`GGUF file not found: ${path}`, { cause: error });
    throw new Error(`Cannot open GGUF file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new GgufFormatError(path, 'not a regular file');
    const fileSizeBytes = stats.size;
    const reader = new SequentialFileReader(handle, fileSizeBytes, path);
    if (fileSizeBytes < 4) throw new GgufFormatError(path, `not a GGUF file (only ${fileSizeBytes} bytes)`);
    const magic = await reader.uint32();
    if (magic !== GGUF_MAGIC) throw new GgufFormatError(path, 'not a GGUF file (bad magic bytes)');
    const version = await reader.uint32();
    if (!SUPPORTED_GGUF_VERSIONS.includes(version)) {
      throw new GgufFormatError(
        path,
        `unsupported GGUF version ${version} (supported: ${SUPPORTED_GGUF_VERSIONS.join(', ')})`,
      );
    }
    const tensorCount = await reader.count('tensor count');
    const metadataCount = await reader.count('metadata count');
    const metadata: Record<string, GgufMetadataValue> = {};
    for (let index = 0; index < metadataCount; index++) {
      const key = await reader.string();
      const value = await readValue(reader, path, key, maxArrayLength);
      if (value !== undefined) metadata[key] = value;
    }
    const tensors: GgufTensorInfo[] = [];
    let parameterCount = 0;
    for (let index = 0; index < tensorCount; index++) {
      const name = await reader.string();
      const dimensionCount = await reader.uint32();
      if (dimensionCount > 8)
        throw new GgufFormatError(path, `tensor "${name}" has ${dimensionCount} dimensions`);
      const dimensions: number[] = [];
      for (let dimension = 0; dimension < dimensionCount; dimension++)
        dimensions.push(Number(await reader.uint64()));
      const typeCode = await reader.uint32();
      const offset = Number(await reader.uint64());
      const elementCount = dimensions.reduce((product, dimension) => product * dimension, 1);
      parameterCount += elementCount;
      tensors.push({
        name,
        dimensions,
        type: GGML_TYPE_NAMES[typeCode] ?? `type_${typeCode}`,
        elementCount,
        offset,
      });
    }
    const alignment = numberOf(metadata['general.alignment']) ?? DEFAULT_GGUF_ALIGNMENT;
    const dataOffset = Math.ceil(reader.position / alignment) * alignment;

    const architecture =
      typeof metadata['general.architecture'] === 'string' ? metadata['general.architecture'] : null;
    const architectureNumber = (suffix: string) =>
      architecture === null ? null : numberOf(metadata[`${architecture}.${suffix}`]);
    const fileType = numberOf(metadata['general.file_type']);
    const quantization =
      fileType !== null
        ? (GGUF_FILE_TYPE_NAMES[fileType] ?? `file_type_${fileType}`)
        : dominantTensorType(tensors);
    const embeddingLength = architectureNumber('embedding_length');
    const headCount = architectureNumber('attention.head_count');
    const headCountKv = architectureNumber('attention.head_count_kv') ?? headCount;
    const defaultHeadWidth =
      embeddingLength !== null && headCount !== null && headCount > 0 ? embeddingLength / headCount : null;
    return {
      path,
      fileSizeBytes,
      version,
      architecture,
      name: typeof metadata['general.name'] === 'string' ? metadata['general.name'] : null,
      tensorCount,
      parameterCount,
      fileType,
      quantization,
      bitsPerWeight: parameterCount > 0 ? (fileSizeBytes * 8) / parameterCount : null,
      contextLength: architectureNumber('context_length'),
      blockCount: architectureNumber('block_count'),
      embeddingLength,
      feedForwardLength: architectureNumber('feed_forward_length'),
      headCount,
      headCountKv,
      keyLength: architectureNumber('attention.key_length') ?? defaultHeadWidth,
      valueLength: architectureNumber('attention.value_length') ?? defaultHeadWidth,
      slidingWindow: architectureNumber('attention.sliding_window'),
      alignment,
      dataOffset,
      metadata,
      tensors,
    };
  } finally {
    await handle.close();
  }
}
