import { z } from 'zod';
import type { Usage } from './types.ts';

/** One model's API prices, in US dollars per million tokens, with where and when they were read. */
export const priceSchema = z
  .object({
    /** Model id pattern: exact canonical id (`openai:o3-mini`) or a provider-less model name (`o3-mini`). */
    model: z.string().min(1),
    inputPerMillion: z.number().nonnegative(),
    outputPerMillion: z.number().nonnegative(),
    /** Price of cache-hit input tokens; defaults to the input price. */
    cachedInputPerMillion: z.number().nonnegative().optional(),
    /** Price of input tokens written to the prompt cache (Anthropic 5-minute writes); defaults to the input price. */
    cacheWritePerMillion: z.number().nonnegative().optional(),
    /** Price of 1-hour cache writes (Anthropic); defaults to the 5-minute write price. */
    cacheWriteOneHourPerMillion: z.number().nonnegative().optional(),
    source: z.string().min(1),
    /** Where the price was read. */
    url: z.url().optional(),
    /** ISO date the price was read from the source. */
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'asOf must be a YYYY-MM-DD date'),
    /** The last re-check: its date and the pages the figures were compared with. */
    checked: z
      .object({
        on: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'checked.on must be a YYYY-MM-DD date'),
        against: z.array(z.url()).min(1),
      })
      .strict()
      .optional(),
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
 *
 * Re-checked 2026-12-02 against stored copies of the pages in each entry's `checked.against`; no figure had changed.
 * OpenAI's pricing page moved to developers.openai.com (its main table now leads with newer models; these figures
 * were compared with a dated copy of it). Anthropic's stored page lists the Sonnet tier (Sonnet 4: $3 input, $3.75
 * 5-minute writes, $6 1-hour writes, $0.30 hits, $15 output) and the write multipliers (1.25x, 2x, hits 0.1x); the
 * 4.5 models' rows were compared with a secondary copy. Not modelled: Sonnet's long-context rates above 200K input
 * tokens ($6 / $22.50), which need the 1M-context beta shakedown does not request.
 */
