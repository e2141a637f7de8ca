import { createHash } from 'node:crypto';

function normalize(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new TypeError(`stable JSON: ${path} is not a finite number (${value})`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item, index) => normalize(item ?? null, `${path}[${index}]`));
  if (typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined || typeof item === 'function') continue;
      result[key] = normalize(item, `${path}.${key}`);
    }
    return result;
  }
  throw new TypeError(`stable JSON: ${path} has unsupported type ${typeof value}`);
}

/**
 * JSON with object keys sorted at every depth and `undefined` members dropped, so equal values always serialize
 * to the same text. Throws TypeError on non-finite numbers, bigints, symbols and functions in arrays.
 */
export function stableStringify(value: unknown): string {
  return JSON.stringify(normalize(value, '$'));
}

/**
 * sha256 (hex) of the stable JSON of a value. Used as `runs.config_hash`: pass the normalized part of the config
 * that determines the run matrix (models, tasks, attempts, limits, protocol) so that a resume with a changed
 * matrix is refused while cosmetic changes (key order, labels left out of the value) are not.
 */
export function computeConfigHash(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex');
}
