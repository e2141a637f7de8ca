import type { EventSourceMessage } from 'eventsource-parser';
import { isRecord } from '../../shared/json-values.ts';
import { InfrastructureError } from '../infrastructure-error.ts';
import { excerpt } from '../provider-http.ts';
import type { StepRequest, Timings, ToolCall } from '../types.ts';
import type { ThinkingBlock } from './anthropic-request-body.ts';
import { AnthropicUsageCounts } from './anthropic-usage-counts.ts';
import { type AnthropicStreamEvent, anthropicStreamEventSchema } from './anthropic-wire-schemas.ts';

interface BlockState {
  type: string;
  text: string;
  signature: string;
  id: string;
  name: string;
  json: string;
}

/** What one streamed message said: its text, thinking and tool calls in block order. */
export interface AnthropicOutput {
  text: string;
  reasoning: string;
  /** The last thinking block, to replay before the tool calls it led to. */
  thinkingBlock: ThinkingBlock | undefined;
  toolCalls: ToolCall[];
}

/**
 * Gathers one streamed Messages answer event by event: content blocks by index, usage (cumulative, the last report
 * wins), the stop reason, and the times of the first and last generated token. An `error` event is an
 * infrastructure error; an event that is not a JSON object, or a delta for a block never started, a bad response.
 */
export class AnthropicStreamAccumulator {
  readonly counts = new AnthropicUsageCounts();
  stopReason: string | null = null;
  stopped = false;
  firstTokenAt: number | null = null;
  lastTokenAt: number | null = null;
  private readonly blocks = new Map<number, BlockState>();
  private readonly order: number[] = [];

  constructor(
    private readonly target: string,
    private readonly request: StepRequest,
    private readonly redact: (text: string) => string,
  ) {}

  handle(event: EventSourceMessage): void {
    const data = this.parse(event);
    switch (data.type ?? event.event) {
      case 'message_start':
        this.counts.read(data.message?.usage);
        break;
      case 'content_block_start':
        this.startBlock(data);
        break;
      case 'content_block_delta':
        this.applyDelta(data);
        break;
      case 'message_delta':
        if (data.delta?.stop_reason !== undefined) this.stopReason = data.delta.stop_reason;
        this.counts.read(data.usage);
        break;
      case 'message_stop':
        this.stopped = true;
        break;
      case 'error': {
        const errorType = data.error?.type ?? 'error';
        const message = data.error?.message ?? JSON.stringify(data.error ?? {});
        throw new InfrastructureError(
          'stream-error',
          this.redact(`${this.target} reported an error inside the stream: ${errorType}: ${message}`),
        );
      }
      default:
        // ping, content_block_stop and event types added later carry nothing we need.
        break;
    }
  }

  /** The blocks in index order, tool inputs parsed (a broken input is kept as the call's arguments error). */
  output(): AnthropicOutput {
    const result: AnthropicOutput = { text: '', reasoning: '', thinkingBlock: undefined, toolCalls: [] };
    for (const index of [...this.order].sort((a, b) => a - b)) {
      const state = this.blocks.get(index);
      if (!state) continue;
      if (state.type === 'text') result.text += state.text;
      else if (state.type === 'thinking') {
        result.reasoning += state.text;
        result.thinkingBlock = { thinking: state.text, signature: state.signature };
      } else if (state.type === 'tool_use') {
        const parsed = parseToolInput(state.json);
        const call: ToolCall = {
          id: state.id || `call_${result.toolCalls.length}`,
          name: state.name,
          arguments: parsed.arguments,
          rawArguments: state.json,
          origin: 'server-parsed',
          format: 'native',
        };
        if (parsed.error) call.argumentsError = parsed.error;
        result.toolCalls.push(call);
      }
    }
    return result;
  }

  private parse(event: EventSourceMessage): AnthropicStreamEvent {
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      throw new InfrastructureError(
        'bad-response',
        `${this.target} sent an event that is not JSON: ${excerpt(event.data, 200)}`,
      );
    }
    const parsed = anthropicStreamEventSchema.safeParse(data);
    if (!parsed.success)
      throw new InfrastructureError('bad-response', `${this.target} sent an event that is not an object`);
    return parsed.data;
  }

  private startBlock(data: AnthropicStreamEvent): void {
    const index = data.index ?? this.order.length;
    const block = data.content_block ?? {};
    const state: BlockState = {
      type: block.type ?? 'unknown',
      text: block.text ?? block.thinking ?? '',
      signature: block.signature ?? '',
      id: block.id ?? '',
      name: block.name ?? '',
      json: '',
    };
    this.blocks.set(index, state);
    this.order.push(index);
    if (state.type === 'tool_use') this.markToken();
  }

  private applyDelta(data: AnthropicStreamEvent): void {
    const state = this.blocks.get(data.index ?? -1);
    if (!state)
      throw new InfrastructureError(
        'bad-response',
        `${this.target} sent a delta for a block it never started`,
      );
    const delta = data.delta ?? {};
    if (delta.type === 'text_delta' && delta.text !== undefined) {
      state.text += delta.text;
      if (delta.text) {
        this.markToken();
        this.request.onDelta?.({ kind: 'text', text: delta.text });
      }
    } else if (delta.type === 'thinking_delta' && delta.thinking !== undefined) {
      state.text += delta.thinking;
      if (delta.thinking) {
        this.markToken();
        this.request.onDelta?.({ kind: 'reasoning', text: delta.thinking });
      }
    } else if (delta.type === 'input_json_delta' && delta.partial_json !== undefined) {
      state.json += delta.partial_json;
      if (delta.partial_json) this.markToken();
    } else if (delta.type === 'signature_delta' && delta.signature !== undefined) {
      state.signature += delta.signature;
    }
  }

  private markToken(): void {
    const now = performance.now();
    this.firstTokenAt ??= now;
    this.lastTokenAt = now;
  }
}

function parseToolInput(raw: string): { arguments: Record<string, unknown>; error?: string } {
  if (raw.trim() === '') return { arguments: {} };
  try {
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed)
      ? { arguments: parsed }
      : { arguments: {}, error: 'tool input is JSON but not an object' };
  } catch (error) {
    return {
      arguments: {},
      error: `tool input is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** Time to first token and decode measured from streamed tokens (Anthropic reports no timings). */
export function measuredTimings(
  sentAt: number,
  firstTokenAt: number | null,
  lastTokenAt: number | null,
  finishedAt: number,
  outputTokens: number | null,
): Timings {
  const decodeMs = firstTokenAt !== null && lastTokenAt !== null ? lastTokenAt - firstTokenAt : null;
  const decodeTokensPerSecond =
    decodeMs !== null && decodeMs > 0 && outputTokens !== null && outputTokens > 1
      ? (outputTokens - 1) / (decodeMs / 1000)
      : null;
  return {
    timeToFirstTokenMs: firstTokenAt === null ? null : firstTokenAt - sentAt,
    prefillTokensPerSecond: null,
    decodeTokensPerSecond,
    prefillMs: null,
    decodeMs: decodeTokensPerSecond === null ? null : decodeMs,
    wallMs: finishedAt - sentAt,
    loadMs: null,
    sources: {
      timeToFirstToken: firstTokenAt === null ? 'unavailable' : 'measured',
      prefill: 'unavailable',
      decode: decodeTokensPerSecond === null ? 'unavailable' : 'measured',
    },
  };
}
