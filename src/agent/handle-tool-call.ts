import type { ToolCall } from '../providers/types.ts';
import { isSandboxInfrastructureError } from '../sandbox/index.ts';
import type { ToolCallValidity } from '../transcript/events.ts';
import type { TranscriptWriter } from '../transcript/transcript-writer.ts';
import type { AgentTool, ToolContext, ToolOutput } from './tool.ts';
import type { ToolProtocol } from './tool-protocol.ts';
import { validateToolArguments } from './tools/index.ts';

/** What became of one tool call: its validity class and the output sent back to the model. */
export interface CallOutcome {
  validity: ToolCallValidity;
  detail: string | null;
  output: ToolOutput;
  durationMs: number;
  ignored: string[];
}

export interface ToolCallContext {
  tools: ReadonlyMap<string, AgentTool>;
  protocol: ToolProtocol;
  toolContext: ToolContext;
  transcript: TranscriptWriter;
  signal: AbortSignal | undefined;
}

/**
 * Classifies one call (the first failing level wins: format, unknown tool, schema) and runs it when valid. A tool
 * that throws becomes an execution error sent back to the model; only cancellation and a failure of the sandbox
 * itself (SandboxInfrastructureError: never the model's fault) propagate.
 */
export async function handleToolCall(
  call: ToolCall,
  step: number,
  context: ToolCallContext,
): Promise<CallOutcome> {
  if (call.argumentsError) {
    context.transcript.write({
      type: 'format-error',
      step,
      reason: 'malformed-arguments',
      detail: call.argumentsError,
      callId: call.id,
    });
    const content = `Error: the arguments of ${call.name} could not be parsed (${call.argumentsError}). ${context.protocol.formatReminder()}`;
    return rejected('format', call.argumentsError, content);
  }
  const tool = context.tools.get(call.name);
  if (!tool) {
    const available = [...context.tools.keys()].join(', ');
    return rejected(
      'unknown-tool',
      `unknown tool ${call.name}`,
      `Error: there is no tool named "${call.name}". Available tools: ${available}.`,
    );
  }
  const validation = validateToolArguments(tool, call.arguments);
  if (!validation.ok) return rejected('schema', validation.error, `Error: ${validation.error}`);

  const started = performance.now();
  let output: ToolOutput;
  try {
    output = await tool.execute(validation.args, context.toolContext);
  } catch (error) {
    if (context.signal?.aborted || isSandboxInfrastructureError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    output = {
      content: `Error: ${call.name} failed: ${message}`,
      isError: true,
      truncated: false,
      metadata: { exception: message },
    };
  }
  const ignoredNote =
    validation.ignored.length > 0 ? `ignored arguments: ${validation.ignored.join(', ')}` : null;
  return {
    validity: output.isError ? 'execution-error' : 'valid',
    detail: output.isError ? firstLine(output.content) : ignoredNote,
    output,
    durationMs: performance.now() - started,
    ignored: validation.ignored,
  };
}

/** The outcome of a call made after finish in the same step: not run, and not held against the model. */
export function skippedAfterFinish(): CallOutcome {
  return {
    validity: 'valid',
    detail: 'not run: called after finish in the same step',
    output: {
      content: 'Not run: finish was already called.',
      isError: false,
      truncated: false,
      metadata: { skipped: true },
    },
    durationMs: 0,
    ignored: [],
  };
}

/** Writes the call and its result to the transcript. */
export function recordToolCall(
  transcript: TranscriptWriter,
  step: number,
  call: ToolCall,
  outcome: CallOutcome,
): void {
  transcript.write({
    type: 'tool-call',
    step,
    callId: call.id,
    name: call.name,
    arguments: call.arguments,
    rawArguments: call.rawArguments,
    origin: call.origin,
    format: call.format,
    validity: outcome.validity,
    detail: outcome.detail,
    ...(outcome.ignored.length > 0 ? { ignoredArguments: outcome.ignored } : {}),
  });
  transcript.write({
    type: 'tool-result',
    step,
    callId: call.id,
    name: call.name,
    content: outcome.output.content,
    isError: outcome.output.isError,
    truncated: outcome.output.truncated,
    metadata: outcome.output.metadata,
    durationMs: outcome.durationMs,
  });
}

function rejected(validity: ToolCallValidity, detail: string, content: string): CallOutcome {
  return {
    validity,
    detail,
    output: { content, isError: true, truncated: false, metadata: {} },
    durationMs: 0,
    ignored: [],
  };
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
