import { describe, expect, it } from 'vitest';
import { shortAgentName, shortModelLabels } from './short-model-label.ts';

const unlabelled = (...ids: string[]) => ids.map((modelId) => ({ modelId, label: modelId }));

describe('shortModelLabels', () => {
  it('strips URLs, hosts, credentials and paths from ids without a configured label', () => {
    const labels = shortModelLabels(
      unlabelled(
        'llamacpp:http://gpu-box:8080',
        'ollama:qwen3.5:9b@http://10.0.0.5:11434',
        'openai:gpt-4o@https://user:secret@proxy.example.com/v1',
        'gguf:/models/big/Qwen3.5-9B-Q4_K_M.gguf',
      ),
    );
    expect([...labels.values()]).toEqual([
      'llamacpp@gpu-box:8080',
      'qwen3.5:9b',
      'gpt-4o',
      'Qwen3.5-9B-Q4_K_M',
    ]);
    for (const label of labels.values()) expect(label).not.toMatch(/secret|http|\/\//);
  });

  it('keeps a configured label as written', () => {
    const labels = shortModelLabels([{ modelId: 'ollama:qwen3.5:9b', label: 'Qwen 3.5 9B' }]);
    expect(labels.get('ollama:qwen3.5:9b')).toBe('Qwen 3.5 9B');
  });

  it('lengthens only the labels that would clash', () => {
    const labels = shortModelLabels(
      unlabelled(
        'ollama:qwen3.5:9b@http://a:11434',
        'ollama:qwen3.5:9b@http://b:11434',
        'vllm:qwen3.5:9b@http://c:8000',
        'openai:o3-mini',
      ),
    );
    expect([...labels.values()]).toEqual([
      'ollama:qwen3.5:9b@a:11434',
      'ollama:qwen3.5:9b@b:11434',
      'vllm:qwen3.5:9b',
      'o3-mini',
    ]);
    expect(new Set(labels.values()).size).toBe(4);
  });

  it('names the external agent a run used', () => {
    const models = [{ modelId: 'ollama:qwen3.5:9b', label: 'Qwen 3.5 9B' }];
    expect(shortModelLabels(models, 'external (preset opencode)').get('ollama:qwen3.5:9b')).toBe(
      'Qwen 3.5 9B in opencode',
    );
    expect(shortModelLabels(models, 'built-in').get('ollama:qwen3.5:9b')).toBe('Qwen 3.5 9B');
    expect(shortAgentName('external (command my-agent --x)')).toBe('external command');
  });
});
