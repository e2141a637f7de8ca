/** Test helper: a realistic, schema-valid transcript of one attempt (two model steps, three tool calls). */
import { parseEvent, type TranscriptEvent } from '../src/transcript/events.ts';

/** The measured and server-reported sources of a fixture response's timings. */
const SOURCES = { timeToFirstToken: 'measured', prefill: 'server', decode: 'server' } as const;

/** An `attempt-started` event of the built-in agent (native protocol). */
export function attemptStartedEvent(fields: {
  sequence: number;
  time: string;
  attemptId: string;
  taskId: string;
  modelId: string;
  simulated: boolean;
  maxSteps: number;
  toolNames: string[];
}) {
  const { sequence, time, attemptId, taskId, modelId, simulated, maxSteps, toolNames } = fields;
  return {
    type: 'attempt-started',
    sequence,
    time,
    attemptId,
    taskId,
    modelId,
    simulated,
    protocol: 'native',
    limits: { maxSteps },
    toolNames,
    systemPrompt: 'You are a coding agent.',
  };
}

/** The `user-message` event of a task's first-turn instruction. */
export function instructionEvent(sequence: number, time: string, content: string) {
  return { type: 'user-message', sequence, time, turnIndex: 0, kind: 'instruction', content };
}

/** A `model-request` event. */
export function modelRequestEvent(
  sequence: number,
  time: string,
  step: number,
  messageCount: number,
  estimatedPromptChars: number,
) {
  return { type: 'model-request', sequence, time, step, messageCount, estimatedPromptChars };
}

/** A `model-response` event that asks for tool calls; token usage and timings are server-reported. */
export function modelResponseEvent(fields: {
  sequence: number;
  time: string;
  step: number;
  text: string;
  reasoning: string;
  toolCalls: unknown[];
  usage: { inputTokens: number; cachedInputTokens: number; outputTokens: number; reasoningTokens: number };
  timings: {
    timeToFirstTokenMs: number;
    prefillTokensPerSecond: number;
    decodeTokensPerSecond: number;
    prefillMs: number;
    decodeMs: number;
    wallMs: number;
  };
  provider: string;
  model: string;
  simulated: boolean;
  retries?: unknown[];
}) {
  return {
    type: 'model-response',
    sequence: fields.sequence,
    time: fields.time,
    step: fields.step,
    result: {
      text: fields.text,
      reasoning: fields.reasoning,
      toolCalls: fields.toolCalls,
      finishReason: 'tool-calls',
      rawFinishReason: 'stop',
      usage: { ...fields.usage, source: 'server' },
      timings: { ...fields.timings, loadMs: null, sources: SOURCES },
      issues: [],
      provider: fields.provider,
      model: fields.model,
      simulated: fields.simulated,
      retries: fields.retries ?? [],
    },
  };
}

/** A tool call as a model response carries it. */
export function call(
  id: string,
  name: string,
  args: Record<string, unknown>,
  origin = 'server-parsed',
  format = 'native',
) {
  return { id, name, arguments: args, rawArguments: JSON.stringify(args), origin, format };
}

/** The `tool-call` event of a call (valid unless `validity` says otherwise). */
export function toolCallEvent(
  sequence: number,
  time: string,
  step: number,
  toolCall: ReturnType<typeof call>,
  validity = 'valid',
  detail: string | null = null,
) {
  return {
    type: 'tool-call',
    sequence,
    time,
    step,
    callId: toolCall.id,
    name: toolCall.name,
    arguments: toolCall.arguments,
    rawArguments: toolCall.rawArguments,
    origin: toolCall.origin,
    format: toolCall.format,
    validity,
    detail,
  };
}

/** A `tool-result` event (never truncated). */
export function toolResultEvent(fields: {
  sequence: number;
  time: string;
  step: number;
  callId: string;
  name: string;
  content: string;
  isError: boolean;
  metadata: Record<string, unknown>;
  durationMs: number;
}) {
  const { sequence, time, step, callId, name, content, isError, metadata, durationMs } = fields;
  return {
    type: 'tool-result',
    sequence,
    time,
    step,
    callId,
    name,
    content,
    isError,
    truncated: false,
    metadata,
    durationMs,
  };
}

