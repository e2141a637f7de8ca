import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAICompatibleClient } from '../providers/openai-compatible/openai-compatible-client.ts';
import type { Script } from '../providers/simulated/script.ts';
import { type SimulatedServer, startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import { createSandbox } from '../sandbox/create-sandbox.ts';
import { detectSandboxSupport } from '../sandbox/detect-sandbox-support.ts';
import type { Sandbox } from '../sandbox/types.ts';
import type { TranscriptEvent, TranscriptEventOf, TranscriptEventType } from '../transcript/events.ts';
import { createTranscriptWriter, type TranscriptWriter } from '../transcript/transcript-writer.ts';
import { type AgentBridgeDirectory, createAgentBridgeDirectory } from './bridge-directory.ts';
import { type ExternalAgentResult, runExternalAgent } from './external-agent.ts';

const support = await detectSandboxSupport('bubblewrap');
const miniAgentDirectory = realpathSync(fileURLToPath(new URL('./mini-agent/', import.meta.url)));
const MINI_AGENT = `node ${path.join(miniAgentDirectory, 'mini-agent.mjs')} --model {model} --instruction-file {instruction_file}`;

function ofType<Type extends TranscriptEventType>(
  events: readonly TranscriptEvent[],
  type: Type,
): TranscriptEventOf<Type>[] {
  return events.filter((event): event is TranscriptEventOf<Type> => event.type === type);
}

describe.skipIf(!support.available)(
  `external agent in the bubblewrap sandbox (${support.reason ?? 'bwrap works'})`,
  () => {
    let scratch: string;
    let workspace: string;
    let bridge: AgentBridgeDirectory;
    let sandbox: Sandbox;
    let server: SimulatedServer | undefined;
    let transcript: TranscriptWriter;

    beforeAll(async () => {
      scratch = mkdtempSync(path.join(os.tmpdir(), 'shakedown-external-test-'));
      workspace = path.join(scratch, 'workspace');
      mkdirSync(workspace);
      bridge = await createAgentBridgeDirectory();
      // SIMULATED model server throughout: these tests exercise the plumbing, not a real model.
      sandbox = await createSandbox(workspace, {
        backend: 'bubblewrap',
        limits: { processes: 256 },
        readOnlyPaths: [bridge.path, miniAgentDirectory],
      });
    });

    afterAll(async () => {
      await sandbox?.dispose();
      await bridge?.dispose();
      rmSync(scratch, { recursive: true, force: true });
    });

    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    async function run(
      script: Script,
      options: {
        command?: string;
        maxWallMs?: number;
        maxModelCalls?: number;
        homeFiles?: Record<string, string>;
      } = {},
    ): Promise<ExternalAgentResult> {
      server = await startSimulatedServer({ script, flavour: 'llamacpp' });
      const client = createOpenAICompatibleClient({
        baseUrl: server.url,
        model: 'simulated-model',
        flavour: 'llamacpp',
        provider: 'simulated',
      });
      transcript = createTranscriptWriter();
      return runExternalAgent({
        command: options.command ?? MINI_AGENT,
        ...(options.homeFiles ? { homeFiles: options.homeFiles } : {}),
        instruction: 'Make greet.txt say hello world.',
        sandbox,
        bridge,
        client,
        transcript,
        limits: { maxWallMs: options.maxWallMs ?? 60_000, maxModelCalls: options.maxModelCalls ?? 20 },
        attemptId: 'attempt-1',
        taskId: 'greet',
      });
    }

    it('runs the mini agent through the proxy: the file is fixed and every call is recorded', async () => {
      writeFileSync(path.join(workspace, 'greet.txt'), 'hello wrld\n');
      const result = await run(
        [
          {
            toolCalls: [{ name: 'read_file', arguments: { path: 'greet.txt' } }],
            usage: { promptTokens: 100, completionTokens: 10 },
          },
          {
            toolCalls: [{ name: 'write_file', arguments: { path: 'greet.txt', content: 'hello world\n' } }],
            usage: { promptTokens: 150, completionTokens: 20, cachedTokens: 90 },
          },
          { content: 'Fixed the typo.', usage: { promptTokens: 200, completionTokens: 5 } },
        ],
        { command: `${MINI_AGENT} --stream` },
      );

      expect(result.outputTail).not.toContain('Error');
      expect(result.status).toBe('submitted');
      expect(result.exitCode).toBe(0);
      expect(readFileSync(path.join(workspace, 'greet.txt'), 'utf8')).toBe('hello world\n');
      expect(result.steps).toBe(3);
      expect(result.modelCalls).toBe(3);
      expect(result.turnsCompleted).toBe(1);
      expect(result.usage).toEqual({
        inputTokens: 450,
        cachedInputTokens: 90,
        outputTokens: 35,
        reasoningTokens: 0,
      });
      expect(result.finishedSummary).toBe('Fixed the typo.');

      const events = transcript.events;
      expect(events[0]?.type).toBe('attempt-started');
      expect(events.at(-1)).toMatchObject({ type: 'attempt-finished', status: 'submitted' });
      expect(ofType(events, 'model-request')).toHaveLength(3);
      const responses = ofType(events, 'model-response');
      expect(responses).toHaveLength(3);
      for (const response of responses) {
        expect(response.result.usage.source).toBe('server');
        expect(response.result.timings.wallMs).toBeGreaterThan(0);
        expect(response.result.timings.sources.decode).toBe('server');
        expect(response.result.simulated).toBe(true);
      }
      const calls = ofType(events, 'tool-call');
      expect(calls.map((call) => [call.name, call.validity])).toEqual([
        ['read_file', 'valid'],
        ['write_file', 'valid'],
      ]);
      const results = ofType(events, 'tool-result');
      expect(results[0]).toMatchObject({ name: 'read_file', content: 'hello wrld\n', isError: false });
      // The agent's tool result reached the model server through the proxy.
      expect(JSON.stringify(server!.chatRequests[1]!.body)).toContain('hello wrld');
    });

    it('classifies malformed, unknown-tool, schema and execution-error calls against the tools the agent declared', async () => {
      const result = await run([
        { toolCalls: [{ name: 'read_file', arguments: '{"path": "greet.txt"' }] },
        { toolCalls: [{ name: 'delete_everything', arguments: {} }] },
        { toolCalls: [{ name: 'write_file', arguments: { file: 'x.txt', content: 3 } }] },
        { toolCalls: [{ name: 'read_file', arguments: { path: 'does-not-exist.txt' } }] },
        { toolCalls: [{ name: 'read_file', arguments: { path: 'greet.txt' } }] },
        { content: 'Gave up.' },
      ]);

      expect(result.status).toBe('submitted');
      const calls = ofType(transcript.events, 'tool-call');
      expect(calls.map((call) => call.validity)).toEqual([
        'format',
        'unknown-tool',
        'schema',
        'execution-error',
        'valid',
      ]);
      expect(calls[1]?.detail).toContain('read_file, write_file, run');
      expect(calls[2]?.detail).toContain('missing required argument path');
      expect(calls[2]?.detail).toContain('unexpected argument file');
      expect(calls[2]?.detail).toContain('content must be string');
      expect(ofType(transcript.events, 'format-error')).toMatchObject([{ reason: 'malformed-arguments' }]);
      const finished = ofType(transcript.events, 'attempt-finished')[0]!;
      expect(finished.totals).toMatchObject({ toolCalls: 5, invalidToolCalls: 4, formatErrors: 1 });
    });

    it('answers a model-server failure with HTTP 502 and records an infrastructure error, not a model error', async () => {
      const result = await run([{ fault: { kind: 'http-error', status: 500, body: 'simulated crash' } }]);

      expect(result.status).toBe('infrastructure-error');
      expect(result.exitCode).toBe(1);
      expect(result.outputTail).toContain('HTTP 502');
      expect(result.outputTail).toContain('shakedown_infrastructure_error');
      const errors = ofType(transcript.events, 'infrastructure-error');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ kind: 'server-error' });
      expect(ofType(transcript.events, 'model-response')).toHaveLength(0);
      expect(ofType(transcript.events, 'tool-call')).toHaveLength(0);
    });

    it('kills the agent when the wall-time limit runs out', async () => {
      const started = performance.now();
      const result = await run([{ fault: { kind: 'hang' } }], { maxWallMs: 1500 });

      expect(result.status).toBe('time-limit');
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(ofType(transcript.events, 'limit-reached')).toMatchObject([{ which: 'wall-time', limit: 1500 }]);
    });

    it('stops the agent at the model-call limit', async () => {
      writeFileSync(path.join(workspace, 'greet.txt'), 'hello\n');
      const result = await run(
        () => ({ toolCalls: [{ name: 'read_file', arguments: { path: 'greet.txt' } }] }),
        {
          maxModelCalls: 2,
        },
      );

      expect(result.status).toBe('step-limit');
      expect(result.modelCalls).toBe(2);
      expect(ofType(transcript.events, 'limit-reached')).toMatchObject([
        { which: 'steps', limit: 2, value: 2 },
      ]);
    });

    it('reports an agent that fails before calling the model as an infrastructure error', async () => {
      const result = await run([], { command: 'no-such-agent-binary --message-file {instruction_file}' });

      expect(result.status).toBe('infrastructure-error');
      expect(result.exitCode).toBe(127);
      expect(ofType(transcript.events, 'infrastructure-error')[0]?.message).toContain(
        'before calling the model',
      );
    });

    it("gives every run a fresh private HOME holding the agent's configuration, filled in", async () => {
      const command =
        'echo "home=$HOME config=$XDG_CONFIG_HOME"; cat "$HOME/.agent/settings.json"; echo; ' +
        'ls -A "$HOME" | tr "\\n" " "; echo; test -e "$HOME/.agent/left-over" && echo STALE; ' +
        'touch "$HOME/.agent/left-over"; exit 3';
      const homeFiles = { '.agent/settings.json': '{"baseURL":"{base_url}","model":"{model}"}' };
      const first = await run([], { command, homeFiles });
      const second = await run([], { command, homeFiles });

      const home = /home=(\S+) config=(\S+)/.exec(first.outputTail);
      expect(home?.[1]).toMatch(/^\/tmp\/shakedown-agent-home-/);
      expect(home?.[2]).toBe(`${home?.[1]}/.config`);
      expect(first.outputTail).toMatch(
        /\{"baseURL":"http:\/\/127\.0\.0\.1:\d+\/v1","model":"simulated-model"\}/,
      );
      expect(first.outputTail).toContain('.agent');
      // The file the first run left in its HOME is not in the second's.
      expect(second.outputTail).not.toContain('STALE');
    });

    it('keeps the sandbox off the network: only the proxy is reachable', async () => {
      const hostServer = await startSimulatedServer({ script: [] });
      const hostPort = new URL(hostServer.url).port;
      const externalAddress = Object.values(os.networkInterfaces())
        .flat()
        .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
      const probe = [
        "const net = require('node:net');",
        'const attempt = (label, host, port) => new Promise((done) => {',
        '  const socket = net.connect({ host, port: Number(port), timeout: 2000 });',
        "  socket.on('connect', () => { console.log(label + ': connected'); socket.destroy(); done(); });",
        "  socket.on('error', (error) => { console.log(label + ': failed ' + error.code); done(); });",
        "  socket.on('timeout', () => { console.log(label + ': failed timeout'); socket.destroy(); done(); });",
        '});',
        '(async () => {',
        `  await attempt('host-loopback', '127.0.0.1', ${hostPort});`,
        externalAddress ? `  await attempt('host-address', '${externalAddress}', ${hostPort});` : '',
        "  const models = await fetch(process.env.OPENAI_BASE_URL + '/models').then((r) => r.json());",
        "  console.log('proxy: ' + models.data[0].id);",
        '})();',
      ].join('\n');
      writeFileSync(path.join(bridge.path, 'network-probe.cjs'), probe);
      try {
        const result = await run([], { command: `node ${path.join(bridge.path, 'network-probe.cjs')}` });
        expect(result.outputTail).toContain('host-loopback: failed');
        if (externalAddress) expect(result.outputTail).toContain('host-address: failed');
        expect(result.outputTail).not.toContain('connected');
        expect(result.outputTail).toContain('proxy: simulated-model');
        expect(hostServer.requests).toHaveLength(0);
      } finally {
        await hostServer.close();
      }
    });
  },
);
