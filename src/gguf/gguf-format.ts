/**
 * Constants of the GGUF file format (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md) shared by the
 * writer and the reader: magic, value type codes, ggml tensor type codes and llama.cpp file-type names.
 */

/** The four bytes every GGUF file starts with ("GGUF"), read as a little-endian uint32. */
export const GGUF_MAGIC = 0x46554747;

/** The GGUF versions the reader understands (v1 used 32-bit counts and is long gone). */
export const SUPPORTED_GGUF_VERSIONS: readonly number[] = [2, 3];

/** Tensor data alignment used when `general.alignment` is absent. */
export const DEFAULT_GGUF_ALIGNMENT = 32;

/** Type codes of metadata values. */
export const GgufValueType = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

/** Name of a metadata value type. */
export type GgufValueTypeName = keyof typeof GgufValueType;

/** Metadata value types that may appear as array items (arrays of arrays are not supported here). */
export type GgufScalarTypeName = Exclude<GgufValueTypeName, 'array'>;

/** Byte size of each fixed-size scalar value type. */
export const GGUF_SCALAR_SIZE: Readonly<Record<Exclude<GgufScalarTypeName, 'string'>, number>> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  bool: 1,
  uint64: 8,
  int64: 8,
  float64: 8,
};

/** Inverse of {@link GgufValueType}: code to name. */
export function ggufValueTypeName(code: number): GgufValueTypeName | undefined {
  for (const [name, value] of Object.entries(GgufValueType)) {
    if (value === code) return name as GgufValueTypeName;
  }
  return undefined;
}

/** ggml tensor element types, by code (`enum ggml_type`). */
export const GGML_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  6: 'Q5_0',
  7: 'Q5_1',
  8: 'Q8_0',
  9: 'Q8_1',
  10: 'Q2_K',
  11: 'Q3_K',
  12: 'Q4_K',
  13: 'Q5_K',
  14: 'Q6_K',
  15: 'Q8_K',
  16: 'IQ2_XXS',
  17: 'IQ2_XS',
  18: 'IQ3_XXS',
  19: 'IQ1_S',
  20: 'IQ4_NL',
  21: 'IQ3_S',
  22: 'IQ2_S',
  23: 'IQ4_XS',
  24: 'I8',
  25: 'I16',
  26: 'I32',
  27: 'I64',
  28: 'F64',
  29: 'IQ1_M',
  30: 'BF16',
  34: 'TQ1_0',
  35: 'TQ2_0',
  39: 'MXFP4',
  40: 'NVFP4',
};

/** ggml type codes the writer can produce. */
export const GgmlTensorType = { F32: 0, F16: 1 } as const;

/** llama.cpp `general.file_type` (`enum llama_ftype`) to the usual quantization name. */
export const GGUF_FILE_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  4: 'Q4_1_SOME_F16',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  11: 'Q3_K_S',
  12: 'Q3_K_M',
  13: 'Q3_K_L',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  19: 'IQ2_XXS',
  20: 'IQ2_XS',
  21: 'Q2_K_S',
  22: 'IQ3_XS',
  23: 'IQ3_XXS',
  24: 'IQ1_S',
  25: 'IQ4_NL',
  26: 'IQ3_S',
  27: 'IQ3_M',
  28: 'IQ2_S',
  29: 'IQ2_M',
  30: 'IQ4_XS',
  31: 'IQ1_M',
  32: 'BF16',
  33: 'Q4_0_4_4',
  34: 'Q4_0_4_8',
  35: 'Q4_0_8_8',
  36: 'TQ1_0',
  37: 'TQ2_0',
  38: 'MXFP4_MOE',
  39: 'NVFP4',
};
