import { describe, expect, it } from 'vitest';
import { buildRunMatrix, endpointKeyOf, groupByEndpoint } from './run-matrix.ts';

const model = (id: string, concurrency?: number) => ({ id, protocol: 'auto' as const, concurrency });

describe('run matrix', () => {
  it('lists every model × task × attempt once, attempt index first', () => {
    const plans = buildRunMatrix('run-1', [model('a'), model('b')], [{ id: 't1' }, { id: 't2' }], 3);
    expect(plans).toHaveLength(12);
    expect(new Set(plans.map((plan) => plan.id)).size).toBe(12);
    expect(plans.slice(0, 4).every((plan) => plan.attemptIndex === 0)).toBe(true);
    expect(plans[0]).toEqual({ modelId: 'a', taskId: 't1', attemptIndex: 0, id: 'run-1/a/t1/0' });
    expect(() => buildRunMatrix('run-1', [model('a'), model('a')], [{ id: 't' }], 1)).toThrow(
      /model a appears twice/,
    );
    expect(() => buildRunMatrix('run-1', [model('a')], [{ id: 't' }], 0)).toThrow(/positive integer/);
  });

  it('queues models by endpoint: local 1, API 4, explicit concurrency wins', () => {
    expect(endpointKeyOf(model('ollama:qwen3.5:9b'))).toBe('http://127.0.0.1:11434');
    const groups = groupByEndpoint([
      model('ollama:qwen3.5:9b'),
      model('ollama:llama3:8b'),
      model('openai:o3-mini'),
      model('vllm:Qwen/Qwen3-8B@http://10.0.0.2:8000', 8),
      model('simulated:x'),
    ]);
    expect(groups).toEqual([
      { key: 'http://127.0.0.1:11434', concurrency: 1, modelIds: ['ollama:qwen3.5:9b', 'ollama:llama3:8b'] },
      { key: 'https://api.openai.com/v1', concurrency: 4, modelIds: ['openai:o3-mini'] },
      { key: 'http://10.0.0.2:8000', concurrency: 8, modelIds: ['vllm:Qwen/Qwen3-8B@http://10.0.0.2:8000'] },
      { key: 'simulated:x', concurrency: 1, modelIds: ['simulated:x'] },
    ]);
  });

  it('a local server that reports its parallel slots gets that many, unless the config says otherwise', () => {
    const slots = new Map([
      ['llamacpp:http://127.0.0.1:8080', 4],
      ['llamacpp:http://127.0.0.1:8081', 4],
      ['openai:o3-mini', 1],
      ['llamacpp:http://127.0.0.1:8082', null],
    ]);
    const groups = groupByEndpoint(
      [
        model('llamacpp:http://127.0.0.1:8080'),
        model('llamacpp:http://127.0.0.1:8081', 2),
        model('openai:o3-mini'),
        model('llamacpp:http://127.0.0.1:8082'),
      ],
      slots,
    );
    expect(groups.map((group) => group.concurrency)).toEqual([4, 2, 4, 1]);
  });
});
