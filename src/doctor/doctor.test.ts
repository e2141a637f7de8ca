import { describe, expect, it } from 'vitest';
import { createScriptedClient } from '../../test-support/scripted-client.ts';
import { createModelClient } from '../providers/create-model-client.ts';
import { InfrastructureError } from '../providers/infrastructure-error.ts';
import { startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import type { EndpointInfo, ModelClient } from '../providers/types.ts';
import { formatDoctorReport, runDoctor } from './doctor.ts';

const goodCall = { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] };
const answer = { text: 'It is sunny and 22 °C in Paris.' };

function statusOf(report: Awaited<ReturnType<typeof runDoctor>>, name: string) {
  return report.checks.find((check) => check.name === name)?.status;
}

describe('runDoctor', () => {
  it('passes a model that calls the tool and answers from its result', async () => {
    const client = createScriptedClient([goodCall, answer]);
    const report = await runDoctor(client);
    expect(report.ok).toBe(true);
    expect(report.simulated).toBe(true);
    expect(report.checks.map((check) => [check.name, check.status])).toEqual([
      ['reachable', 'pass'],
      ['context length', 'pass'],
      ['quantization', expect.any(String)],
      ['cpu offload', expect.any(String)],
      ['tool support', 'pass'],
      ['tool call', 'pass'],
      ['tool result answer', 'pass'],
      ['latency', 'pass'],
    ]);
    expect(report.latency).toMatchObject({ wallMs: expect.any(Number) });
    expect(report.checks.find((check) => check.name === 'latency')?.detail).toContain(
      `wall ${Math.round(report.latency?.wallMs ?? Number.NaN)} ms`,
    );
    const followUp = client.requests[1].messages;
    expect(followUp.at(-1)).toMatchObject({ role: 'tool', toolName: 'get_weather' });
    expect(formatDoctorReport(report)).toMatch(/SIMULATED/);
  });

  it('a llama-server without --jinja refuses tools: the doctor names the fix', async () => {
    const server = await startSimulatedServer({
      flavour: 'llamacpp',
      script: [
        {
          fault: {
            kind: 'http-error',
            status: 400,
            // What llama-server answers a request with tools when started without --jinja.
            body: '{"error":{"code":400,"message":"tools param requires --jinja flag","type":"invalid_request_error"}}',
          },
        },
      ],
    });
    try {
      const report = await runDoctor(createModelClient(`llamacpp:${server.url}`, { retry: false }));
      const toolCall = report.checks.find((check) => check.name === 'tool call');
      expect(toolCall?.status).toBe('fail');
      expect(toolCall?.detail).toMatch(/^infrastructure error \(client-error HTTP 400\)/);
      expect(toolCall?.detail).toMatch(/fix: start llama-server with --jinja/);
    } finally {
      await server.close();
    }
  });

  it("names llama-server's context flag, shared by its slots, when the model could take more", async () => {
    const server = await startSimulatedServer({
      flavour: 'llamacpp',
      script: [goodCall, { content: answer.text }],
      endpoint: { contextLength: 4096, maxContextLength: 32768, totalSlots: 2 },
    });
    try {
      const report = await runDoctor(createModelClient(`llamacpp:${server.url}`, { retry: false }));
      expect(report.checks.find((check) => check.name === 'context length')?.detail).toBe(
        '4096 tokens: too small for agent work (needs at least 8192) (the model supports 32768; raise the ' +
          "server's context setting, llama-server -c, which its 2 --parallel slots share)",
      );
    } finally {
      await server.close();
    }
  });

  it('warns for a 12k context and fails for a 4k one', async () => {
    const warned = await runDoctor(createScriptedClient([goodCall, answer], { contextLength: 12_288 }));
    expect(statusOf(warned, 'context length')).toBe('warn');
    expect(warned.ok).toBe(true);
    const small = await runDoctor(createScriptedClient([goodCall, answer], { contextLength: 4096 }));
    expect(statusOf(small, 'context length')).toBe('fail');
    expect(small.ok).toBe(false);
    expect(formatDoctorReport(small)).toMatch(/FAIL\s+context length\s+4096 tokens/);
  });

  it('fails when the model answers in prose instead of calling the tool', async () => {
    const report = await runDoctor(createScriptedClient([{ text: 'I cannot check the weather.' }]));
    expect(statusOf(report, 'tool call')).toBe('fail');
    expect(report.checks.find((check) => check.name === 'tool call')?.detail).toMatch(/no tool call/);
    expect(statusOf(report, 'tool result answer')).toBe('skip');
    expect(report.ok).toBe(false);
  });

  it('fails wrong arguments and malformed arguments', async () => {
    const wrong = await runDoctor(
      createScriptedClient([{ toolCalls: [{ name: 'get_weather', arguments: { town: 'Paris' } }] }]),
    );
    expect(wrong.checks.find((check) => check.name === 'tool call')?.detail).toMatch(/wrong arguments/);
    const malformed = await runDoctor(
      createScriptedClient([{ toolCalls: [{ name: 'get_weather', arguments: '{"city": "Par' }] }]),
    );
    expect(statusOf(malformed, 'tool call')).toBe('fail');
  });

  it('warns when the call had to be recovered from leaked text', async () => {
    const report = await runDoctor(
      createScriptedClient([
        {
          toolCalls: [
            {
              name: 'get_weather',
              arguments: { city: 'Paris' },
              origin: 'recovered',
              format: 'qwen-xml',
              recoveredFrom: 'content',
            },
          ],
        },
        answer,
      ]),
    );
    expect(statusOf(report, 'tool call')).toBe('warn');
    expect(report.checks.find((check) => check.name === 'tool call')?.detail).toMatch(/recovered.*qwen-xml/);
  });

  it('reports infrastructure errors as such', async () => {
    const failing = await runDoctor(
      createScriptedClient([
        { throw: new InfrastructureError('server-error', 'HTTP 503 loading', { status: 503 }) },
      ]),
    );
    const detail = failing.checks.find((check) => check.name === 'tool call')?.detail;
    expect(detail).toMatch(/^infrastructure error \(server-error HTTP 503\)/);
    expect(failing.ok).toBe(false);

    const scripted = createScriptedClient([]);
    const unreachable: ModelClient = {
      ...scripted,
      step: scripted.step,
      describe: async (): Promise<EndpointInfo> => {
        throw new InfrastructureError('connection', 'connect ECONNREFUSED 127.0.0.1:11434');
      },
    };
    const report = await runDoctor(unreachable);
    expect(report.checks[0]).toMatchObject({ name: 'reachable', status: 'fail' });
    expect(report.checks[0].detail).toMatch(/infrastructure error \(connection\)/);
    expect(report.checks.slice(1).every((check) => check.status === 'skip')).toBe(true);
  });

  it('names the backend an embedded model runs on: a GPU passes, the CPU warns with the reason', async () => {
    const withBackend = (backend: string, notes: string[]): ModelClient => {
      const scripted = createScriptedClient([goodCall, answer]);
      return {
        ...scripted,
        step: scripted.step,
        describe: async () => ({ ...(await scripted.describe()), backend, notes }),
      };
    };
    const onGpu = await runDoctor(withBackend('cuda', []));
    expect(onGpu.checks.find((check) => check.name === 'backend')).toEqual({
      name: 'backend',
      status: 'pass',
      detail: 'cuda (GPU)',
    });
    const onCpu = await runDoctor(
      withBackend('cpu', ['No usable GPU (CUDA, Vulkan, Metal) found: runs on the CPU.']),
    );
    expect(onCpu.checks.find((check) => check.name === 'backend')).toEqual({
      name: 'backend',
      status: 'warn',
      detail: 'cpu: No usable GPU (CUDA, Vulkan, Metal) found: runs on the CPU; expect slow decoding',
    });
    expect(formatDoctorReport(onCpu)).toMatch(/WARN +backend +cpu: /);
    // Model servers do not say which backend they use: no row at all.
    const server = await runDoctor(createScriptedClient([goodCall, answer]));
    expect(server.checks.map((check) => check.name)).not.toContain('backend');
  });
});
