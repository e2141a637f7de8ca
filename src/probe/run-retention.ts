import { defaultTools, toolDefinitions } from '../agent/tools/index.ts';
import { wilsonInterval } from '../metrics/statistics.ts';
import type { ModelClient } from '../providers/types.ts';
import { attemptStep, type StepFailureKind } from './attempt-step.ts';
import { calibrateDepths, type DepthCalibration } from './depth-calibration.ts';
import type { ProbeProgressListener } from './probe-progress.ts';
import { PROBE_SYSTEM_PROMPT } from './probe-system-prompt.ts';
import { approximateTokens, conversationTokens, retentionConversation } from './retention-conversation.ts';
import { RETENTION_FACTS, type RetentionFact } from './retention-facts.ts';

/**
 * Default context depths of the retention probe: tokens of conversation between the system prompt and the answer,
 * counted by the server's tokenizer when it reports token counts (see {@link calibrateDepths}).
 */
export const DEFAULT_RETENTION_DEPTHS: readonly number[] = [1024, 4096, 16384];

/** One question at one depth: the answer (stored for re-scoring) and the verdict. */
export interface RetentionRun {
  factId: string;
  kind: RetentionFact['kind'];
  depth: number;
  repeat: number;
  status: 'scored' | StepFailureKind;
  /** Estimated tokens of the conversation sent (chars / 4, system prompt and tools excluded). */
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
  /** Requests the server refused because the conversation did not fit its context (never a model failure). */
  doesNotFit: number;
}

/** The retention section of a probe report: retention rate per depth, for plotting against depth. */
export interface RetentionProbeResult {
  repeat: number;
  contextLength: number | null;
  /** Approximate tokens (chars / 4) the system prompt and tool definitions add to every request. */
  overheadTokens: number;
  /** How depths were placed: by the server's token counts, or by the chars/4 estimate. */
  calibration: DepthCalibration;
  depths: RetentionDepthResult[];
  runs: RetentionRun[];
  notes: string[];
}

/** Options of {@link runRetention}. */
export interface RetentionOptions {
  /** Target depths in tokens (default 1k, 4k, 16k). */
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
    infrastructureErrors: atDepth.filter((run) => run.status === 'infrastructure-error').length,
    doesNotFit: atDepth.filter((run) => run.status === 'context-exceeded').length,
  };
}

/** A depth that was not run, and why. */
function notRun(depth: number, skipReason: string): RetentionDepthResult {
  return {
    depth,
    ran: false,
    skipReason,
    passes: 0,
    scored: 0,
    rate: null,
    rateInterval: null,
    factRate: null,
    constraintRate: null,
    infrastructureErrors: 0,
    doesNotFit: 0,
  };
}

/**
 * Gives facts and constraints early, buries them under realistic noise up to each target depth, then asks for
 * them. Depths are placed by the server's own token counts when it reports them (two calibration requests), else
 * by a chars/4 estimate (said in a note). Depths that would not fit the endpoint's context are skipped with a note;
 * a depth the server refuses as too long is reported as not fitting, never as an infrastructure error.
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

  const calibration = await calibrateDepths(client, {
    systemPrompt: PROBE_SYSTEM_PROMPT,
    tools,
    fact: facts[0] ?? RETENTION_FACTS[0],
    signal: options.signal,
  });
  if (calibration.method === 'chars/4 estimate') {
    notes.push(`depths placed by a chars/4 estimate of tokens: ${calibration.note}`);
  }
  const basePrompt = calibration.basePromptTokens;
  // The noise overshoots its target by up to ~10%; the answer needs its output budget too.
  const fits = (depth: number): boolean =>
    contextLength === null ||
    (basePrompt !== null
      ? basePrompt + depth * 1.1 + maxOutputTokens <= contextLength
      : (depth + overheadTokens + maxOutputTokens) * 1.1 <= contextLength);
  const runnable = depths.filter(fits);
  for (const depth of depths.filter((depth) => !fits(depth))) {
    notes.push(
      basePrompt !== null
        ? `depth ${depth} does not fit: with ${basePrompt} tokens of system prompt, tools, fact and question (counted by the server) and ${maxOutputTokens} of output it exceeds the ${contextLength}-token context`
        : `depth ${depth} does not fit: with ${overheadTokens} tokens of system prompt and tools and ${maxOutputTokens} of output it exceeds the ${contextLength}-token context`,
    );
  }
  /**
   * The conversation size, in chars/4-estimated tokens, to ask of {@link retentionConversation}. Calibrated: the
   * noise between fact and question holds `depth` tokens of the server's tokenizer (the fact and the question are
   * in the base prompt already); estimated: the whole conversation holds `depth` estimated tokens.
   */
  const estimatedSize = (depth: number, fact: RetentionFact) =>
    basePrompt === null
      ? depth
      : Math.ceil(depth / calibration.tokensPerEstimatedToken) +
        conversationTokens([
          { role: 'user', content: fact.statement },
          { role: 'assistant', content: 'Understood, I will keep that in mind.' },
          { role: 'user', content: fact.question },
        ]);
  const refused = new Set<number>();

  const runs: RetentionRun[] = [];
  const total = runnable.length * facts.length * repeat;
  for (const depth of runnable) {
    if (refused.size > 0) {
      // A smaller depth was already refused as too long: this one cannot fit either.
      refused.add(depth);
      continue;
    }
    for (const [factIndex, fact] of facts.entries()) {
      for (let index = 0; index < repeat; index++) {
        options.signal?.throwIfAborted();
        const conversation = retentionConversation(
          fact,
          estimatedSize(depth, fact),
          depth * 1000 + factIndex * 10 + index,
        );
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
          if (attempt.kind === 'context-exceeded') refused.add(depth);
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

  const summaries = depths.map((depth) => {
    if (!runnable.includes(depth)) return notRun(depth, 'does not fit the context');
    const summary = summarizeRetentionDepth(depth, runs);
    if (refused.has(depth) && summary.scored + summary.infrastructureErrors + summary.doesNotFit === 0) {
      return notRun(depth, 'does not fit the context (a smaller depth was refused as too long)');
    }
    if (summary.doesNotFit > 0 && summary.scored === 0 && summary.infrastructureErrors === 0) {
      return {
        ...notRun(depth, 'does not fit the context (the server refused it as too long)'),
        doesNotFit: summary.doesNotFit,
      };
    }
    return summary;
  });
  for (const summary of summaries) {
    if (summary.ran && summary.doesNotFit > 0) {
      notes.push(
        `depth ${summary.depth}: ${summary.doesNotFit} request(s) did not fit the context and were not scored`,
      );
    }
  }
  return {
    repeat,
    contextLength,
    overheadTokens,
    calibration,
    depths: summaries,
    runs,
    notes,
  };
}
