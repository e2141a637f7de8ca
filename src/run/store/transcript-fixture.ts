/** Test helper: a realistic, schema-valid transcript of one attempt (two model steps, three tool calls). */
import { parseEvent, type TranscriptEvent } from '../../agent/events.ts';

const sources = { timeToFirstToken: 'measured', prefill: 'server', decode: 'server' } as const;

function modelResponse(
  sequence: number,
  step: number,
  toolCalls: Array<Record<string, unknown>>,
  retries = 0,
) {
  return {
    type: 'model-response',
    sequence,
    time: `2026-11-26T13:29:0${sequence % 10}.000Z`,
    step,
    result: {
      text: step === 0 ? 'Let me look at the failing test.' : '',
      reasoning: '',
      toolCalls,
      finishReason: 'tool-calls',
      rawFinishReason: 'stop',
      usage: {
        inputTokens: 1200 + step,
        cachedInputTokens: 800,
        outputTokens: 64,
        reasoningTokens: 8,
        source: 'server',
      },
      timings: {
        timeToFirstTokenMs: 310 + step,
        prefillTokensPerSecond: 2400,
        decodeTokensPerSecond: 41.5,
        prefillMs: 500,
        decodeMs: 1540,
        wallMs: 2100 + step,
        loadMs: null,
        sources,
      },
      issues: [],
      provider: 'ollama',
      model: 'qwen3.5:9b',
      simulated: true,
      retries: Array.from({ length: retries }, (_, index) => ({
        attempt: index + 1,
        error: 'connection reset',
        kind: 'connection',
        delayMs: 250,
      })),
    },
  };
}

function call(
  id: string,
  name: string,
  args: Record<string, unknown>,
  origin = 'server-parsed',
  format = 'native',
) {
  return { id, name, arguments: args, rawArguments: JSON.stringify(args), origin, format };
}

/** The raw JSON events (as read from a transcript file), `secret` placed in a tool result. */
export function rawTranscript(options: { secret?: string } = {}): Array<Record<string, unknown>> {
  const time = (sequence: number) => `2026-11-26T13:29:0${sequence % 10}.000Z`;
  const readCall = call('call_1', 'read_file', { path: 'src/sum.ts' });
  const leakedCall = call('call_2', 'run_command', { command: 'npm test' }, 'recovered', 'hermes-json');
  const unknownCall = call('call_1', 'browse_web', { url: 'https://example.com' });
  return [
    {
      type: 'attempt-started',
      sequence: 0,
      time: time(0),
      attemptId: 'attempt-1',
      taskId: 'sum-off-by-one',
      modelId: 'ollama:qwen3.5:9b',
      simulated: true,
      protocol: 'native',
      limits: { maxSteps: 40 },
      toolNames: ['read_file', 'run_command', 'finish'],
      systemPrompt: 'You are a coding agent.',
    },
    {
      type: 'user-message',
      sequence: 1,
      time: time(1),
      turnIndex: 0,
      kind: 'instruction',
      content: 'Fix sum().',
    },
    {
      type: 'model-request',
      sequence: 2,
      time: time(2),
      step: 0,
      messageCount: 2,
      estimatedPromptChars: 900,
    },
    modelResponse(3, 0, [readCall, leakedCall], 2),
    {
      type: 'tool-call',
      sequence: 4,
      time: time(4),
      step: 0,
      callId: 'call_1',
      name: 'read_file',
      arguments: readCall.arguments,
      rawArguments: readCall.rawArguments,
      origin: 'server-parsed',
      format: 'native',
      validity: 'valid',
      detail: null,
    },
    {
      type: 'tool-call',
      sequence: 5,
      time: time(5),
      step: 0,
      callId: 'call_2',
      name: 'run_command',
      arguments: leakedCall.arguments,
      rawArguments: leakedCall.rawArguments,
      origin: 'recovered',
      format: 'hermes-json',
      validity: 'execution-error',
      detail: 'exit code 1',
    },
    {
      type: 'tool-result',
      sequence: 6,
      time: time(6),
      step: 0,
      callId: 'call_1',
      name: 'read_file',
      content: 'export const sum = (a, b) => a + b + 1;',
      isError: false,
      truncated: false,
      metadata: {},
      durationMs: 3,
    },
    {
      type: 'tool-result',
      sequence: 7,
      time: time(7),
      step: 0,
      callId: 'call_2',
      name: 'run_command',
      content: `FAIL sum.test.ts${options.secret ? ` OPENAI_API_KEY=${options.secret}` : ''}`,
      isError: true,
      truncated: false,
      metadata: { exitCode: 1 },
      durationMs: 1834.5,
    },
    {
      type: 'model-request',
      sequence: 8,
      time: time(8),
      step: 1,
      messageCount: 6,
      estimatedPromptChars: 2400,
    },
    modelResponse(9, 1, [unknownCall]),
    {
      type: 'tool-call',
      sequence: 10,
      time: time(0),
      step: 1,
      callId: 'call_1',
      name: 'browse_web',
      arguments: unknownCall.arguments,
      rawArguments: unknownCall.rawArguments,
      origin: 'server-parsed',
      format: 'native',
      validity: 'unknown-tool',
      detail: 'no tool named browse_web',
    },
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