const time = (sequence: number) => `2026-11-26T13:29:0${sequence % 10}.000Z`;

function modelResponse(
  sequence: number,
  step: number,
  toolCalls: Array<Record<string, unknown>>,
  retries = 0,
) {
  return modelResponseEvent({
    sequence,
    time: time(sequence),
    step,
    text: step === 0 ? 'Let me look at the failing test.' : '',
    reasoning: '',
    toolCalls,
    usage: { inputTokens: 1200 + step, cachedInputTokens: 800, outputTokens: 64, reasoningTokens: 8 },
    timings: {
      timeToFirstTokenMs: 310 + step,
      prefillTokensPerSecond: 2400,
      decodeTokensPerSecond: 41.5,
      prefillMs: 500,
      decodeMs: 1540,
      wallMs: 2100 + step,
    },
    provider: 'ollama',
    model: 'qwen3.5:9b',
    simulated: true,
    retries: Array.from({ length: retries }, (_, index) => ({
      attempt: index + 1,
      error: 'connection reset',
      kind: 'connection',
      delayMs: 250,
    })),
  });
}

/** The raw JSON events (as read from a transcript file), `secret` placed in a tool result. */
export function rawTranscript(options: { secret?: string } = {}): Array<Record<string, unknown>> {
  const readCall = call('call_1', 'read_file', { path: 'src/sum.ts' });
  const leakedCall = call('call_2', 'run_command', { command: 'npm test' }, 'recovered', 'hermes-json');
  const unknownCall = call('call_1', 'browse_web', { url: 'https://example.com' });
  return [
    attemptStartedEvent({
      sequence: 0,
      time: time(0),
      attemptId: 'attempt-1',
      taskId: 'sum-off-by-one',
      modelId: 'ollama:qwen3.5:9b',
      simulated: true,
      maxSteps: 40,
      toolNames: ['read_file', 'run_command', 'finish'],
    }),
    instructionEvent(1, time(1), 'Fix sum().'),
    modelRequestEvent(2, time(2), 0, 2, 900),
    modelResponse(3, 0, [readCall, leakedCall], 2),
    toolCallEvent(4, time(4), 0, readCall),
    toolCallEvent(5, time(5), 0, leakedCall, 'execution-error', 'exit code 1'),
    toolResultEvent({
      sequence: 6,
      time: time(6),
      step: 0,
      callId: 'call_1',
      name: 'read_file',
      content: 'export const sum = (a, b) => a + b + 1;',
      isError: false,
      metadata: {},
      durationMs: 3,
    }),
    toolResultEvent({
      sequence: 7,
      time: time(7),
      step: 0,
      callId: 'call_2',
      name: 'run_command',
      content: `FAIL sum.test.ts${options.secret ? ` OPENAI_API_KEY=${options.secret}` : ''}`,
      isError: true,
      metadata: { exitCode: 1 },
      durationMs: 1834.5,
    }),
    modelRequestEvent(8, time(8), 1, 6, 2400),
    modelResponse(9, 1, [unknownCall]),
    toolCallEvent(10, time(0), 1, unknownCall, 'unknown-tool', 'no tool named browse_web'),
    {
      type: 'attempt-finished',
      sequence: 11,
      time: time(1),
      status: 'step-limit',
      summary: null,
      totals: {
        steps: 2,
        turnsCompleted: 1,
        usage: { inputTokens: 2401, cachedInputTokens: 1600, outputTokens: 128, reasoningTokens: 16 },
        costUsd: 0.0042,
        wallMs: 6000,
        modelMs: 4201,
        toolMs: 1837.5,
        toolCalls: 3,
        invalidToolCalls: 2,
        formatErrors: 0,
      },
    },
  ];
}

/** The fixture transcript parsed with `parseEvent` (so it is guaranteed schema-valid). */
export function transcript(options: { secret?: string } = {}): TranscriptEvent[] {
  return rawTranscript(options).map((event) => parseEvent(event));
}
