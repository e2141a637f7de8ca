import type { RecordedRequest, SimulatedTurn, ToolCallDelivery } from '../src/providers/simulated/script.ts';

/**
 * A SIMULATED model for external agents (Qwen Code, OpenCode, Codex, the mini-agent): a script for the simulated
 * model server that reads the `tools` each agent declares in its requests and drives that agent's OWN tools, its
 * shell tool or its file-writing tool, to apply a known fix, or does nothing, or leaks its calls in text, or sends
 * calls that break the declared schemas. Every answer is labelled simulated by the server.
 *
 * It needs no knowledge of a particular agent: the shell tool is the declared tool with a `command`/`cmd` parameter
 * (a string, or an argv array), the write tool the one with a path parameter and a `content` parameter. Other
 * required parameters (OpenCode's `description`, …) are filled with placeholder values of their declared type.
 */

/** What the driver does once the agent has asked for help with the task. */
export type DriverMode =
  /** Apply the fix with one call of the agent's tool, then say it is done. */
  | 'oracle'
  /** Answer with text only: no tool call, no change. */
  | 'do-nothing'
  /** Apply the fix, but with the call leaked in the answer's text (Hermes `<tool_call>` JSON), as a badly configured server does. */
  | 'leak-in-text'
  /** Call the agent's tool without its required parameters (a schema error), then give up. */
  | 'schema-error'
  /** Call a tool the agent never declared, then give up. */
  | 'unknown-tool';

/** The known fix: files to write (relative to the workspace), or a unified diff applied with `git apply`. */
export type KnownFix = { files: Array<{ path: string; content: string }> } | { patch: string };

export interface AgentDriverOptions {
  mode: DriverMode;
  fix: KnownFix;
  /** Which of the agent's tools applies the fix (default `shell`; `write` needs `files`). */
  via?: 'shell' | 'write';
  /** Text of the final answer. */
  doneText?: string;
}

/** One request the driver saw and what it decided. */
export interface DriverLogEntry {
  path: string;
  declaredTools: string[];
  answer: 'side-request' | 'tool-call' | 'final' | 'responses-api';
}

export interface AgentDriver {
  script: (request: RecordedRequest, index: number) => SimulatedTurn;
  log: DriverLogEntry[];
}

type JsonObject = Record<string, unknown>;

interface DeclaredTool {
  name: string;
  parameters: JsonObject;
}

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Chat-completions (`{type, function: {name, parameters}}`) and Responses API (`{type, name, parameters}`) tools. */
function declaredTools(body: unknown): DeclaredTool[] {
  const tools = isRecord(body) && Array.isArray(body.tools) ? body.tools : [];
  return tools.flatMap((tool): DeclaredTool[] => {
    if (!isRecord(tool)) return [];
    const spec = isRecord(tool.function) ? tool.function : tool;
    if (typeof spec.name !== 'string') return [];
    return [{ name: spec.name, parameters: isRecord(spec.parameters) ? spec.parameters : {} }];
  });
}

function properties(tool: DeclaredTool): Record<string, JsonObject> {
  const props = tool.parameters.properties;
  return isRecord(props) ? (props as Record<string, JsonObject>) : {};
}

function required(tool: DeclaredTool): string[] {
  const list = tool.parameters.required;
  return Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [];
}

const SHELL_PARAMETERS = ['command', 'cmd'];

function findShellTool(tools: DeclaredTool[]): { tool: DeclaredTool; parameter: string } | null {
  const candidates = tools.flatMap((tool) => {
    const parameter = SHELL_PARAMETERS.find((name) => name in properties(tool));
    return parameter ? [{ tool, parameter }] : [];
  });
  // Prefer the obvious shell tools when several declare a command (e.g. a background-task tool).
  return (
    candidates.find((candidate) => /shell|bash|exec/i.test(candidate.tool.name)) ?? candidates[0] ?? null
  );
}

function findWriteTool(tools: DeclaredTool[]): { tool: DeclaredTool; pathParameter: string } | null {
  for (const tool of tools) {
    const props = properties(tool);
    if (!('content' in props) || !/write|create/i.test(tool.name)) continue;
    const pathParameter = Object.keys(props).find((name) => /path/i.test(name));
    if (pathParameter) return { tool, pathParameter };
  }
  return null;
}

