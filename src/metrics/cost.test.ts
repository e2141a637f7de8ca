import { describe, expect, it } from 'vitest';
import { breakEvenVolume, localCostOfTime, localCostSchema } from './local-cost.ts';
import { BUILT_IN_PRICE_TABLE, costOfUsage, findPrice, mergePriceTables } from './price-table.ts';

describe('price table', () => {
  it('prices o3-mini with cached input at the cached rate', () => {
    const price = findPrice(BUILT_IN_PRICE_TABLE, 'openai:o3-mini');
    expect(price?.source).toMatch(/OpenAI/);
    const cost = costOfUsage(price!, {
      inputTokens: 1_000_000,
      cachedInputTokens: 400_000,
      outputTokens: 100_000,
    });
    expect(cost).toBeCloseTo(0.6 * 1.1 + 0.4 * 0.55 + 0.1 * 4.4, 10);
  });

  it('finds bare names behind providers and routers, and returns null for unpriced models', () => {
    expect(findPrice(BUILT_IN_PRICE_TABLE, 'openrouter:openai/gpt-4.1')?.model).toBe('gpt-4.1');
    expect(findPrice(BUILT_IN_PRICE_TABLE, 'ollama:qwen3.5:9b')).toBeNull();
  });

  it('matches ids carrying a server URL on the model name', () => {
    expect(
      findPrice(BUILT_IN_PRICE_TABLE, 'openai-compatible:gpt-4.1@https://proxy.example.com/v1')?.model,
    ).toBe('gpt-4.1');
    expect(findPrice(BUILT_IN_PRICE_TABLE, 'openai:o3-mini@https://user@gateway.example.com/v1')?.model).toBe(
      'o3-mini',
    );
    const table = mergePriceTables(BUILT_IN_PRICE_TABLE, [
      { model: 'Qwen3-8B', inputPerMillion: 0.1, outputPerMillion: 0.2, source: 'mine', asOf: '2026-10-01' },
      {
        model: 'vllm:Qwen/Qwen3-8B',
        inputPerMillion: 0.3,
        outputPerMillion: 0.4,
        source: 'exact',
        asOf: '2026-10-01',
      },
    ]);
    expect(findPrice(table, 'vllm:Qwen/Qwen3-8B@http://127.0.0.1:8000')?.source).toBe('exact');
    expect(findPrice(table, 'llamacpp:Qwen/Qwen3-8B@http://127.0.0.1:8080')?.source).toBe('mine');
    expect(findPrice(BUILT_IN_PRICE_TABLE, 'ollama:qwen3.5:9b@http://host:11434')).toBeNull();
  });

  it('lets user prices override built-ins and marks the version', () => {
    const merged = mergePriceTables(BUILT_IN_PRICE_TABLE, [
      {
        model: 'o3-mini',
        inputPerMillion: 1,
        outputPerMillion: 2,
        source: 'my contract',
        asOf: '2026-10-01',
      },
    ]);
    expect(merged.version).toBe('2026-11-01+user');
    expect(findPrice(merged, 'o3-mini')?.source).toBe('my contract');
    expect(() =>
      mergePriceTables(BUILT_IN_PRICE_TABLE, [
        { model: 'x', inputPerMillion: -1, outputPerMillion: 2, source: 's', asOf: '2026-10-01' },
      ]),
    ).toThrow();
  });
});

describe('local cost', () => {
  it('costs GPU-hours at a rate, or watts x time x $/kWh', () => {
    expect(localCostOfTime({ gpuHourlyRateUsd: 2 }, 1_800_000)).toBeCloseTo(1, 12);
    expect(localCostOfTime({ watts: 300, electricityUsdPerKwh: 0.3 }, 3_600_000)).toBeCloseTo(0.09, 12);
  });

  it('validates the configuration', () => {
    expect(localCostSchema.safeParse({}).success).toBe(false);
    expect(localCostSchema.safeParse({ watts: 200 }).success).toBe(false);
    expect(localCostSchema.safeParse({ watts: 200, electricityUsdPerKwh: 0.2 }).success).toBe(true);
  });

  it('computes the break-even volume', () => {
    expect(breakEvenVolume(1600, 0.01, 0.05).resolvedTasks).toBe(40000);
    expect(breakEvenVolume(1600, 0.05, 0.01).resolvedTasks).toBeNull();
  });
});
