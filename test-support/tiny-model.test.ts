import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QWEN_TOOL_TEMPLATE } from './qwen-tool-template.ts';
import { gpt2ByteToUnicode, writeTinyRandomModel } from './tiny-model.ts';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tiny-model-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('writeTinyRandomModel (random weights)', () => {
  it('writes a small llama GGUF that node-llama-cpp parses, with a byte-level BPE vocabulary and ChatML template', async () => {
    const path = join(directory, 'model.gguf');
    const info = await writeTinyRandomModel(path, {
      vocabulary: 300,
      embedding: 48,
      heads: 6,
      keyValueHeads: 3,
    });
    expect((await stat(path)).size).toBeLessThan(2 * 1024 * 1024);
    const file = await readGgufFileInfo(path, { logWarnings: false });
    const metadata = file.metadata as unknown as {
      general: { architecture: string };
      llama: {
        embedding_length: number;
        attention: { head_count_kv: number };
        rope: { dimension_count: number };
      };
      tokenizer: { ggml: { model: string; tokens: string[]; token_type: number[] }; chat_template: string };
    };
    expect(metadata.general.architecture).toBe('llama');
    expect(metadata.llama.embedding_length).toBe(48);
    expect(metadata.llama.attention.head_count_kv).toBe(3);
    expect(metadata.llama.rope.dimension_count).toBe(8);
    expect(metadata.tokenizer.ggml.model).toBe('gpt2');
    expect(metadata.tokenizer.ggml.tokens).toHaveLength(300);
    expect(metadata.tokenizer.ggml.tokens[info.eosTokenId]).toBe('<|im_end|>');
    expect(metadata.tokenizer.chat_template).toContain('<|im_start|>');
    const output = file.fullTensorInfo?.find((tensor) => tensor.name === 'output.weight');
    expect(output?.dimensions.map(Number)).toEqual([48, 300]);
  });

  it('qwen-tools: the Qwen2.5 tool-calling template and <tool_call> markers as user-defined tokens', async () => {
    const path = join(directory, 'qwen.gguf');
    const info = await writeTinyRandomModel(path, { chatTemplate: 'qwen-tools' });
    const file = await readGgufFileInfo(path, { logWarnings: false });
    const tokenizer = (
      file.metadata as unknown as {
        tokenizer: { ggml: { tokens: string[]; token_type: number[] }; chat_template: string };
      }
    ).tokenizer;
    expect(tokenizer.chat_template).toBe(QWEN_TOOL_TEMPLATE);
    const open = tokenizer.ggml.tokens.indexOf('<tool_call>');
    const close = tokenizer.ggml.tokens.indexOf('</tool_call>');
    expect(open).toBeGreaterThan(0);
    expect(close).toBe(open + 1);
    expect([tokenizer.ggml.token_type[open], tokenizer.ggml.token_type[close]]).toEqual([4, 4]);
    expect(info.vocabulary).toBe(tokenizer.ggml.tokens.length);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const first = join(directory, 'first.gguf');
    const again = join(directory, 'again.gguf');
    const other = join(directory, 'other.gguf');
    await writeTinyRandomModel(first, { seed: 7 });
    await writeTinyRandomModel(again, { seed: 7 });
    await writeTinyRandomModel(other, { seed: 8 });
    const [firstBytes, againBytes, otherBytes] = await Promise.all(
      [first, again, other].map((path) => readFile(path)),
    );
    expect(firstBytes.equals(againBytes)).toBe(true);
    expect(firstBytes.equals(otherBytes)).toBe(false);
  });

  it('rejects out-of-range shapes', async () => {
    const path = join(directory, 'bad.gguf');
    await expect(writeTinyRandomModel(path, { embedding: 16 })).rejects.toThrow(
      /embedding must be an integer in \[32, 64\]/,
    );
    await expect(writeTinyRandomModel(path, { layers: 3 })).rejects.toThrow(/layers/);
    await expect(writeTinyRandomModel(path, { heads: 5 })).rejects.toThrow(/must divide embedding/);
    await expect(writeTinyRandomModel(path, { heads: 4, keyValueHeads: 3 })).rejects.toThrow(
      /must divide heads/,
    );
    await expect(writeTinyRandomModel(path, { vocabulary: 10 })).rejects.toThrow(/vocabulary/);
  });

  it('uses the GPT-2 byte alphabet: 256 distinct printable characters, space as Ġ', () => {
    const table = gpt2ByteToUnicode();
    expect(new Set(table).size).toBe(256);
    expect(table[0x20]).toBe('Ġ');
    expect(table[0x41]).toBe('A');
    expect(table[0x0a]).toBe('Ċ');
  });
});
