import { percentile } from '../metrics/statistics.ts';
import type { MeasurementSource, ModelClient, StepResult } from '../providers/types.ts';
import { attemptStep, type StepFailureKind } from './attempt-step.ts';
import type { ProbeProgressListener } from './probe-progress.ts';

/** Default concurrency levels of the throughput probe. */
export const DEFAULT_CONCURRENCY_LEVELS: readonly number[] = [1, 2, 4];

/** One throughput request. */
export interface ThroughputRequest {
  concurrency: number;
  round: number;
  index: number;
  status: 'ok' | StepFailureKind;
  timeToFirstTokenMs: number | null;
  timeToFirstTokenSource: MeasurementSource;
  /** Generation speed of this request; server-reported where available, else measured from the stream. */
  decodeTokensPerSecond: number | null;
  decodeSource: MeasurementSource;
  outputTokens: number;
  inputTokens: number;
  /** `server` when the token counts were reported by the server, `measured` when estimated (chars / 4). */
  tokensSource: MeasurementSource;
  wallMs: number;
  simulated: boolean;
  error?: string;
}

/** Figures of one concurrency level. */
export interface ThroughputLevel {
  concurrency: number;
  requests: number;
  completed: number;
  infrastructureErrors: number;
  timeToFirstTokenMs: { p50: number | null; p95: number | null };
  decodeTokensPerSecond: { p50: number | null; p95: number | null };
  /** Where the per-request decode speeds came from: all server, all measured, mixed or unavailable. */
  decodeSource: MeasurementSource | 'mixed';
  /** Output tokens of all completed requests over the wall time of their batches. */
  aggregateTokensPerSecond: number | null;
  /** Whether the level stopped early because its time budget ran out. */
  stoppedByTimeBudget: boolean;
}

/** The throughput section of a probe report. */
export interface ThroughputProbeResult {
  promptApproximateTokens: number;
  maxOutputTokens: number;
  levels: ThroughputLevel[];
  requests: ThroughputRequest[];
  notes: string[];
}

/** Options of {@link runThroughput}. */
export interface ThroughputOptions {
  /** Concurrency levels (default 1, 2, 4). */
  concurrency?: readonly number[];
  /** Batches per level (default 2). */
  rounds?: number;
  /** No new batch starts after this many milliseconds at one level (default 60 s); the first batch always runs. */
  levelTimeBudgetMs?: number;
  /** Output tokens per request (default 64). */
  maxOutputTokens?: number;
  /** Approximate prompt tokens (default 500). */
  promptTokens?: number;
  onProgress?: ProbeProgressListener;
  signal?: AbortSignal;
}

const PROMPT_SENTENCES = [
  'The deployment pipeline builds the service, runs the unit tests and publishes a container image.',
  'Staging receives every merged change, while production is updated twice a week after a manual check.',
  'The team tracks latency, error rate and saturation for each endpoint on a shared dashboard.',
  'Database migrations run before the new version starts and must stay backwards compatible.',
  'Feature flags let the team ship unfinished work safely and turn it on for a few users first.',
  'On-call engineers write a short incident report within two days of any outage.',
];

/** A fixed prompt of about `tokens` tokens (chars / 4); `label` makes each request distinct at the same length. */
export function throughputPrompt(tokens: number, label: string): string {
  const header = `[${label}] Summarize these engineering notes in two sentences.\n\n`;
  let body = '';
  for (let index = 0; header.length + body.length < tokens * 4; index++) {
    body += `${PROMPT_SENTENCES[index % PROMPT_SENTENCES.length]} `;
  }
  return header + body.slice(0, Math.max(0, tokens * 4 - header.length));
}

function decodeSpeed(result: StepResult): { value: number | null; source: MeasurementSource } {
  const { timings, usage } = result;
  if (timings.decodeTokensPerSecond !== null)
    return { value: timings.decodeTokensPerSecond, source: timings.sources.decode };
  const decodeMs = timings.timeToFirstTokenMs === null ? null : timings.wallMs - timings.timeToFirstTokenMs;
  // A rate needs token counts from the server: one from a chars/4 estimate would be invented.
  if (decodeMs === null || decodeMs <= 0 || usage.outputTokens <= 1 || usage.source !== 'server')
    return { value: null, source: 'unavailable' };
  // Tokens after the first over the time after the first token.
  return { value: ((usage.outputTokens - 1) * 1000) / decodeMs, source: 'measured' };
}

function quantiles(values: number[]): { p50: number | null; p95: number | null } {
  return values.length > 0
    ? { p50: percentile(values, 50), p95: percentile(values, 95) }
    : { p50: null, p95: null };
}

function combinedSource(sources: MeasurementSource[]): MeasurementSource | 'mixed' {
  const distinct = new Set(sources);
  if (distinct.size === 0) return 'unavailable';
  return distinct.size === 1 ? sources[0] : 'mixed';
}

