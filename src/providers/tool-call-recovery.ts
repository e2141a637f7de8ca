import type { ModelIssue, ToolCall } from './types.ts';

export interface AssistantOutput {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
}

/** Options for {@link normalizeAssistantOutput}. */
export interface NormalizeOptions {
  /**
   * Names of the tools offered to the model. When given, a bare JSON object `{"name": <known tool>, "arguments": …}`
   * that makes up the whole text (optionally in a code fence) is also recovered. Tagged calls (`<tool_call>`,
   * `<function=…>`) are recovered whatever their name: the agent classifies unknown tools itself.
   */
  knownTools?: string[];
}

/** What {@link extractToolCallsFromText} found in one piece of text. */
export interface TextToolCallExtraction {
  /** Recovered calls in order of appearance, ids `call_recovered_<n>`, origin `recovered`. */
  calls: ToolCall[];
  /** The text with the recovered calls cut out (unchanged when nothing was recovered). */
  remainingText: string;
  /** Problems with text that looked like a tool call but could not be recovered as one. */
  errors: string[];
}

/** Options for {@link extractToolCallsFromText}. */
export interface ExtractOptions {
  /** Number of the first recovered call's id (`call_recovered_<firstIndex>`); default 0. */
  firstIndex?: number;
  /** Recorded on each call as `recoveredFrom`; default `content`. */
  source?: 'content' | 'reasoning';
  /** See {@link NormalizeOptions.knownTools}. */
  knownTools?: string[];
}

const TOOL_CALL_OPEN = '<tool_call>';
const TOOL_CALL_CLOSE = '</tool_call>';
const FUNCTION_OPEN = /<function\s*=\s*([^>\n]+?)\s*>/y;
const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';

interface Span {
  start: number;
  end: number;
}

interface ParsedCall {
  name: string;
  arguments: Record<string, unknown>;
  rawArguments: string;
  format: 'hermes-json' | 'qwen-xml';
  argumentsError?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Spans of inline code (`like this`) on one line: a tag mentioned there is prose, not a call. */
function inlineCodeSpans(text: string): Span[] {
  const spans: Span[] = [];
  const pattern = /(?<!`)`(?!`)[^`\n]+`(?!`)/g;
  for (const match of text.matchAll(pattern)) {
    spans.push({ start: match.index, end: match.index + match[0].length });
  }
  return spans;
}

function insideAny(position: number, spans: Span[]): boolean {
  return spans.some((span) => position > span.start && position < span.end);
}

/**
 * Index just after the JSON value (object or array) starting at `start`, respecting strings; -1 when the value
 * is not terminated.
 */
function scanBalanced(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const character = text[index];
    if (inString) {
      if (character === '\\') index++;
      else if (character === '"') inString = false;
      continue;
    }
    if (character === '"') inString = true;
    else if (character === '{' || character === '[') depth++;
    else if (character === '}' || character === ']') {
      depth--;
      if (depth === 0) return index + 1;
    }
  }
  return -1;
}

/** Removes commas that directly precede `}` or `]` (outside strings): a cheap, common repair. */
function removeTrailingCommas(text: string): string {
  let result = '';
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (inString) {
      result += character;
      if (character === '\\' && index + 1 < text.length) result += text[++index];
      else if (character === '"') inString = false;
      continue;
    }
    if (character === '"') inString = true;
    if (character === ',') {
      const rest = text.slice(index + 1).match(/^\s*([}\]])/);
      if (rest) continue;
    }
    result += character;
  }
  return result;
}

/** JSON.parse, retried once with trailing commas removed. */
function parseLenientJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    try {
      return { value: JSON.parse(removeTrailingCommas(text)) };
    } catch {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }
}

