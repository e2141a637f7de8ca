import { ContextLengthExceededError } from '../providers/context-length-error.ts';
import { InfrastructureError } from '../providers/infrastructure-error.ts';
import type {
  EndpointInfo,
  Message,
  ModelClient,
  StepResult,
  ToolCall,
  ToolDefinition,
} from '../providers/types.ts';

/** The verdict of one doctor check. */
export type DoctorStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One doctor check and what it found. */
/** Agent work on a real repository needs room: below this many tokens of context, warn. */
export const AGENT_CONTEXT_WARN_BELOW = 16_384;
/** Below this many tokens of context, agent work is not viable. */
export const AGENT_CONTEXT_FAIL_BELOW = 8_192;

export interface DoctorCheck {
  name: string;
  status: DoctorStatus;
  detail: string;
}

/** Latency of the doctor's tool-call round trip (first request). */
export interface DoctorLatency {
  timeToFirstTokenMs: number | null;
  wallMs: number;
  decodeTokensPerSecond: number | null;
}

/** Everything `doctor` found about one model endpoint. */
export interface DoctorReport {
  model: string;
  provider: string;
  /** True when any answer came from a simulated server or scripted model. */
  simulated: boolean;
  /** True when no check failed. */
  ok: boolean;
  checks: DoctorCheck[];
  endpoint: EndpointInfo | null;
  latency: DoctorLatency | null;
}

/** Options for {@link runDoctor}. */
export interface DoctorOptions {
  /** Warn below this many tokens of context (default 16384). */
  contextWarnBelow?: number;
  /** Fail below this many tokens of context (default 8192). */
  contextFailBelow?: number;
  /** Output budget of each round-trip request (default 1024). */
  maxOutputTokens?: number;
  signal?: AbortSignal;
}

/** The tool offered in the round trip: one required string argument. */
export const DOCTOR_TOOL: ToolDefinition = {
  name: 'get_weather',
  description: 'Get the current weather for a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string', description: 'City name, e.g. "Paris"' } },
    required: ['city'],
    additionalProperties: false,
  },
};

const DOCTOR_CITY = 'Paris';
const DOCTOR_TOOL_RESULT = '{"city": "Paris", "condition": "sunny", "temperature_celsius": 22}';