/**
 * Fires batches of identical-length requests at each concurrency level and measures per-request time to first
 * token and decode speed, and the aggregate output tokens per second. Bounded by `rounds` and a time budget.
 */
export async function runThroughput(
  client: ModelClient,
  options: ThroughputOptions = {},
): Promise<ThroughputProbeResult> {
  const levels = options.concurrency ?? DEFAULT_CONCURRENCY_LEVELS;
  const rounds = options.rounds ?? 2;
  const budgetMs = options.levelTimeBudgetMs ?? 60_000;
  const maxOutputTokens = options.maxOutputTokens ?? 64;
  const promptTokens = options.promptTokens ?? 500;
  const total = levels.reduce((sum, level) => sum + level * rounds, 0);
  const requests: ThroughputRequest[] = [];
  const results: ThroughputLevel[] = [];
  const notes: string[] = [];

  for (const concurrency of levels) {
    const levelStart = performance.now();
    let batchWallMs = 0;
    let stoppedByTimeBudget = false;
    const levelRequests: ThroughputRequest[] = [];
    for (let round = 0; round < rounds; round++) {
      if (round > 0 && performance.now() - levelStart > budgetMs) {
        stoppedByTimeBudget = true;
        break;
      }
      options.signal?.throwIfAborted();
      const batchStart = performance.now();
      const batch = await Promise.all(
        Array.from({ length: concurrency }, async (_, index): Promise<ThroughputRequest> => {
          const label = `c${String(concurrency).padStart(3, '0')} r${String(round).padStart(3, '0')} i${String(index).padStart(3, '0')}`;
          const requestStart = performance.now();
          const attempt = await attemptStep(client, {
            messages: [{ role: 'user', content: throughputPrompt(promptTokens, label) }],
            maxOutputTokens,
            temperature: 0,
            signal: options.signal,
          });
          const base = { concurrency, round, index };
          if (!attempt.ok) {
            return {
              ...base,
              status: attempt.kind,
              timeToFirstTokenMs: null,
              timeToFirstTokenSource: 'unavailable',
              decodeTokensPerSecond: null,
              decodeSource: 'unavailable',
              outputTokens: 0,
              inputTokens: 0,
              tokensSource: 'unavailable',
              wallMs: performance.now() - requestStart,
              simulated: client.simulated,
              error: attempt.error,
            };
          }
          const { result } = attempt;
          const decode = decodeSpeed(result);
          return {
            ...base,
            status: 'ok',
            timeToFirstTokenMs: result.timings.timeToFirstTokenMs,
            timeToFirstTokenSource: result.timings.sources.timeToFirstToken,
            decodeTokensPerSecond: decode.value,
            decodeSource: decode.source,
            outputTokens: result.usage.outputTokens,
            inputTokens: result.usage.inputTokens,
            tokensSource: result.usage.source,
            wallMs: result.timings.wallMs,
            simulated: result.simulated,
          };
        }),
      );
      batchWallMs += performance.now() - batchStart;
      levelRequests.push(...batch);
      requests.push(...batch);
      options.onProgress?.({
        section: 'throughput',
        done: requests.length,
        total,
        label: `concurrency ${concurrency} batch ${round + 1}`,
      });
    }
    const completed = levelRequests.filter((request) => request.status === 'ok');
    const outputTokens = completed.reduce((sum, request) => sum + request.outputTokens, 0);
    const serverCounted = completed.every((request) => request.tokensSource === 'server');
    if (completed.length > 0 && !serverCounted) {
      notes.push(
        `concurrency ${concurrency}: no aggregate tokens per second: the server did not report token counts`,
      );
    }
    const decodeValues = completed.flatMap((request) =>
      request.decodeTokensPerSecond === null ? [] : [request.decodeTokensPerSecond],
    );
    results.push({
      concurrency,
      requests: levelRequests.length,
      completed: completed.length,
      infrastructureErrors: levelRequests.length - completed.length,
      timeToFirstTokenMs: quantiles(
        completed.flatMap((request) =>
          request.timeToFirstTokenMs === null ? [] : [request.timeToFirstTokenMs],
        ),
      ),
      decodeTokensPerSecond: quantiles(decodeValues),
      decodeSource: combinedSource(
        completed
          .filter((request) => request.decodeTokensPerSecond !== null)
          .map((request) => request.decodeSource),
      ),
      aggregateTokensPerSecond:
        completed.length > 0 && batchWallMs > 0 && serverCounted ? (outputTokens * 1000) / batchWallMs : null,
      stoppedByTimeBudget,
    });
    if (stoppedByTimeBudget)
      notes.push(`concurrency ${concurrency}: stopped after ${budgetMs} ms time budget`);
  }
  return { promptApproximateTokens: promptTokens, maxOutputTokens, levels: results, requests, notes };
}