/** Strips a surrounding Markdown code fence (```json … ```), if any. */
function stripCodeFence(text: string): string {
  const trimmed = text.trim();
  const match = trimmed.match(/^```[\w-]*[ \t]*\n?([\s\S]*?)\n?```$/);
  if (match) return match[1].trim();
  const open = trimmed.match(/^```[\w-]*[ \t]*\n([\s\S]*)$/);
  if (open) return open[1].trim();
  return trimmed;
}

/** Turns one parsed Hermes-style JSON object into a call, or explains why it is not one. */
function callFromHermesObject(value: unknown, rawText: string): ParsedCall | string {
  if (!isRecord(value)) return 'tool call JSON is not an object';
  const target = isRecord(value.function) ? { ...value.function } : value;
  const name = target.name;
  if (typeof name !== 'string' || name.trim() === '') return 'tool call JSON has no "name"';
  const given = 'arguments' in target ? target.arguments : 'parameters' in target ? target.parameters : {};
  if (typeof given === 'string') {
    const parsed = parseLenientJson(given);
    if ('error' in parsed) {
      return {
        name: name.trim(),
        arguments: {},
        rawArguments: given,
        format: 'hermes-json',
        argumentsError: `arguments string is not valid JSON: ${parsed.error}`,
      };
    }
    if (!isRecord(parsed.value)) {
      return {
        name: name.trim(),
        arguments: {},
        rawArguments: given,
        format: 'hermes-json',
        argumentsError: 'arguments are not a JSON object',
      };
    }
    return { name: name.trim(), arguments: parsed.value, rawArguments: given, format: 'hermes-json' };
  }
  if (given === null || given === undefined) {
    return { name: name.trim(), arguments: {}, rawArguments: '{}', format: 'hermes-json' };
  }
  if (!isRecord(given)) {
    return {
      name: name.trim(),
      arguments: {},
      rawArguments: JSON.stringify(given) ?? rawText,
      format: 'hermes-json',
      argumentsError: 'arguments are not a JSON object',
    };
  }
  return { name: name.trim(), arguments: given, rawArguments: JSON.stringify(given), format: 'hermes-json' };
}

/**
 * Parses the body of a `<tool_call>` that holds JSON: one object, several objects, or an array of them. A body
 * that is cut off becomes a call with `argumentsError` when its name can still be read.
 */
function parseHermesBody(body: string): { calls: ParsedCall[]; errors: string[] } {
  const text = stripCodeFence(body);
  const calls: ParsedCall[] = [];
  const errors: string[] = [];
  let index = 0;
  while (index < text.length) {
    const start = text.slice(index).search(/[{[]/);
    if (start === -1) break;
    const from = index + start;
    const end = scanBalanced(text, from);
    if (end === -1) {
      const fragment = text.slice(from);
      const name = fragment.match(/"name"\s*:\s*"([^"\\]+)"/)?.[1];
      if (name) {
        calls.push({
          name,
          arguments: {},
          rawArguments: fragment,
          format: 'hermes-json',
          argumentsError: 'tool call JSON is not terminated (output cut off?)',
        });
      } else {
        errors.push(`unterminated tool call JSON without a readable name: ${truncate(fragment)}`);
      }
      break;
    }
    const fragment = text.slice(from, end);
    const parsed = parseLenientJson(fragment);
    if ('error' in parsed) {
      const name = fragment.match(/"name"\s*:\s*"([^"\\]+)"/)?.[1];
      if (name) {
        calls.push({
          name,
          arguments: {},
          rawArguments: fragment,
          format: 'hermes-json',
          argumentsError: `tool call JSON is malformed: ${parsed.error}`,
        });
      } else errors.push(`malformed tool call JSON: ${parsed.error}`);
    } else {
      const values = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
      for (const value of values) {
        const call = callFromHermesObject(value, fragment);
        if (typeof call === 'string') errors.push(call);
        else calls.push(call);
      }
    }
    index = end;
  }
  return { calls, errors };
}

/** A Qwen XML parameter value: JSON numbers, booleans, null, arrays and objects are parsed; the rest stays text. */
function parseParameterValue(raw: string): unknown {
  let value = raw;
  if (value.startsWith('\r\n')) value = value.slice(2);
  else if (value.startsWith('\n')) value = value.slice(1);
  if (value.endsWith('\r\n')) value = value.slice(0, -2);
  else if (value.endsWith('\n')) value = value.slice(0, -1);
  const trimmed = value.trim();
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(trimmed) || /^(true|false|null)$/.test(trimmed)) {
    return JSON.parse(trimmed);
  }
  if (
    (trimmed.startsWith('{') && trimmed.endsWith('}')) ||
    (trimmed.startsWith('[') && trimmed.endsWith(']'))
  ) {
    const parsed = parseLenientJson(trimmed);
    if ('value' in parsed) return parsed.value;
  }
  return value;
}

/** Parses `<parameter=P>value</parameter>…` (closing tags optional) from a Qwen XML function body. */
function parseQwenParameters(body: string): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  const opener = /<parameter\s*=\s*([^>\n]+?)\s*>/g;
  const openings = [...body.matchAll(opener)];
  for (let index = 0; index < openings.length; index++) {
    const opening = openings[index];
    const valueStart = opening.index + opening[0].length;
    const nextOpening = index + 1 < openings.length ? openings[index + 1].index : body.length;
    const close = body.indexOf('</parameter>', valueStart);
    const valueEnd = close !== -1 && close < nextOpening ? close : nextOpening;
    parameters[opening[1]] = parseParameterValue(body.slice(valueStart, valueEnd));
  }
  return parameters;
}

/**
 * Parses a Qwen XML function block starting at `start` (which holds `<function=`). Returns the call and where
 * the block ends (after `</function>`, or at `limit` when it is not closed).
 */
function parseQwenFunction(
  text: string,
  start: number,
  limit: number,
): { call: ParsedCall; end: number } | null {
  FUNCTION_OPEN.lastIndex = start;
  const opening = FUNCTION_OPEN.exec(text);
  if (!opening) return null;
  const bodyStart = start + opening[0].length;
  const close = text.indexOf('</function>', bodyStart);
  const closed = close !== -1 && close < limit;
  const bodyEnd = closed ? close : limit;
  const end = closed ? close + '</function>'.length : limit;
  const body = text.slice(bodyStart, bodyEnd);
  const call: ParsedCall = {
    name: opening[1].trim(),
    arguments: parseQwenParameters(body),
    rawArguments: text.slice(start, end),
    format: 'qwen-xml',
  };
  if (!/<parameter\s*=/.test(body) && body.trim().length > 0) {
    call.argumentsError = `function body has no <parameter=…> tags: ${truncate(body.trim())}`;
  }
  return { call, end };
}

function truncate(text: string, length = 80): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

/** Whether the text after an opening `<tool_call>` looks like a tool call at all. */
function looksLikeCallBody(body: string): 'json' | 'xml' | null {
  const trimmed = stripCodeFence(body);
  if (/^<function\s*=/.test(trimmed)) return 'xml';
  if (/^[{[]/.test(trimmed)) return 'json';
  return null;
}

/** Cuts spans out of text and tidies the blank lines left behind. */
function removeSpans(text: string, spans: Span[]): string {
  if (spans.length === 0) return text;
  const sorted = [...spans].sort((left, right) => left.start - right.start);
  let result = '';
  let position = 0;
  for (const span of sorted) {
    result += text.slice(position, span.start);
    position = Math.max(position, span.end);
  }
  result += text.slice(position);
  return result
    .replace(/```[\w-]*[ \t]*\n\s*```/g, '')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A bare JSON call (no tags) that makes up the whole text, accepted only for known tool names. */
function extractBareJsonCalls(text: string, knownTools: string[]): ParsedCall[] {
  const body = stripCodeFence(text);
  if (!/^[{[]/.test(body) || scanBalanced(body, 0) !== body.length) return [];
  const parsed = parseHermesBody(body);
  if (parsed.errors.length > 0 || parsed.calls.length === 0) return [];
  if (!parsed.calls.every((call) => knownTools.includes(call.name) && !call.argumentsError)) return [];
  return parsed.calls;
}

/**
 * Finds tool calls written as text: Hermes `<tool_call>{json}</tool_call>` (also with `"parameters"`, arguments as
 * a JSON string, several calls, code fences, trailing commas) and Qwen3-Coder XML
 * `<tool_call><function=NAME><parameter=P>value</parameter></function></tool_call>` (with or without the opening
 * tag, without the closing one at the end of text). Tags shown in inline code are left alone. Used by the
 * text tool protocols of the agent and by {@link normalizeAssistantOutput}.
 */
export function extractToolCallsFromText(text: string, options: ExtractOptions = {}): TextToolCallExtraction {
  const firstIndex = options.firstIndex ?? 0;
  const source = options.source ?? 'content';
  const inlineCode = inlineCodeSpans(text);
  const parsedCalls: ParsedCall[] = [];
  const removed: Span[] = [];
  const errors: string[] = [];

  let position = 0;
  while (position < text.length) {
    const nextTag = text.indexOf(TOOL_CALL_OPEN, position);
    const functionMatch = /<function\s*=/g;
    functionMatch.lastIndex = position;
    const nextFunction = functionMatch.exec(text)?.index ?? -1;
    const candidates = [nextTag, nextFunction].filter((index) => index !== -1);
    if (candidates.length === 0) break;
    const start = Math.min(...candidates);
    if (insideAny(start, inlineCode)) {
      position = start + 1;
      continue;
    }

    if (start === nextTag) {
      const bodyStart = start + TOOL_CALL_OPEN.length;
      const close = text.indexOf(TOOL_CALL_CLOSE, bodyStart);
      const following = text.indexOf(TOOL_CALL_OPEN, bodyStart);
      let bodyEnd = close === -1 ? text.length : close;
      if (following !== -1 && following < bodyEnd) bodyEnd = following;
      const end = bodyEnd === close ? close + TOOL_CALL_CLOSE.length : bodyEnd;
      const body = text.slice(bodyStart, bodyEnd);
      const kind = looksLikeCallBody(body);
      if (kind === null) {
        // Prose that mentions the tag ("I will emit a <tool_call> now"): not a call.
        position = bodyStart;
        continue;
      }
      if (kind === 'xml') {
        const functionStart = bodyStart + body.indexOf('<function');
        let cursor = functionStart;
        let parsedAny = false;
        while (cursor < bodyEnd) {
          const parsed = parseQwenFunction(text, cursor, bodyEnd);
          if (!parsed) break;
          parsedCalls.push(parsed.call);
          parsedAny = true;
          const next = text.slice(parsed.end, bodyEnd).search(/<function\s*=/);
          if (next === -1) break;
          cursor = parsed.end + next;
        }
        if (!parsedAny) errors.push(`unreadable <function=…> tag in tool call: ${truncate(body.trim())}`);
      } else {
        const parsed = parseHermesBody(body);
        parsedCalls.push(...parsed.calls);
        errors.push(...parsed.errors);
      }
      removed.push({ start, end });
      position = end;
      continue;
    }

    // A bare `<function=…>`: Qwen XML without the opening `<tool_call>`.
    const nextOpenTag = text.indexOf(TOOL_CALL_OPEN, start);
    const limit = nextOpenTag === -1 ? text.length : nextOpenTag;
    const parsed = parseQwenFunction(text, start, limit);
    if (!parsed) {
      position = start + 1;
      continue;
    }
    parsedCalls.push(parsed.call);
    let end = parsed.end;
    const closing = text.slice(end, limit).match(/^\s*<\/tool_call>/);
    if (closing) end += closing[0].length;
    removed.push({ start, end });
    position = end;
  }

  if (parsedCalls.length === 0 && options.knownTools && options.knownTools.length > 0) {
    const bare = extractBareJsonCalls(text, options.knownTools);
    if (bare.length > 0) {
      parsedCalls.push(...bare);
      removed.push({ start: 0, end: text.length });
    }
  }

  const calls: ToolCall[] = parsedCalls.map((call, index) => {
    const toolCall: ToolCall = {
      id: `call_recovered_${firstIndex + index}`,
      name: call.name,
      arguments: call.arguments,
      rawArguments: call.rawArguments,
      origin: 'recovered',
      format: call.format,
      recoveredFrom: source,
    };
    if (call.argumentsError) toolCall.argumentsError = call.argumentsError;
    return toolCall;
  });
  return { calls, remainingText: removeSpans(text, removed), errors };
}

/**
 * Splits `<think>…</think>` blocks out of text. An unclosed `<think>` makes the rest reasoning; a `</think>`
 * with no opening makes everything before it reasoning (templates that open the block in the prompt).
 */
export function splitThinking(text: string): { text: string; reasoning: string } {
  const reasoningParts: string[] = [];
  let remaining = text;
  const firstClose = remaining.indexOf(THINK_CLOSE);
  const firstOpen = remaining.indexOf(THINK_OPEN);
  if (firstClose !== -1 && (firstOpen === -1 || firstOpen > firstClose)) {
    reasoningParts.push(remaining.slice(0, firstClose));
    remaining = remaining.slice(firstClose + THINK_CLOSE.length);
  }
  let visible = '';
  while (remaining.length > 0) {
    const open = remaining.indexOf(THINK_OPEN);
    if (open === -1) {
      visible += remaining;
      break;
    }
    visible += remaining.slice(0, open);
    const close = remaining.indexOf(THINK_CLOSE, open + THINK_OPEN.length);
    if (close === -1) {
      reasoningParts.push(remaining.slice(open + THINK_OPEN.length));
      break;
    }
    reasoningParts.push(remaining.slice(open + THINK_OPEN.length, close));
    remaining = remaining.slice(close + THINK_CLOSE.length);
  }
  if (reasoningParts.length === 0) return { text, reasoning: '' };
  return {
    text: visible.replace(/\n{3,}/g, '\n\n').trim(),
    reasoning: reasoningParts
      .map((part) => part.trim())
      .filter((part) => part.length > 0)
      .join('\n\n'),
  };
}

function sameCall(left: ToolCall, right: ToolCall): boolean {
  return left.name === right.name && JSON.stringify(left.arguments) === JSON.stringify(right.arguments);
}

/**
 * Turns what a server sent into the final assistant output: splits `<think>` blocks out of the text into
 * reasoning, recovers tool calls leaked into text or reasoning (Hermes JSON, Qwen XML with or without the opening
 * tag, inside `<think>`), removes them from the text, and tags them `recovered`. Server-parsed calls are kept
 * first and untouched.
 */
export function normalizeAssistantOutput(
  output: AssistantOutput,
  options: NormalizeOptions = {},
): AssistantOutput & { issues: ModelIssue[] } {
  const issues: ModelIssue[] = [];
  const split = splitThinking(output.text);
  const ownReasoning = /<\/?think>/.test(output.reasoning)
    ? output.reasoning.replace(/<\/?think>/g, '').trim()
    : output.reasoning;
  const reasoningSource =
    split.reasoning.length === 0
      ? ownReasoning
      : [ownReasoning.trim(), split.reasoning].filter((part) => part.length > 0).join('\n\n');
  const reasoningChanged = reasoningSource !== output.reasoning;

  const fromReasoning = extractToolCallsFromText(reasoningSource, {
    source: 'reasoning',
    firstIndex: 0,
  });
  const fromContent = extractToolCallsFromText(split.text, {
    source: 'content',
    firstIndex: fromReasoning.calls.length,
    knownTools: options.knownTools,
  });

  const recovered = [...fromReasoning.calls, ...fromContent.calls].filter(
    (call) => !output.toolCalls.some((native) => sameCall(native, call)),
  );
  const duplicates = fromReasoning.calls.length + fromContent.calls.length - recovered.length;

  if (recovered.length > 0) {
    const formats = [...new Set(recovered.map((call) => call.format))].join(', ');
    const sources = [...new Set(recovered.map((call) => call.recoveredFrom))].join(' and ');
    issues.push({
      kind: 'leaked-tool-call',
      message: `recovered ${recovered.length} tool call${recovered.length === 1 ? '' : 's'} leaked into ${sources} as text (${formats})`,
    });
  }
  if (duplicates > 0) {
    issues.push({
      kind: 'leaked-tool-call',
      message: `${duplicates} tool call${duplicates === 1 ? '' : 's'} in the text duplicated server-parsed calls and were dropped`,
    });
  }
  for (const call of recovered) {
    if (call.argumentsError) {
      issues.push({
        kind: 'malformed-arguments',
        message: `${call.name} (${call.id}): ${call.argumentsError}`,
      });
    }
  }
  for (const error of [...fromReasoning.errors, ...fromContent.errors]) {
    issues.push({ kind: 'malformed-arguments', message: error });
  }

  const touchedReasoning = fromReasoning.calls.length > 0 || reasoningChanged;
  return {
    text:
      split.text === output.text && fromContent.calls.length === 0 ? output.text : fromContent.remainingText,
    reasoning: touchedReasoning ? fromReasoning.remainingText : output.reasoning,
    toolCalls: [...output.toolCalls, ...recovered],
    issues,
  };
}