/** A placeholder value of a declared parameter's type. */
function placeholder(schema: JsonObject | undefined): unknown {
  const type = Array.isArray(schema?.type) ? schema?.type[0] : schema?.type;
  if (Array.isArray(schema?.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (type) {
    case 'boolean':
      return false;
    case 'number':
    case 'integer':
      return 60_000;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return 'apply the known fix';
  }
}

function withRequiredFilled(tool: DeclaredTool, args: JsonObject): JsonObject {
  const props = properties(tool);
  const filled: JsonObject = { ...args };
  for (const name of required(tool)) {
    if (!(name in filled)) filled[name] = placeholder(props[name]);
  }
  return filled;
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** A POSIX shell script applying the fix (base64 keeps every byte intact through any quoting). */
export function fixShellScript(fix: KnownFix): string {
  if ('patch' in fix)
    return `printf '%s' '${base64(fix.patch)}' | base64 -d | git apply --whitespace=nowarn -`;
  return fix.files
    .map((file) => {
      const directory = file.path.includes('/') ? file.path.slice(0, file.path.lastIndexOf('/')) : '';
      const mkdir = directory ? `mkdir -p '${directory}' && ` : '';
      return `${mkdir}printf '%s' '${base64(file.content)}' | base64 -d > '${file.path}'`;
    })
    .join(' && ');
}

function messagesOf(body: unknown): JsonObject[] {
  if (!isRecord(body)) return [];
  if (Array.isArray(body.messages)) return body.messages.filter(isRecord);
  if (Array.isArray(body.input)) return body.input.filter(isRecord);
  return [];
}

/** True once the conversation holds a result of one of our calls (chat `tool` message or Responses `function_call_output`). */
function hasToolResult(body: unknown): boolean {
  return messagesOf(body).some(
    (message) => message.role === 'tool' || message.type === 'function_call_output',
  );
}

function fixCalls(
  tools: DeclaredTool[],
  options: AgentDriverOptions,
): Array<{ name: string; arguments: JsonObject }> | null {
  if (options.via === 'write') {
    const write = findWriteTool(tools);
    if (!write || !('files' in options.fix)) return null;
    return options.fix.files.map((file) => ({
      name: write.tool.name,
      arguments: withRequiredFilled(write.tool, { [write.pathParameter]: file.path, content: file.content }),
    }));
  }
  const shell = findShellTool(tools);
  if (!shell) return null;
  const script = fixShellScript(options.fix);
  const commandSchema = properties(shell.tool)[shell.parameter];
  const command = commandSchema?.type === 'array' ? ['bash', '-lc', script] : script;
  return [
    { name: shell.tool.name, arguments: withRequiredFilled(shell.tool, { [shell.parameter]: command }) },
  ];
}

/**
 * The driver. Requests without tools (title generation, summaries, next-speaker checks) get a short plain answer;
 * a request with tools and no tool result yet gets the mode's move; after a tool result comes the final answer.
 */
export function createAgentDriver(options: AgentDriverOptions): AgentDriver {
  const log: DriverLogEntry[] = [];
  const doneText = options.doneText ?? 'Applied the fix.';
  const script = (request: RecordedRequest): SimulatedTurn => {
    const tools = declaredTools(request.body);
    const entry: DriverLogEntry = {
      path: request.path,
      declaredTools: tools.map((tool) => tool.name),
      answer: 'final',
    };
    log.push(entry);
    if (tools.length === 0) {
      entry.answer = 'side-request';
      return { content: 'Fix the failing tests' };
    }
    if (hasToolResult(request.body) || options.mode === 'do-nothing') {
      return { content: options.mode === 'do-nothing' ? 'I will not change anything.' : doneText };
    }
    entry.answer = 'tool-call';
    if (options.mode === 'unknown-tool') {
      return { toolCalls: [{ name: 'shakedown_no_such_tool', arguments: { anything: true } }] };
    }
    const calls = fixCalls(tools, options);
    if (!calls) {
      throw new Error(
        `the agent declares no ${options.via ?? 'shell'} tool the driver recognizes: ${entry.declaredTools.join(', ')}`,
      );
    }
    if (options.mode === 'schema-error') {
      return { toolCalls: calls.map((call) => ({ name: call.name, arguments: {} })) };
    }
    const delivery: ToolCallDelivery = options.mode === 'leak-in-text' ? 'leak-hermes' : 'native';
    return { toolCalls: calls, toolCallDelivery: delivery };
  };
  return { script, log };
}
