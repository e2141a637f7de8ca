import type { z } from 'zod';
import type { AgentTool, ToolContext, ToolOutput } from '../tool.ts';
import { forgivingArgumentsInfo } from './forgiving-arguments.ts';

/** The outcome of checking a model's raw arguments against a tool's schema. */
export type ToolArgumentsValidation<Arguments> =
  | { ok: true; args: Arguments; ignored: string[] }
  | { ok: false; error: string };

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

/**
 * Validates raw model arguments (after alias renaming and coercion). Unknown keys are tolerated and returned
 * in `ignored`; failures produce a message for the model listing missing, unexpected and wrong-type fields.
 */
export function validateToolArguments<Arguments>(
  tool: AgentTool<Arguments>,
  rawArgs: unknown,
): ToolArgumentsValidation<Arguments> {
  const info = forgivingArgumentsInfo(tool.schema as z.ZodType);
  const raw =
    typeof rawArgs === 'object' && rawArgs !== null && !Array.isArray(rawArgs) ? rawArgs : undefined;
  const ignored =
    raw && info ? Object.keys(raw).filter((key) => !info.fields.includes(key) && !(key in info.aliases)) : [];
  const result = tool.schema.safeParse(rawArgs ?? {});
  if (result.success) return { ok: true, args: result.data, ignored };
  if (raw === undefined) {
    return {
      ok: false,
      error: `Invalid arguments for ${tool.name}: expected a JSON object, got ${describeValue(rawArgs)}.`,
    };
  }
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const issue of result.error.issues) {
    const field = issue.path.join('.') || '(arguments)';
    const given = issue.path.length > 0 ? lookup(raw, issue.path) : raw;
    if (issue.code === 'invalid_type' && given === undefined) {
      missing.push(`${field} (${issue.expected})`);
    } else if (issue.code === 'invalid_type') {
      wrong.push(`${field}: expected ${issue.expected}, got ${describeValue(given)}`);
    } else {
      wrong.push(`${field}: ${issue.message}`);
    }
  }
  const lines = [`Invalid arguments for ${tool.name}.`];
  if (missing.length > 0) lines.push(`Missing required: ${missing.join(', ')}.`);
  if (wrong.length > 0) lines.push(`Wrong type or value: ${wrong.join('; ')}.`);
  if (ignored.length > 0) lines.push(`Unexpected (ignored): ${ignored.join(', ')}.`);
  if (info) lines.push(`Accepted fields: ${info.fields.join(', ')}.`);
  return { ok: false, error: lines.join('\n') };
}

function lookup(raw: object, keyPath: PropertyKey[]): unknown {
  const info = raw as Record<PropertyKey, unknown>;
  // Values may have arrived under an alias; the message then names the canonical field.
  return keyPath.reduce<unknown>(
    (value, key) =>
      typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined,
    info,
  );
}

/**
 * Validates and runs a tool call: schema failures and thrown errors become `isError` outputs for the model,
 * and ignored argument keys are recorded in `metadata.ignoredArguments`.
 */
export async function runTool<Arguments>(
  tool: AgentTool<Arguments>,
  rawArgs: unknown,
  context: ToolContext,
): Promise<ToolOutput> {
  const validation = validateToolArguments(tool, rawArgs);
  if (!validation.ok) {
    return { content: validation.error, isError: true, truncated: false, metadata: { schemaError: true } };
  }
  let output: ToolOutput;
  try {
    output = await tool.execute(validation.args, context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    output = {
      content: `Error: ${message}`,
      isError: true,
      truncated: false,
      metadata: { executionError: true },
    };
  }
  if (validation.ignored.length > 0) {
    output = { ...output, metadata: { ...output.metadata, ignoredArguments: validation.ignored } };
  }
  return output;
}