function describeError(error: unknown): string {
  if (error instanceof InfrastructureError) {
    const status = error.status !== null ? ` HTTP ${error.status}` : '';
    const retried = error.retries.length > 0 ? ` after ${error.retries.length} retries` : '';
    return `infrastructure error (${error.kind}${status})${retried}: ${error.message}`;
  }
  if (error instanceof ContextLengthExceededError) return `context length exceeded: ${error.message}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

/** A fix for a server set up so that it refuses tool calls, or '' when the error names none. */
function serverSetupFix(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/requires --jinja/i.test(message)) {
    return '; fix: start llama-server with --jinja (its tool calling needs the Jinja chat template engine)';
  }
  return '';
}

/** Where the context length is set on this kind of server. */
function contextSettingHint(info: EndpointInfo): string {
  if (info.provider === 'llamacpp') {
    const slots = info.parallelSlots !== null && info.parallelSlots > 1 ? info.parallelSlots : null;
    return slots ? `llama-server -c, which its ${slots} --parallel slots share` : 'llama-server -c';
  }
  return 'e.g. --num-ctx';
}

function contextCheck(info: EndpointInfo, warnBelow: number, failBelow: number): DoctorCheck {
  const name = 'context length';
  const length = info.contextLength;
  if (length === null) return { name, status: 'warn', detail: 'the server does not say its context length' };
  const maximum =
    info.maxContextLength !== null && info.maxContextLength > length
      ? ` (the model supports ${info.maxContextLength}; raise the server's context setting, ${contextSettingHint(info)})`
      : '';
  if (length < failBelow) {
    return {
      name,
      status: 'fail',
      detail: `${length} tokens: too small for agent work (needs at least ${failBelow})${maximum}`,
    };
  }
  if (length < warnBelow) {
    return {
      name,
      status: 'warn',
      detail: `${length} tokens: long tasks will be truncated (${warnBelow}+ recommended)${maximum}`,
    };
  }
  return { name, status: 'pass', detail: `${length} tokens` };
}

function quantizationCheck(info: EndpointInfo): DoctorCheck {
  const name = 'quantization';
  if (info.quantization === null) return { name, status: 'skip', detail: 'not reported by the server' };
  const size = info.parameterCount ? `, ${info.parameterCount} parameters` : '';
  if (/^(I?Q[1-3]|IQ[1-3])(_|$)/i.test(info.quantization)) {
    return {
      name,
      status: 'warn',
      detail: `${info.quantization}${size}: very low-bit quantization often breaks tool calling`,
    };
  }
  return { name, status: 'pass', detail: `${info.quantization}${size}` };
}

function offloadCheck(info: EndpointInfo): DoctorCheck {
  const name = 'cpu offload';
  if (info.cpuOffload === null) return { name, status: 'skip', detail: 'not reported by the server' };
  if (info.cpuOffload) {
    const share =
      info.sizeBytes && info.sizeVramBytes !== null
        ? ` (${Math.round((100 * info.sizeVramBytes) / info.sizeBytes)}% in VRAM)`
        : '';
    return {
      name,
      status: 'warn',
      detail: `part of the model runs on the CPU${share}: expect slow decoding`,
    };
  }
  return { name, status: 'pass', detail: 'fully on the accelerator' };
}

/** Which compute backend an embedded model runs on (cuda, vulkan, metal, cpu); servers do not say. */
function backendCheck(info: EndpointInfo & { backend: string }): DoctorCheck {
  const name = 'backend';
  if (info.backend === 'cpu') {
    const why = info.notes.find((note) => /CPU/.test(note)) ?? 'no GPU in use';
    return { name, status: 'warn', detail: `cpu: ${why.replace(/\.$/, '')}; expect slow decoding` };
  }
  return { name, status: 'pass', detail: `${info.backend} (GPU)` };
}

function toolSupportCheck(info: EndpointInfo): DoctorCheck {
  const name = 'tool support';
  if (info.supportsTools === null)
    return { name, status: 'skip', detail: 'not reported; see the round trip' };
  if (!info.supportsTools) {
    return {
      name,
      status: 'warn',
      detail: 'the server says this model has no native tool support; calls must be recovered from text',
    };
  }
  return { name, status: 'pass', detail: 'native tool calling advertised' };
}

/** Judges the first answer: one valid `get_weather` call for Paris. */
function judgeToolCall(result: StepResult): { check: DoctorCheck; call: ToolCall | null } {
  const name = 'tool call';
  const calls = result.toolCalls;
  if (calls.length === 0) {
    const said = result.text.trim().slice(0, 120);
    return {
      check: {
        name,
        status: 'fail',
        detail: `no tool call (finish reason ${result.finishReason})${said ? `; answered: ${JSON.stringify(said)}` : ''}`,
      },
      call: null,
    };
  }
  const call = calls.find((candidate) => candidate.name === DOCTOR_TOOL.name);
  if (!call) {
    return {
      check: { name, status: 'fail', detail: `called unknown tool ${JSON.stringify(calls[0].name)}` },
      call: null,
    };
  }
  if (call.argumentsError) {
    return {
      check: { name, status: 'fail', detail: `malformed arguments: ${call.argumentsError}` },
      call: null,
    };
  }
  const city = call.arguments.city;
  const extra = Object.keys(call.arguments).filter((key) => key !== 'city');
  if (typeof city !== 'string' || !city.toLowerCase().includes(DOCTOR_CITY.toLowerCase())) {
    return {
      check: {
        name,
        status: 'fail',
        detail: `wrong arguments ${JSON.stringify(call.arguments)}: expected {"city": "${DOCTOR_CITY}"}`,
      },
      call: null,
    };
  }
  const notes: string[] = [];
  if (extra.length > 0) notes.push(`unexpected arguments ${extra.join(', ')}`);
  if (call.origin === 'recovered') {
    notes.push(
      `recovered from text leaked into ${call.recoveredFrom ?? 'content'} (${call.format}): the server's tool parser missed it`,
    );
    return {
      check: { name, status: 'warn', detail: `valid get_weather call, ${notes.join('; ')}` },
      call,
    };
  }
  return {
    check: {
      name,
      status: extra.length > 0 ? 'warn' : 'pass',
      detail: `valid get_weather call (native, parsed by the server)${notes.length ? `; ${notes.join('; ')}` : ''}`,
    },
    call,
  };
}

function latencyCheck(result: StepResult): { check: DoctorCheck; latency: DoctorLatency } {
  const { timeToFirstTokenMs, wallMs, decodeTokensPerSecond } = result.timings;
  const parts = [
    `TTFT ${timeToFirstTokenMs === null ? 'n/a' : `${Math.round(timeToFirstTokenMs)} ms`}`,
    `wall ${Math.round(wallMs)} ms`,
    `decode ${decodeTokensPerSecond === null ? 'n/a' : `${decodeTokensPerSecond.toFixed(1)} tok/s (${result.timings.sources.decode === 'server' ? 'server-reported' : 'measured at the client'})`}`,
  ];
  return {
    check: { name: 'latency', status: 'pass', detail: parts.join(', ') },
    latency: { timeToFirstTokenMs, wallMs, decodeTokensPerSecond },
  };
}

/**
 * Checks that a model endpoint is fit for agent work: reachable, real context length (warn under 16k, fail under
 * 8k), quantization, CPU offload, tool support, and a tiny tool-call round trip (a valid `get_weather` call, then
 * a final answer once the tool result is sent) with its latency. Infrastructure errors are reported as such.
 */
export async function runDoctor(client: ModelClient, options: DoctorOptions = {}): Promise<DoctorReport> {
  const warnBelow = options.contextWarnBelow ?? AGENT_CONTEXT_WARN_BELOW;
  const failBelow = options.contextFailBelow ?? AGENT_CONTEXT_FAIL_BELOW;
  const checks: DoctorCheck[] = [];
  let endpoint: EndpointInfo | null = null;
  let latency: DoctorLatency | null = null;
  let simulated = client.simulated;

  const finish = (): DoctorReport => ({
    model: client.id,
    provider: client.provider,
    simulated,
    ok: checks.every((check) => check.status !== 'fail'),
    checks,
    endpoint,
    latency,
  });
  const skipRest = (names: string[], reason: string) => {
    for (const name of names) checks.push({ name, status: 'skip', detail: reason });
  };

  try {
    endpoint = await client.describe();
  } catch (error) {
    checks.push({ name: 'reachable', status: 'fail', detail: describeError(error) });
  }
  if (endpoint) {
    simulated ||= endpoint.simulated;
    if (!endpoint.reachable) {
      const notes = endpoint.notes.length > 0 ? `: ${endpoint.notes.join('; ')}` : '';
      checks.push({ name: 'reachable', status: 'fail', detail: `the server did not answer${notes}` });
    } else {
      checks.push({
        name: 'reachable',
        status: 'pass',
        detail: `${endpoint.provider} serves ${endpoint.model}`,
      });
      checks.push(contextCheck(endpoint, warnBelow, failBelow));
      checks.push(quantizationCheck(endpoint));
      checks.push(offloadCheck(endpoint));
      if (endpoint.backend !== undefined)
        checks.push(backendCheck({ ...endpoint, backend: endpoint.backend }));
      checks.push(toolSupportCheck(endpoint));
    }
  }
  const roundTrip = ['tool call', 'tool result answer', 'latency'];
  if (!endpoint?.reachable) {
    skipRest(roundTrip, 'endpoint not reachable');
    return finish();
  }

  const messages: Message[] = [
    { role: 'system', content: 'You are a helpful assistant. Use the provided tools when they help.' },
    { role: 'user', content: `What is the weather in ${DOCTOR_CITY} right now? Use the get_weather tool.` },
  ];
  let first: StepResult;
  try {
    first = await client.step({
      messages,
      tools: [DOCTOR_TOOL],
      toolChoice: 'auto',
      temperature: 0,
      maxOutputTokens: options.maxOutputTokens ?? 1024,
      signal: options.signal,
    });
  } catch (error) {
    checks.push({
      name: 'tool call',
      status: 'fail',
      detail: `${describeError(error)}${serverSetupFix(error)}`,
    });
    skipRest(roundTrip.slice(1), 'no tool call to answer');
    return finish();
  }
  simulated ||= first.simulated;
  const judged = judgeToolCall(first);
  if (first.retries.length > 0) {
    judged.check.detail += ` (after ${first.retries.length} infrastructure retries: ${first.retries.map((retry) => retry.kind).join(', ')})`;
  }
  checks.push(judged.check);

  if (!judged.call) {
    skipRest(['tool result answer'], 'no valid tool call to answer');
  } else {
    const call = judged.call;
    try {
      const second = await client.step({
        messages: [
          ...messages,
          { role: 'assistant', content: first.text, toolCalls: [call] },
          { role: 'tool', toolCallId: call.id, toolName: call.name, content: DOCTOR_TOOL_RESULT },
        ],
        tools: [DOCTOR_TOOL],
        toolChoice: 'auto',
        temperature: 0,
        maxOutputTokens: options.maxOutputTokens ?? 1024,
        signal: options.signal,
      });
      simulated ||= second.simulated;
      if (second.toolCalls.length > 0) {
        checks.push({
          name: 'tool result answer',
          status: 'warn',
          detail: `called ${second.toolCalls[0].name} again instead of answering from the tool result`,
        });
      } else if (second.text.trim().length === 0) {
        checks.push({
          name: 'tool result answer',
          status: 'fail',
          detail: 'empty answer after the tool result',
        });
      } else {
        checks.push({
          name: 'tool result answer',
          status: 'pass',
          detail: `answered: ${JSON.stringify(second.text.trim().slice(0, 80))}`,
        });
      }
    } catch (error) {
      checks.push({ name: 'tool result answer', status: 'fail', detail: describeError(error) });
    }
  }
  const measured = latencyCheck(first);
  checks.push(measured.check);
  latency = measured.latency;
  return finish();
}

const STATUS_LABELS: Record<DoctorStatus, string> = {
  pass: 'PASS',
  warn: 'WARN',
  fail: 'FAIL',
  skip: 'SKIP',
};

/** The report as a human-readable table; simulated reports are labelled SIMULATED. */
export function formatDoctorReport(report: DoctorReport): string {
  const lines: string[] = [];
  lines.push(
    `shakedown doctor: ${report.model}${report.simulated ? '  [SIMULATED: not a real model server]' : ''}`,
  );
  lines.push('');
  const width = Math.max(...report.checks.map((check) => check.name.length), 'CHECK'.length);
  lines.push(`STATUS  ${'CHECK'.padEnd(width)}  DETAIL`);
  for (const check of report.checks) {
    lines.push(`${STATUS_LABELS[check.status].padEnd(6)}  ${check.name.padEnd(width)}  ${check.detail}`);
  }
  lines.push('');
  const failed = report.checks.filter((check) => check.status === 'fail').length;
  const warned = report.checks.filter((check) => check.status === 'warn').length;
  lines.push(
    `${report.ok ? 'OK' : 'NOT READY'}: ${failed} failed, ${warned} warning${warned === 1 ? '' : 's'}${report.simulated ? ' (SIMULATED)' : ''}`,
  );
  return `${lines.join('\n')}\n`;
}
