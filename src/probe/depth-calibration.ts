import type { Message, ModelClient, ToolDefinition } from '../providers/types.ts';
import { attemptStep } from './attempt-step.ts';
import { conversationTokens, noiseMessages } from './retention-conversation.ts';
import type { RetentionFact } from './retention-facts.ts';

/** How retention depths are turned into conversation sizes. */
export interface DepthCalibration {
  /**
   * `server-tokens`: the server counted the prompt tokens of two calibration requests (its own tokenizer);
   * `chars/4 estimate`: it did not, and depths are placed by characters / 4.
   */
  method: 'server-tokens' | 'chars/4 estimate';
  /** Server tokens per chars/4-estimated token of conversation (1 for the estimate). */
  tokensPerEstimatedToken: number;
  /**
   * Prompt tokens of a retention request without noise (system prompt, tools, chat template, the fact and the
   * question), as the server counted them; null with the estimate.
   */
  basePromptTokens: number | null;
  /** Why the estimate was used, when it was. */
  note?: string;
}

/** Estimated tokens of noise in the second calibration request. */
const CALIBRATION_NOISE_TOKENS = 256;

/** The estimate, with the reason it had to be used. */
function estimate(note: string): DepthCalibration {
  return { method: 'chars/4 estimate', tokensPerEstimatedToken: 1, basePromptTokens: null, note };
}

/**
 * Measures how many tokens the server's own tokenizer counts for the retention conversation: two one-token requests
 * (the fact and the question alone, then with a little noise) and the prompt tokens the server reports for each.
 * Falls back to the chars/4 estimate, with a note, when the server reports no token counts or refuses a request.
 */
export async function calibrateDepths(
  client: ModelClient,
  options: { systemPrompt: string; tools: ToolDefinition[]; fact: RetentionFact; signal?: AbortSignal },
): Promise<DepthCalibration> {
  const opening: Message[] = [
    { role: 'system', content: options.systemPrompt },
    { role: 'user', content: options.fact.statement },
    { role: 'assistant', content: 'Understood, I will keep that in mind.' },
  ];
  const question: Message = { role: 'user', content: options.fact.question };
  const noise = noiseMessages(CALIBRATION_NOISE_TOKENS, 1);
  const promptTokens = async (messages: Message[]): Promise<number | string> => {
    const attempt = await attemptStep(client, {
      messages,
      tools: options.tools,
      maxOutputTokens: 1,
      temperature: 0,
      signal: options.signal,
    });
    if (!attempt.ok) return `${attempt.kind}: ${attempt.error}`;
    if (attempt.result.usage.source !== 'server') return 'the server reports no token counts';
    return attempt.result.usage.inputTokens;
  };
  const base = await promptTokens([...opening, question]);
  if (typeof base === 'string') return estimate(`calibration request failed (${base})`);
  const withNoise = await promptTokens([...opening, ...noise, question]);
  if (typeof withNoise === 'string') return estimate(`calibration request failed (${withNoise})`);
  const ratio = (withNoise - base) / conversationTokens(noise);
  if (!Number.isFinite(ratio) || ratio <= 0) {
    return estimate(`the server's token counts did not grow with the conversation (${base} -> ${withNoise})`);
  }
  return { method: 'server-tokens', tokensPerEstimatedToken: ratio, basePromptTokens: base };
}
