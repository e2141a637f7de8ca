/**
 * Validation of the options the native provider clients share; every message starts with the client's label
 * (e.g. `Ollama client`), so the error names its provider.
 */

/** The value when it is unset or a positive integer; throws `<label>: <name> must be a positive integer` otherwise. */
export function positiveIntegerOption(
  label: string,
  value: number | undefined,
  name: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${label}: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Throws `<label>: model is required` for a missing or blank model name. */
export function requireModelOption(label: string, model: string | undefined): void {
  if (!model || model.trim() === '') throw new Error(`${label}: model is required`);
}

/** Throws `<label>: baseUrl is not a valid URL` unless `baseUrl` parses as a URL. */
export function requireValidBaseUrl(label: string, baseUrl: string): void {
  try {
    new URL(baseUrl);
  } catch {
    throw new Error(`${label}: baseUrl is not a valid URL: ${baseUrl}`);
  }
}
