/** The simulated servers' rough token counts: four characters a token, at least one token. */
export function estimateTokens(characters: number): number {
  return Math.max(1, Math.ceil(characters / 4));
}
