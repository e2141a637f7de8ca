import { isRecord } from '../../shared/json-values.ts';
import type { ToolCall } from '../types.ts';
import { ollamaToolCallSchema } from './ollama-wire-schemas.ts';

/** A tool call as Ollama sends it (whole, arguments normally an object) → the normalized ToolCall. */
export function parseOllamaToolCall(raw: unknown, fallbackIndex: number): ToolCall {
  const parsed = ollamaToolCallSchema.safeParse(raw);
  const call = parsed.success ? parsed.data : {};
  const fn = call.function ?? {};
  const name = fn.name ?? '';
  const id = call.id !== undefined && call.id.length > 0 ? call.id : `call_${fallbackIndex}`;
  const base = { id, name, origin: 'server-parsed' as const, format: 'native' as const };
  const rawArguments = fn.arguments;
  if (isRecord(rawArguments)) {
    return { ...base, arguments: rawArguments, rawArguments: JSON.stringify(rawArguments) };
  }
  if (typeof rawArguments === 'string') {
    try {
      const decoded: unknown = JSON.parse(rawArguments);
      if (isRecord(decoded)) return { ...base, arguments: decoded, rawArguments };
      return { ...base, arguments: {}, rawArguments, argumentsError: 'arguments are JSON but not an object' };
    } catch (error) {
      return {
        ...base,
        arguments: {},
        rawArguments,
        argumentsError: `arguments are not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
  if (rawArguments === undefined || rawArguments === null) {
    return { ...base, arguments: {}, rawArguments: '', argumentsError: 'the tool call has no arguments' };
  }
  return {
    ...base,
    arguments: {},
    rawArguments: JSON.stringify(rawArguments),
    argumentsError: 'arguments are not an object',
  };
}
