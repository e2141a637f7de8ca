import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/run-cli.ts';
import { type SimulatedServer, startSimulatedServer } from '../providers/simulated/simulated-server.ts';

let server: SimulatedServer | null = null;
const extraServers: SimulatedServer[] = [];
afterEach(async () => {
  await server?.close();
  server = null;
  await Promise.all(extraServers.splice(0).map((extra) => extra.close()));
});

/** The environment the CLI runs with: an API key it must never print. */
const env = { OPENAI_API_KEY: 'sk-test-never-printed-123456' };

describe('shakedown doctor (real CLI against a simulated llama.cpp server)', () => {
  it('passes a model that makes a valid tool call, labelled simulated, in JSON', async () => {
    server = await startSimulatedServer({
      flavour: 'llamacpp',
      script: [
        { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
        { content: 'It is sunny and 22 °C in Paris.' },
      ],
    });
    const result = await runCli(['doctor', '--model', `llamacpp:${server.url}`, '--json'], { env });
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.simulated).toBe(true);
    expect(report.ok).toBe(true);
    expect(report.checks.find((check: { name: string }) => check.name === 'tool call').status).toBe('pass');
    expect(result.exitCode).toBe(0);
  });

  it('exits 1 with a human table when the model never calls the tool', async () => {
    server = await startSimulatedServer({ flavour: 'llamacpp', script: [{ content: 'No tools for me.' }] });
    const result = await runCli(['doctor', '--model', `llamacpp:${server.url}`], { env });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/SIMULATED/);
    expect(result.stdout).toMatch(/FAIL\s+tool call\s+no tool call/);
  });

  it('without --model checks every local server it finds (Ollama and llama.cpp, simulated)', async () => {
    const toolRoundTrip = [
      { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
      { content: 'It is sunny and 22 °C in Paris.' },
    ];
    server = await startSimulatedServer({ flavour: 'llamacpp', script: toolRoundTrip });
    const ollama = await startSimulatedServer({ script: toolRoundTrip, endpoint: { model: 'qwen3.5:9b' } });
    extraServers.push(ollama);
    const result = await runCli(['doctor', '--json'], {
      env: {
        ...env,
        SHAKEDOWN_LOCAL_SERVERS: `ollama=${ollama.url},llamacpp=${server.url}`,
        SHAKEDOWN_DISCOVERY_TIMEOUT_MS: '60000',
      },
    });
    expect(result.stderr).toBe('');
    const reports = JSON.parse(result.stdout) as Array<{ model: string; ok: boolean; simulated: boolean }>;
    expect(reports.map((report) => [report.model, report.ok, report.simulated])).toEqual([
      ['ollama:qwen3.5:9b', true, true],
      ['llamacpp:default', true, true],
    ]);
    // Each server answered its own tool-call round trip, Ollama on its native route.
    expect(ollama.chatRequests.map((request) => request.path)).toEqual(['/api/chat', '/api/chat']);
    expect(server.chatRequests.map((request) => request.path)).toEqual([
      '/v1/chat/completions',
      '/v1/chat/completions',
    ]);
    expect(result.exitCode).toBe(0);
  });

  it('without --model and with no local server, exits 1 and lists the options, the demo first', async () => {
    const cache = await mkdtemp(path.join(tmpdir(), 'shakedown-doctor-cache-'));
    try {
      const result = await runCli(['doctor'], {
        env: { ...env, SHAKEDOWN_LOCAL_SERVERS: 'ollama=http://127.0.0.1:9', SHAKEDOWN_MODEL_CACHE: cache },
      });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('no local model server answered (looked at Ollama http://127.0.0.1:9)');
      expect(result.stderr).toContain('npx shakedown demo');
      expect(result.stderr).toContain(
        `model cache: ${cache} (empty; hf: and gguf: models download here once)`,
      );
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });

  it('shows the model cache folder, its size and partial downloads after the report', async () => {
    server = await startSimulatedServer({ flavour: 'llamacpp', script: [{ content: 'No tools for me.' }] });
    const cache = await mkdtemp(path.join(tmpdir(), 'shakedown-doctor-cache-'));
    try {
      await writeFile(path.join(cache, 'hf_owner_model.Q4_K_M.gguf'), Buffer.alloc(3 * 1024 * 1024));
      await writeFile(path.join(cache, '1a2b3c4d-other.gguf'), Buffer.alloc(1024 * 1024));
      await writeFile(path.join(cache, 'hf_owner_big.Q8_0.gguf.ipull'), Buffer.alloc(512 * 1024));
      const result = await runCli(['doctor', '--model', `llamacpp:${server.url}`], {
        env: { ...env, SHAKEDOWN_MODEL_CACHE: cache },
      });
      expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(
        `model cache: ${cache}: 2 model file(s), 4.0 MiB; 1 partial download(s), 0.5 MiB, resumed on next use`,
      );
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });
});
