import { describe, expect, it } from 'vitest';
import { BUILT_IN_PRICE_TABLE, costOfUsage, findPrice, mergePriceTables } from '../providers/price-table.ts';
import { breakEvenVolume, localCostOfTime, localCostSchema } from './local-cost.ts';

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

  it('finds dotted and dated model ids', () => {
    expect(findPrice(BUILT_IN_PRICE_TABLE, 'openrouter:anthropic/claude-sonnet-4.5')?.model).toBe(
      'claude-sonnet-4-5',
    );
    expect(findPrice(BUILT_IN_PRICE_TABLE, 'anthropic:claude-haiku-4-5-20251001')?.model).toBe(
      'claude-haiku-4-5',
    );
    expect(findPrice(BUILT_IN_PRICE_TABLE, 'openai:gpt-4.1-mini-2025-04-14')?.model).toBe('gpt-4.1-mini');
    expect(findPrice(BUILT_IN_PRICE_TABLE, 'anthropic:claude-opus-4-5-20251101')).toBeNull();
  });

  it('prices Anthropic cache writes at 1.25x (5 minutes) and 2x (1 hour) input, cache reads at 0.1x', () => {
    const price = findPrice(BUILT_IN_PRICE_TABLE, 'anthropic:claude-sonnet-4-5-20250929');
    expect(price).not.toBeNull();
    expect(price?.cacheWritePerMillion).toBe(price!.inputPerMillion * 1.25);
    expect(price?.cacheWriteOneHourPerMillion).toBe(price!.inputPerMillion * 2);
    // The recorded prompt-cache stream's counts: 6 plain, 3337 written (5 minutes), 6289 read, 198 output.
    const cost = costOfUsage(price!, {
      inputTokens: 6 + 3337 + 6289,
      cachedInputTokens: 6289,
      cacheWriteInputTokens: 3337,
      cacheWriteOneHourInputTokens: 0,
      outputTokens: 198,
    });
    expect(cost).toBeCloseTo((6 * 3 + 3337 * 3.75 + 6289 * 0.3 + 198 * 15) / 1e6, 12);
    const oneHour = costOfUsage(price!, {
      inputTokens: 1000,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 1000,
      cacheWriteOneHourInputTokens: 400,
      outputTokens: 0,
    });
    expect(oneHour).toBeCloseTo((600 * 3.75 + 400 * 6) / 1e6, 12);
  });

  it('takes a server-reported cost as is', () => {
    const price = findPrice(BUILT_IN_PRICE_TABLE, 'gpt-4.1')!;
    expect(
      costOfUsage(price, {
        inputTokens: 1_000_000,
        cachedInputTokens: 0,
        outputTokens: 0,
        reportedCostUsd: 0.0123,
      }),
    ).toBe(0.0123);
  });

  it('gives every built-in price a source URL', () => {
    for (const price of BUILT_IN_PRICE_TABLE.prices) expect(price.url).toMatch(/^https:\/\//);
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
    expect(merged.version).toBe(`${BUILT_IN_PRICE_TABLE.version}+user`);
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

describe('built-in price table (re-checked 2026-12-02)', () => {
  const pinned = (model: string) => {
    const price = BUILT_IN_PRICE_TABLE.prices.find((entry) => entry.model === model);
    if (!price) throw new Error(`no built-in price for ${model}`);
    return price;
  };

  it('pins list prices as the pricing pages state them, per million tokens', () => {
    expect(pinned('o3-mini')).toMatchObject({
      inputPerMillion: 1.1,
      outputPerMillion: 4.4,
      cachedInputPerMillion: 0.55,
    });
    expect(pinned('gpt-4.1')).toMatchObject({
      inputPerMillion: 2,
      outputPerMillion: 8,
      cachedInputPerMillion: 0.5,
    });
    expect(pinned('claude-sonnet-4-5')).toMatchObject({
      inputPerMillion: 3,
      outputPerMillion: 15,
      cachedInputPerMillion: 0.3,
      cacheWritePerMillion: 3.75,
      cacheWriteOneHourPerMillion: 6,
    });
    expect(pinned('claude-haiku-4-5')).toMatchObject({
      inputPerMillion: 1,
      outputPerMillion: 5,
      cachedInputPerMillion: 0.1,
      cacheWritePerMillion: 1.25,
      cacheWriteOneHourPerMillion: 2,
    });
  });

  it('gives every entry a URL, the date it was read and the date and pages of its last check', () => {
    for (const price of BUILT_IN_PRICE_TABLE.prices) {
      expect(price.url, price.model).toMatch(/^https:\/\//);
      expect(price.checked?.on, price.model).toBe('2026-12-02');
      expect(price.checked?.against.length, price.model).toBeGreaterThan(0);
      expect(price.asOf <= (price.checked?.on ?? ''), price.model).toBe(true);
    }
  });

  it('keeps Anthropic cache writes at 1.25x (5 minutes) and 2x (1 hour) and hits at 0.1x of input', () => {
    for (const model of ['claude-sonnet-4-5', 'claude-haiku-4-5']) {
      const price = pinned(model);
      expect(price.cacheWritePerMillion).toBeCloseTo(price.inputPerMillion * 1.25, 10);
      expect(price.cacheWriteOneHourPerMillion).toBeCloseTo(price.inputPerMillion * 2, 10);
      expect(price.cachedInputPerMillion).toBeCloseTo(price.inputPerMillion * 0.1, 10);
    }
  });
});
