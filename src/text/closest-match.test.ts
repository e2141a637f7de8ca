import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean, editDistance } from './closest-match.ts';

describe('closestMatch', () => {
  it('counts insertions, deletions, substitutions and swapped neighbours as one edit each', () => {
    expect(editDistance('olama', 'ollama')).toBe(1);
    expect(editDistance('concurency', 'concurrency')).toBe(1);
    expect(editDistance('lamacpp', 'llamacpp')).toBe(1);
    expect(editDistance('vllm', 'vlml')).toBe(1);
    expect(editDistance('abc', 'xyz')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the nearest candidate for a typo and nothing for an unrelated word', () => {
    const providers = ['ollama', 'openai', 'llamacpp', 'vllm', 'lmstudio', 'anthropic', 'gguf'];
    expect(closestMatch('olama', providers)).toBe('ollama');
    expect(closestMatch('OLLAMA', providers)).toBe('ollama');
    expect(closestMatch('antropic', providers)).toBe('anthropic');
    expect(closestMatch('llama.cpp', providers)).toBe('llamacpp');
    expect(closestMatch('kubernetes', providers)).toBeNull();
    expect(didYouMean('concurency', ['concurrency', 'contextLength'])).toBe(' (did you mean "concurrency"?)');
    expect(didYouMean('zzz', ['concurrency'])).toBe('');
  });
});
