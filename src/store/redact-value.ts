import { REDACTED, redactSecrets } from '../shared/redact-secrets.ts';

/** Keys whose string values are credentials unless they only name an environment variable. */
const SECRET_KEY_PATTERN = /key|token|secret|password|credential|authorization/i;
/** An environment variable NAME (e.g. `OPENAI_API_KEY`), which may be stored. */
const ENVIRONMENT_VARIABLE_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Options of `redactValue`. */
export interface RedactValueOptions {
  /**
   * Also replace string values of keys named like `*key*`, `*token*`, `*secret*` (default true). Turn it off for
   * values whose keys are a known schema (transcript events: `timeToFirstToken` is not a credential).
   */
  byKeyName?: boolean;
}

/**
 * Deep copy of a JSON-like value with secrets removed: every string goes through `redactSecrets` (`sk-…` keys,
 * `Bearer …` tokens, `api_key=…`), and non-empty string values of keys named like `*key*`, `*token*`, `*secret*`,
 * `*password*` are replaced with `[REDACTED]` unless they are an environment variable name.
 */
export function redactValue<Value>(value: Value, options: RedactValueOptions = {}): Value {
  return redactInner(value, null, options.byKeyName !== false) as Value;
}

function redactInner(value: unknown, key: string | null, byKeyName: boolean): unknown {
  if (typeof value === 'string') {
    if (
      byKeyName &&
      key !== null &&
      SECRET_KEY_PATTERN.test(key) &&
      value.trim().length > 0 &&
      !ENVIRONMENT_VARIABLE_NAME.test(value)
    ) {
      return REDACTED;
    }
    return redactSecrets(value, []);
  }
  if (Array.isArray(value)) return value.map((item) => redactInner(item, null, byKeyName));
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [entryKey, entryValue] of Object.entries(value))
      result[entryKey] = redactInner(entryValue, entryKey, byKeyName);
    return result;
  }
  return value;
}

/** Redacts a free-text value (error messages, notes); `null`/`undefined` become `null`. */
export function redactText(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : redactSecrets(text, []);
}
