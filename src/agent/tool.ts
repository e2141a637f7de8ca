import type { z } from 'zod';
import type { Sandbox } from '../sandbox/types.ts';

/** What a tool gets to work with: the workspace, the sandbox its commands run in, and output limits. */
export interface ToolContext {
  /** Absolute host path of the attempt's workspace. */
  workspaceDir: string;
  sandbox: Sandbox;
  /** Most characters of output returned to the model; longer output is truncated with a notice. */
  maxOutputChars: number;
  /** Default and maximum timeout for run_command. */
  commandTimeoutMs: number;
  signal?: AbortSignal;
}

export interface ToolOutput {
  /** What goes back to the model as the tool result. */
  content: string;
  /** The tool failed (bad path, no match, non-zero exit is NOT an error for run_command). */
  isError: boolean;
  truncated: boolean;
  /** Structured facts for the transcript (exit code, fuzzy edit used, files changed, finish summary...). */
  metadata: Record<string, unknown>;
}

export interface AgentTool<Arguments = Record<string, unknown>> {
  name: string;
  description: string;
  /** zod schema of the arguments, after forgiving coercion of argument drift. */
  schema: z.ZodType<Arguments>;
  execute(args: Arguments, context: ToolContext): Promise<ToolOutput>;
}
