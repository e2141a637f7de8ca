import { defaultTools, toolDefinitions } from '../agent/tools/index.ts';
import { wilsonInterval } from '../metrics/statistics.ts';
import type { ModelClient } from '../model/types.ts';
import { attemptStep, type StepFailureKind } from './attempt-step.ts';
import type { ProbeProgressListener } from './probe-progress.ts';
import { PROBE_SYSTEM_PROMPT } from './probe-system-prompt.ts';
import { approximateTokens, conversationTokens, retentionConversation } from './retention-conversation.ts';
import { RETENTION_FACTS, type RetentionFact } from './retention-facts.ts';

/** Default context depths of the retention probe, in approximate tokens. */
export const DEFAULT_RETENTION_DEPTHS: readonly number[] = [1024, 4096, 16384];

/** One question at one depth: the answer (stored for re-scoring) and the verdict. */
export interface RetentionRun {
  factId: string;
  kind: RetentionFact['kind'];
  depth: number;
  repeat: number;
  status: 'scored' | StepFailureKind;
  /** Approximate tokens of the conversation sent (chars / 4, system prompt and tools excluded). */
  approximateTokens: number;
  /** Input tokens the server reported, when it did. */
  promptTokens: number | null;
  answer: string;
  toolCalls: number;
  passed: boolean;
  simulated: boolean;
  error?: string;
}

/** Retention at one depth. */
export interface RetentionDepthResult {
  depth: number;
  /** False when the depth does not fit the endpoint's context (see `skipReason`). */
  ran: boolean;
  skipReason?: string;
  passes: number;
  scored: number;
  rate: number | null;
  rateInterval: { low: number; high: number } | null;
  factRate: number | null;
  constraintRate: number | null;
  infrastructureErrors: number;
}

/** The retention section of a probe report: retention rate per depth, for plotting against depth. */
export interface RetentionProbeResult {
  repeat: number;
  contextLength: number | null;
  /** Approximate tokens the system prompt and tool definitions add to every request. */
  overheadTokens: number;
  depths: RetentionDepthResult[];
  runs: RetentionRun[];
  notes: string[];
}

/** Options of {@link runRetention}. */
export interface RetentionOptions {
  /** Target depths in approximate tokens (default 1k, 4k, 16k). */
  depths?: readonly number[];
  /** Questions per fact and depth (default 3). */
  repeat?: number;
  facts?: readonly RetentionFact[];
  /** The endpoint's context length; depths that do not fit are skipped. Null: unknown, run them all. */
  contextLength?: number | null;
  /** Output budget of each answer (default 512). */
  maxOutputTokens?: number;
  onProgress?: ProbeProgressListener;
  signal?: AbortSignal;
}

function rate(runs: RetentionRun[]): number | null {
  return runs.length > 0 ? runs.filter((run) => run.passed).length / runs.length : null;
}

/** Summarizes the runs of one depth (also used after re-scoring). */
export function summarizeRetentionDepth(depth: number, runs: RetentionRun[]): RetentionDepthResult {
  const atDepth = runs.filter((run) => run.depth === depth);
  const scored = atDepth.filter((run) => run.status === 'scored');
  const passes = scored.filter((run) => run.passed).length;
  return {
    depth,
    ran: true,
    passes,
    scored: scored.length,
    rate: rate(scored),
    rateInterval: scored.length > 0 ? wilsonInterval(passes, scored.length) : null,
    factRate: rate(scored.filter((run) => run.kind === 'fact')),
    constraintRate: rate(scored.filter((run) => run.kind === 'constraint')),
    infrastructureErrors: atDepth.length - scored.length,
  };
}

/**
 * Gives facts and constraints early, buries them under realistic noise up to each target depth, then asks for
 * them. Depths that would not fit the endpoint's context are skipped with a note.
 */
export async function runRetention(
  client: ModelClient,
  options: RetentionOptions = {},
): Promise<RetentionProbeResult> {
  const depths = [...(options.depths ?? DEFAULT_RETENTION_DEPTHS)].sort((a, b) => a - b);
  const repeat = options.repeat ?? 3;
  const facts = options.facts ?? RETENTION_FACTS;
  const maxOutputTokens = options.maxOutputTokens ?? 512;
  const contextLength = options.contextLength ?? null;
  const tools = toolDefinitions(defaultTools());
  const overheadTokens = approximateTokens(PROBE_SYSTEM_PROMPT + JSON.stringify(tools));
  const notes: string[] = [];
  if (contextLength === null) notes.push('context length unknown: every depth was tried');

  const fits = (depth: number): boolean =>
    contextLength === null || (depth + overheadTokens + maxOutputTokens) * 1.1 <= contextLength;
  const runnable = depths.filter(fits);
  for (const depth of depths.filter((depth) => !fits(depth))) {
    notes.push(
      `depth ${depth} skipped: with ${overheadTokens} tokens of system prompt and tools and ${maxOutputTokens} of output it does not fit the ${contextLength}-token context`,
    );
  }

  const runs: RetentionRun[] = [];
  const total = runnable.length * facts.length * repeat;
  for (const depth of runnable) {
    for (const [factIndex, fact] of facts.entries()) {
      for (let index = 0; index < repeat; index++) {
        options.signal?.throwIfAborted();
        const conversation = retentionConversation(fact, depth, depth * 1000 + factIndex * 10 + index);
        const attempt = await attemptStep(client, {
          messages: [{ role: 'system', content: PROBE_SYSTEM_PROMPT }, ...conversation],
          tools,
          maxOutputTokens,
          temperature: 0,
          signal: options.signal,
        });
        const base = {
          factId: fact.id,
          kind: fact.kind,
          depth,
          repeat: index,
          approximateTokens: conversationTokens(conversation),
        };
        if (attempt.ok) {
          const { result } = attempt;
          runs.push({
            ...base,
            status: 'scored',
            promptTokens: result.usage.source === 'server' ? result.usage.inputTokens : null,
            answer: result.text,
            toolCalls: result.toolCalls.length,
            passed: fact.check(result.text),
            simulated: result.simulated,
          });
        } else {
          runs.push({
            ...base,
            status: attempt.kind,
            promptTokens: null,
            answer: '',
            toolCalls: 0,
            passed: false,
            simulated: client.simulated,
            error: attempt.error,
          });
        }
        options.onProgress?.({
          section: 'retention',
          done: runs.length,
          total,
          label: `${fact.id} @ ${depth}`,
        });
      }
    }
  }

  return {
    repeat,
    contextLength,
    overheadTokens,
    depths: depths.map((depth) =>
      runnable.includes(depth)
        ? summarizeRetentionDepth(depth, runs)
        : {
            depth,
            ran: false,
            skipReason: 'does not fit the context',
            passes: 0,
            scored: 0,
            rate: null,
            rateInterval: null,
            factRate: null,
            constraintRate: null,
            infrastructureErrors: 0,
          },
    ),
    runs,
    notes,
  };
}
