import { z } from 'zod';
import type { ToolDefinition } from '../../providers/types.ts';
import type { AgentTool } from '../tool.ts';
import { editFileTool } from './edit-file-tool.ts';
import { finishTool } from './finish-tool.ts';
import { listFilesTool } from './list-files-tool.ts';
import { readFileTool } from './read-file-tool.ts';
import { runCommandTool } from './run-command-tool.ts';
import { searchTool } from './search-tool.ts';
import { writeFileTool } from './write-file-tool.ts';

export { editFileTool } from './edit-file-tool.ts';
export { finishTool } from './finish-tool.ts';
export { listFilesTool } from './list-files-tool.ts';
export { readFileTool } from './read-file-tool.ts';
export { runCommandTool } from './run-command-tool.ts';
export { searchTool } from './search-tool.ts';
export { type TruncatedText, truncateOutput } from './truncate-output.ts';
export { runTool, type ToolArgumentsValidation, validateToolArguments } from './validate-tool-arguments.ts';
export { WorkspacePathError, WorkspaceRoot } from './workspace-path.ts';
export { writeFileTool } from './write-file-tool.ts';

/** The standard coding-agent tool set, in the order shown to the model. */
export function defaultTools(): AgentTool[] {
  return [
    readFileTool,
    listFilesTool,
    searchTool,
    editFileTool,
    writeFileTool,
    runCommandTool,
    finishTool,
  ] as unknown as AgentTool[];
}

/** Each tool's JSON Schema, made once per tool (zod's toJSONSchema took ~3 ms of every attempt's start). */
const parametersOf = new WeakMap<AgentTool, Record<string, unknown>>();

/**
 * JSON Schema definitions for the model: canonical argument names only (aliases are accepted, never advertised).
 * The `parameters` of a tool are the same object for every call: read them, never change them.
 */
export function toolDefinitions(tools: AgentTool[]): ToolDefinition[] {
  return tools.map((tool) => {
    let parameters = parametersOf.get(tool);
    if (!parameters) {
      const { $schema: _ignored, ...schema } = z.toJSONSchema(tool.schema, {
        io: 'input',
        unrepresentable: 'any',
      }) as Record<string, unknown>;
      parameters = withoutNoise(schema);
      parametersOf.set(tool, parameters);
    }
    return { name: tool.name, description: tool.description, parameters };
  });
}

/** Drops the ±MAX_SAFE_INTEGER bounds zod adds to every integer: noise in the model's prompt. */
function withoutNoise(schema: Record<string, unknown>): Record<string, unknown> {
  const cleaned: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if ((key === 'minimum' || key === 'maximum') && Math.abs(value as number) === Number.MAX_SAFE_INTEGER)
      continue;
    cleaned[key] =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? withoutNoise(value as Record<string, unknown>)
        : value;
  }
  return cleaned;
}
