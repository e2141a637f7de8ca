import { afterEach, describe, expect, it } from 'vitest';
import { type SimulatedServer, startSimulatedServer } from '../model/simulated/simulated-server.ts';
import { runCli } from './run-cli.test-helper.ts';

let server: SimulatedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
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
});
