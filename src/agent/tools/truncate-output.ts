/** The result of truncating a tool's output. */
export interface TruncatedText {
  text: string;
  truncated: boolean;
  /** Characters removed from the middle. */
  omittedCharacters: number;
}

/**
 * Keeps the head and the tail of `text` (the end of a command's output is usually where the error is) and puts
 * a `[… N characters truncated …]` notice in between, so the result is at most about `maxCharacters` long.
 */
export function truncateOutput(text: string, maxCharacters: number): TruncatedText {
  if (text.length <= maxCharacters) return { text, truncated: false, omittedCharacters: 0 };
  const budget = Math.max(0, maxCharacters - 40);
  const headLength = Math.ceil(budget * 0.4);
  const tailLength = budget - headLength;
  const omittedCharacters = text.length - headLength - tailLength;
  const head = text.slice(0, headLength);
  const tail = tailLength > 0 ? text.slice(text.length - tailLength) : '';
  return {
    text: `${head}\n[… ${omittedCharacters} characters truncated …]\n${tail}`,
    truncated: true,
    omittedCharacters,
  };
}
