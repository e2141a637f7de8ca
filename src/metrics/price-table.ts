import { z } from 'zod';
import type { Usage } from '../model/types.ts';

/** One model's API prices, in US dollars per million tokens, with where and when they were read. */
export const priceSchema = z
  .object({
    /** Model id pattern: exact canonical id (`openai:o3-mini`) or a provider-less model name (`o3-mini`). */
    model: z.string().min(1),
    inputPerMillion: z.number().nonnegative(),
    outputPerMillion: z.number().nonnegative(),
    /** Price of cache-hit input tokens; defaults to the input price. */
    cachedInputPerMillion: z.number().nonnegative().optional(),
    source: z.string().min(1),
    /** ISO date the price was read from the source. */
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'asOf must be a YYYY-MM-DD date'),
  })
  .strict();
export type Price = z.infer<typeof priceSchema>;

export const priceTableSchema = z.object({
  version: z.string().min(1),
  prices: z.array(priceSchema),
});
export type PriceTable = z.infer<typeof priceTableSchema>;

/**
 * Built-in list prices. Versioned: bump `version` when any price changes so stored runs can say which table
 * priced them. Users override or extend it in shakedown.yaml (`prices:`).
 */
export const BUILT_IN_PRICE_TABLE: PriceTable = {
  version: '2026-11-01',
  prices: [
    {
      model: 'o3-mini',
      inputPerMillion: 1.1,
      outputPerMillion: 4.4,
      cachedInputPerMillion: 0.55,
      source: 'OpenAI API pricing page',
      asOf: '2026-11-01',
    },
    {
      model: 'o4-mini',
      inputPerMillion: 1.1,
      outputPerMillion: 4.4,
      cachedInputPerMillion: 0.275,
      source: 'OpenAI API pricing page',
      asOf: '2026-11-01',
    },
    {
      model: 'gpt-4.1',
      inputPerMillion: 2,
      outputPerMillion: 8,
      cachedInputPerMillion: 0.5,
      source: 'OpenAI API pricing page',
      asOf: '2026-11-01',
    },
    {
      model: 'gpt-4.1-mini',
      inputPerMillion: 0.4,
      outputPerMillion: 1.6,
      cachedInputPerMillion: 0.1,
      source: 'OpenAI API pricing page',
      asOf: '2026-11-01',
    },
    {
      model: 'gpt-4o-mini',
      inputPerMillion: 0.15,
      outputPerMillion: 0.6,
      cachedInputPerMillion: 0.075,
      source: 'OpenAI API pricing page',
      asOf: '2026-11-01',
    },
    {
      model: 'claude-sonnet-4-5',
      inputPerMillion: 3,
      outputPerMillion: 15,
      cachedInputPerMillion: 0.3,
      source: 'Anthropic API pricing page',
      asOf: '2026-11-01',
    },
    {
      model: 'claude-haiku-4-5',
      inputPerMillion: 1,
      outputPerMillion: 5,
      cachedInputPerMillion: 0.1,
      source: 'Anthropic API pricing page',
      asOf: '2026-11-01',
    },
  ],
};

/** Merges user prices over a base table; a user entry replaces the built-in one for the same model. */
export function mergePriceTables(
  base: PriceTable,
  overrides: Price[],
  version = `${base.version}+user`,
): PriceTable {
  const byModel = new Map(base.prices.map((price) => [price.model, price]));
  for (const price of overrides) byModel.set(priceSchema.parse(price).model, price);
  return { version: overrides.length > 0 ? version : base.version, prices: [...byModel.values()] };
}

/**
 * Finds the price for a canonical model id (`openai:o3-mini`), one carrying a server URL
 * (`vllm:Qwen/Qwen3-8B@http://127.0.0.1:8000`: the URL is ignored) or a bare name; null when the model is unpriced.
 */
export function findPrice(table: PriceTable, modelIdWithUrl: string): Price | null {
  const modelId = withoutBaseUrl(modelIdWithUrl);
  const exact = table.prices.find((price) => price.model === modelId);
  if (exact) return exact;
  const separator = modelId.indexOf(':');
  const name = separator >= 0 ? modelId.slice(separator + 1) : modelId;
  const bare = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  return table.prices.find((price) => price.model === name || price.model === bare) ?? null;
}

/** The id without its `@http(s)://…` server URL (cut at the last `@` that starts a URL, as model ids are parsed). */
function withoutBaseUrl(modelId: string): string {
  const at = modelId.search(/@https?:\/\/(?!.*@https?:\/\/)/i);
  return at >= 0 ? modelId.slice(0, at) : modelId;
}

/** Dollar cost of one response's usage at a price. Cached input is billed at the cached rate. */
export function costOfUsage(
  price: Price,
  usage: Pick<Usage, 'inputTokens' | 'cachedInputTokens' | 'outputTokens'>,
) {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const uncached = usage.inputTokens - cached;
  const cachedRate = price.cachedInputPerMillion ?? price.inputPerMillion;
  return (
    (uncached * price.inputPerMillion + cached * cachedRate + usage.outputTokens * price.outputPerMillion) /
    1e6
  );
}
