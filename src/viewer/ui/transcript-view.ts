/**
 * The transcript of an attempt: user messages, model turns with timings and collapsible reasoning, tool calls
 * coloured by validity class (recovered calls marked), tool output (collapsible, monospace) with edit diffs, and
 * the events that end or interrupt the attempt.
 */
import type { TranscriptEvent, TranscriptEventOf } from '../../transcript/events.ts';
import { looksLikeDiff, renderDiff } from './diff-view.ts';
import { element } from './dom.ts';
import { formatCost, formatCount, formatMs, formatNumber, formatUsd } from './format.ts';

const VALIDITY_LABELS: Record<string, string> = {
  valid: 'valid',
  format: 'format error',
  'unknown-tool': 'unknown tool',
  schema: 'schema error',
  'execution-error': 'execution error',
};

function meta(text: string): HTMLElement {
  return element('span', { class: 'event-meta' }, text);
}

function collapsible(summary: string, body: Node, open = false): HTMLElement {
  return element('details', { open }, element('summary', {}, summary), body);
}

function timing(label: string, value: string, source?: string): HTMLElement {
  return element('span', { title: source ? `source: ${source}` : '' }, `${label} `, element('b', {}, value));
}

function renderModelResponse(event: TranscriptEventOf<'model-response'>): HTMLElement {
  const { result } = event;
  const { timings, usage } = result;
  return element(
    'div',
    { class: 'event model-response', 'data-sequence': event.sequence },
    element(
      'div',
      { class: 'event-title' },
      `Model turn · step ${event.step}`,
      result.simulated && element('span', { class: 'badge simulated' }, 'SIMULATED'),
      ' ',
      meta(`${result.provider} ${result.model} · finish: ${result.finishReason}`),
    ),
    element(
      'div',
      { class: 'timings' },
      timing('TTFT', formatMs(timings.timeToFirstTokenMs), timings.sources.timeToFirstToken),
      timing('prefill', `${formatNumber(timings.prefillTokensPerSecond)} tok/s`, timings.sources.prefill),
      timing('decode', `${formatNumber(timings.decodeTokensPerSecond)} tok/s`, timings.sources.decode),
      timing('wall', formatMs(timings.wallMs)),
      timing(
        'tokens in',
        `${formatCount(usage.inputTokens)} (${formatCount(usage.cachedInputTokens)} cached)`,
        usage.source,
      ),
      timing('out', formatCount(usage.outputTokens), usage.source),
      timing('reasoning', formatCount(usage.reasoningTokens), usage.source),
      result.retries.length > 0 && timing('retries', String(result.retries.length)),
    ),
    result.reasoning && collapsible('Reasoning', element('pre', { class: 'reasoning' }, result.reasoning)),
    result.text && element('pre', { class: 'response-text' }, result.text),
    result.issues.length > 0 &&
      element(
        'ul',
        {},
        result.issues.map((issue) =>
          element('li', { class: 'event-meta' }, `${issue.kind}: ${issue.message}`),
        ),
      ),
  );
}

function renderToolCall(event: TranscriptEventOf<'tool-call'>): HTMLElement {
  return element(
    'div',
    {
      class: `event tool-call validity-${event.validity}`,
      'data-validity': event.validity,
      'data-origin': event.origin,
    },
    element(
      'div',
      { class: 'event-title' },
      `Tool call · ${event.name} `,
      element(
        'span',
        { class: `validity-label ${event.validity}` },
        VALIDITY_LABELS[event.validity] ?? event.validity,
      ),
      event.origin === 'recovered' &&
        element(
          'span',
          {
            class: 'recovered-marker',
            title: 'The server did not parse this call; it was recovered from leaked text',
          },
          `RECOVERED (${event.format})`,
        ),
      event.origin === 'text-protocol' &&
        element('span', { class: 'recovered-marker' }, `text protocol (${event.format})`),
      ' ',
      meta(`step ${event.step} · ${event.callId}`),
    ),
    event.detail && element('div', { class: 'event-meta call-detail' }, event.detail),
    renderToolArguments(event.arguments),
  );
}

/**
 * Tool arguments people can read: short values as `name: value` lines, and every multi-line string (the content of
 * `write_file`, an edit's old and new text, a command) as its own code block with real line breaks, never as
 * escaped JSON.
 */
export function renderToolArguments(args: unknown): HTMLElement {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    return element('pre', { class: 'arguments' }, JSON.stringify(args, null, 2));
  }
  const entries = Object.entries(args as Record<string, unknown>);
  const isBlock = (value: unknown) =>
    typeof value === 'string' && (value.includes('\n') || value.length > 80);
  const inline = entries
    .filter(([, value]) => !isBlock(value))
    .map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return element(
    'div',
    { class: 'arguments' },
    inline.length > 0 && element('pre', { class: 'arguments-inline' }, inline.join('\n')),
    entries
      .filter(([, value]) => isBlock(value))
      .map(([name, value]) =>
        element(
          'div',
          { class: 'argument-block', 'data-argument': name },
          element('div', { class: 'event-meta' }, `${name}:`),
          element('pre', { class: 'code-block' }, value as string),
        ),
      ),
  );
}

