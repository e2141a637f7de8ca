import type { Message, Usage } from '../providers/types.ts';
import type { AttemptTotals, UsageTotals } from '../transcript/events.ts';

/** Everything one attempt counts while it runs; the loop reads and updates it, the transcript records it. */
export class AttemptState {
  readonly messages: Message[] = [];
  readonly usage: UsageTotals = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 };
  costUsd = 0;
  modelMs = 0;
  toolMs = 0;
  steps = 0;
  toolCalls = 0;
  invalidToolCalls = 0;
  formatErrors = 0;
  consecutiveFormatErrors = 0;
  /** Index of the turn being worked on (0 = the instruction, then the follow-ups). */
  turn = 0;
  turnsCompleted = 0;
  nudgedThisTurn = false;
  /** The summary given to finish, or the last answer text. */
  summary: string | null = null;

  addUsage(stepUsage: Usage): void {
    this.usage.inputTokens += stepUsage.inputTokens;
    this.usage.cachedInputTokens += stepUsage.cachedInputTokens;
    this.usage.outputTokens += stepUsage.outputTokens;
    this.usage.reasoningTokens += stepUsage.reasoningTokens;
  }

  countFormatError(): void {
    this.formatErrors += 1;
  }

  totalTokens(): number {
    return this.usage.inputTokens + this.usage.outputTokens;
  }

  totals(wallMs: number): AttemptTotals {
    return {
      steps: this.steps,
      turnsCompleted: this.turnsCompleted,
      usage: { ...this.usage },
      costUsd: this.costUsd,
      wallMs,
      modelMs: this.modelMs,
      toolMs: this.toolMs,
      toolCalls: this.toolCalls,
      invalidToolCalls: this.invalidToolCalls,
      formatErrors: this.formatErrors,
    };
  }
}
