/** What a secret is replaced with. */
export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not replaced literally (too likely to hit ordinary text). */
const MINIMUM_SECRET_LENGTH = 6;

const TOKEN_PATTERNS: Array<[RegExp, string]> = [
  // Credentials in a URL: `http://user:pass@host` → `http://host` (the userinfo is dropped, not replaced).
  [/(https?:\/\/)[^/?#@\s"'<>]*@/gi, '$1'],
  // OpenAI (sk-, sk-proj-), Anthropic (sk-ant-), OpenRouter (sk-or-v1-) style keys.
  [/\bsk-[A-Za-z0-9_-]{8,}/g, REDACTED],
  // Authorization headers.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  // `x-api-key: …`, `api_key=…`, `"apiKey": "…"`.
  [/\b((?:x-)?api[_-]?key["']?\s*[:=]\s*["']?)[^\s"',;}]{6,}/gi, `$1${REDACTED}`],
];

function escapeForRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes secrets from text before it reaches logs, the store or reports: every given secret (API keys), and
 * anything that looks like an `sk-…` key, a `Bearer …` token, an `api_key=…` assignment or a URL's `user:pass@`.
 */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined | null>): string {
  let result = text;
  const literal = [...new Set(secrets)]
    .filter(
      (secret): secret is string =>
        typeof secret === 'string' && secret.trim().length >= MINIMUM_SECRET_LENGTH,
    )
    .sort((left, right) => right.length - left.length);
  for (const secret of literal) {
    result = result.replace(new RegExp(escapeForRegExp(secret), 'g'), REDACTED);
  }
  for (const [pattern, replacement] of TOKEN_PATTERNS) {
    result = result.replace(pattern, replacement);
  }
  return result;
}