function renderToolResult(event: TranscriptEventOf<'tool-result'>): HTMLElement {
  const metadataDiff = typeof event.metadata.diff === 'string' ? event.metadata.diff : null;
  const newline = event.content.indexOf('\n');
  const contentDiff =
    !event.isError && looksLikeDiff(event.content) && newline >= 0 ? event.content.slice(newline + 1) : null;
  const diff = metadataDiff ?? contentDiff;
  const lines = event.content.split('\n').length;
  return element(
    'div',
    { class: `event tool-result${event.isError ? ' error' : ''}` },
    element(
      'div',
      { class: 'event-title' },
      `Tool output · ${event.name}`,
      event.isError && element('span', { class: 'badge failed' }, 'error'),
      event.truncated && element('span', { class: 'badge' }, 'truncated'),
      ' ',
      meta(`${formatMs(event.durationMs)} · ${lines} lines`),
    ),
    diff &&
      element(
        'div',
        { class: 'file-diff' },
        diff === contentDiff
          ? element('div', { class: 'event-meta' }, event.content.slice(0, newline))
          : null,
        renderDiff(diff),
      ),
    collapsible('Output', element('pre', { class: 'tool-output' }, event.content), !diff && lines <= 12),
  );
}

/** How a transcript is shown. */
export interface TranscriptOptions {
  /** False when the model has no price: costs show as a dash with why, never `$0`. */
  priced?: boolean;
}

/** Renders one transcript event. */
export function renderEvent(event: TranscriptEvent, options: TranscriptOptions = {}): HTMLElement {
  switch (event.type) {
    case 'attempt-started':
      return element(
        'div',
        { class: 'event attempt-started' },
        element(
          'div',
          { class: 'event-title' },
          `Attempt started · ${event.modelId} on ${event.taskId}`,
          event.simulated && element('span', { class: 'badge simulated' }, 'SIMULATED'),
        ),
        meta(
          `protocol ${event.protocol} · tools ${event.toolNames.join(', ')} · max ${event.limits.maxSteps} steps`,
        ),
        collapsible('System prompt', element('pre', {}, event.systemPrompt)),
      );
    case 'user-message':
      return element(
        'div',
        { class: 'event user-message' },
        element('div', { class: 'event-title' }, `User · ${event.kind}`),
        element('pre', {}, event.content),
      );
    case 'model-request':
      return element(
        'div',
        { class: 'event model-request event-meta' },
        `Request · step ${event.step} · ${event.messageCount} messages · ~${formatCount(event.estimatedPromptChars)} chars`,
      );
    case 'model-response':
      return renderModelResponse(event);
    case 'tool-call':
      return renderToolCall(event);
    case 'tool-result':
      return renderToolResult(event);
    case 'format-error':
      return element(
        'div',
        { class: 'event format-error' },
        element('div', { class: 'event-title' }, `Format error · ${event.reason}`),
        element('pre', {}, event.detail),
      );
    case 'infrastructure-error':
      return element(
        'div',
        { class: 'event infrastructure-error' },
        element(
          'div',
          { class: 'event-title' },
          `Infrastructure error · ${event.kind}${event.final ? ' (ended the attempt)' : ` (retry ${event.retries})`}`,
        ),
        element('pre', {}, event.message),
      );
    case 'limit-reached':
      return element(
        'div',
        { class: 'event limit-reached' },
        element('div', { class: 'event-title' }, `Limit reached · ${event.which}`),
        meta(`limit ${event.limit ?? '–'} · value ${event.value ?? '–'}`),
      );
    case 'attempt-finished':
      return element(
        'div',
        { class: 'event attempt-finished' },
        element('div', { class: 'event-title' }, `Attempt finished · ${event.status}`),
        meta(
          `${event.totals.steps} steps · ${event.totals.toolCalls} tool calls (${event.totals.invalidToolCalls} invalid) · ${formatMs(event.totals.wallMs)} · ${options.priced !== false ? formatUsd(event.totals.costUsd) : formatCost(null)}`,
        ),
        event.summary && element('pre', {}, event.summary),
      );
  }
}

/** Renders a whole transcript. */
export function renderTranscript(
  events: readonly TranscriptEvent[],
  options: TranscriptOptions = {},
): HTMLElement {
  return element(
    'div',
    { class: 'transcript' },
    events.map((event) => renderEvent(event, options)),
  );
}