export const BUILT_IN_PRICE_TABLE: PriceTable = {
  version: '2026-12-02',
  prices: [
    {
      model: 'o3-mini',
      inputPerMillion: 1.1,
      outputPerMillion: 4.4,
      cachedInputPerMillion: 0.55,
      source: 'OpenAI API pricing page',
      url: 'https://developers.openai.com/api/docs/pricing',
      asOf: '2026-11-01',
      checked: {
        on: '2026-12-02',
        against: [
          'https://developers.openai.com/api/docs/pricing',
          'https://deploybase.ai/articles/openai-pricing',
        ],
      },
    },
    {
      model: 'o4-mini',
      inputPerMillion: 1.1,
      outputPerMillion: 4.4,
      cachedInputPerMillion: 0.275,
      source: 'OpenAI API pricing page',
      url: 'https://developers.openai.com/api/docs/pricing',
      asOf: '2026-11-01',
      checked: {
        on: '2026-12-02',
        against: [
          'https://developers.openai.com/api/docs/pricing',
          'https://deploybase.ai/articles/openai-pricing',
        ],
      },
    },
    {
      model: 'gpt-4.1',
      inputPerMillion: 2,
      outputPerMillion: 8,
      cachedInputPerMillion: 0.5,
      source: 'OpenAI API pricing page',
      url: 'https://developers.openai.com/api/docs/pricing',
      asOf: '2026-11-01',
      checked: {
        on: '2026-12-02',
        against: [
          'https://developers.openai.com/api/docs/pricing',
          'https://deploybase.ai/articles/openai-pricing',
        ],
      },
    },
    {
      model: 'gpt-4.1-mini',
      inputPerMillion: 0.4,
      outputPerMillion: 1.6,
      cachedInputPerMillion: 0.1,
      source: 'OpenAI API pricing page',
      url: 'https://developers.openai.com/api/docs/pricing',
      asOf: '2026-11-01',
      checked: {
        on: '2026-12-02',
        against: [
          'https://developers.openai.com/api/docs/pricing',
          'https://deploybase.ai/articles/openai-pricing',
        ],
      },
    },
    {
      model: 'gpt-4o-mini',
      inputPerMillion: 0.15,
      outputPerMillion: 0.6,
      cachedInputPerMillion: 0.075,
      source: 'OpenAI API pricing page',
      url: 'https://developers.openai.com/api/docs/pricing',
      asOf: '2026-11-01',
      checked: {
        on: '2026-12-02',
        against: [
          'https://developers.openai.com/api/docs/pricing',
          'https://deploybase.ai/articles/openai-pricing',
        ],
      },
    },
    {
      model: 'claude-sonnet-4-5',
      inputPerMillion: 3,
      outputPerMillion: 15,
      cachedInputPerMillion: 0.3,
      cacheWritePerMillion: 3.75,
      cacheWriteOneHourPerMillion: 6,
      source: 'Anthropic API pricing page',
      url: 'https://docs.anthropic.com/en/docs/about-claude/pricing',
      asOf: '2026-11-01',
      checked: {
        on: '2026-12-02',
        against: [
          'https://docs.anthropic.com/en/docs/about-claude/pricing',
          'https://claude-api-cookbook.vercel.app/claude-sonnet-vs-haiku-when-to-use/',
        ],
      },
    },
    {
      model: 'claude-haiku-4-5',
      inputPerMillion: 1,
      outputPerMillion: 5,
      cachedInputPerMillion: 0.1,
      cacheWritePerMillion: 1.25,
      cacheWriteOneHourPerMillion: 2,
      source: 'Anthropic API pricing page',
      url: 'https://docs.anthropic.com/en/docs/about-claude/pricing',
      asOf: '2026-11-01',
      checked: {
        on: '2026-12-02',
        against: [
          'https://docs.anthropic.com/en/docs/about-claude/pricing',
          'https://claude-api-cookbook.vercel.app/claude-sonnet-vs-haiku-when-to-use/',
        ],
      },
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
 * Names match exactly first, then in a canonical form that makes dots and dashes alike and drops a release date, so
 * `anthropic/claude-sonnet-4.5` and `claude-haiku-4-5-20251001` find `claude-sonnet-4-5` and `claude-haiku-4-5`.
 */
export function findPrice(table: PriceTable, modelIdWithUrl: string): Price | null {
  const modelId = withoutBaseUrl(modelIdWithUrl);
  const exact = table.prices.find((price) => price.model === modelId);
  if (exact) return exact;
  const separator = modelId.indexOf(':');
  const name = separator >= 0 ? modelId.slice(separator + 1) : modelId;
  const bare = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  const byName = table.prices.find((price) => price.model === name || price.model === bare);
  if (byName) return byName;
  const canonical = canonicalModelName(bare);
  return table.prices.find((price) => canonicalModelName(price.model) === canonical) ?? null;
}

/** `claude-sonnet-4.5`, `Claude-Sonnet-4-5-20250929` → `claude-sonnet-4-5`; `gpt-4.1-2025-04-14` → `gpt-4-1`. */
export function canonicalModelName(name: string): string {
  const bare = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  return bare
    .toLowerCase()
    .replace(/-(?:\d{8}|\d{4}-\d{2}-\d{2})$/, '')
    .replace(/\./g, '-');
}

/** The id without its `@http(s)://…` server URL (cut at the last `@` that starts a URL, as model ids are parsed). */
function withoutBaseUrl(modelId: string): string {
  const at = modelId.search(/@https?:\/\/(?!.*@https?:\/\/)/i);
  return at >= 0 ? modelId.slice(0, at) : modelId;
}

/**
 * Dollar cost of one response. A cost the server reported (OpenRouter `usage.cost`) is taken as is; otherwise the
 * usage is priced: cache reads at the cached rate, cache writes at the write rates (1-hour writes apart), the rest of
 * the input at the input rate, output (reasoning included) at the output rate.
 */
export function costOfUsage(
  price: Price,
  usage: Pick<
    Usage,
    | 'inputTokens'
    | 'cachedInputTokens'
    | 'outputTokens'
    | 'cacheWriteInputTokens'
    | 'cacheWriteOneHourInputTokens'
    | 'reportedCostUsd'
  >,
): number {
  if (usage.reportedCostUsd !== undefined) return usage.reportedCostUsd;
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const written = Math.min(usage.cacheWriteInputTokens ?? 0, usage.inputTokens - cached);
  const writtenOneHour = Math.min(usage.cacheWriteOneHourInputTokens ?? 0, written);
  const plain = usage.inputTokens - cached - written;
  const cachedRate = price.cachedInputPerMillion ?? price.inputPerMillion;
  const writeRate = price.cacheWritePerMillion ?? price.inputPerMillion;
  const writeOneHourRate = price.cacheWriteOneHourPerMillion ?? writeRate;
  return (
    (plain * price.inputPerMillion +
      cached * cachedRate +
      (written - writtenOneHour) * writeRate +
      writtenOneHour * writeOneHourRate +
      usage.outputTokens * price.outputPerMillion) /
    1e6
  );
}
