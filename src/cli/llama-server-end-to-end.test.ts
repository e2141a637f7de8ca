/**
 * `shakedown doctor`, `probe` and a short `run`, end to end through the CLI, against a real llama-server serving
 * the tiny random-weight model. The model is random: these tests assert what is real (the wire, the server's token
 * counts and timings, the classification of failures, the stored rows), never pass rates.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithLlamaServer, llamaServerForSuite } from '../../test-support/llama-server.ts';
import { runCli } from '../../test-support/run-cli.ts';
import { writeSyntheticSuite } from '../../test-support/synthetic-suite.ts';
import type { DoctorReport } from '../doctor/doctor.ts';
import { RETENTION_FACTS, type RetentionFact } from '../probe/retention-facts.ts';
import type { ProbeReport } from '../probe/run-probe.ts';
import { openStore } from '../store/index.ts';

/** `-c 16384 --parallel 2`: 8192 tokens a slot, room for the agent's system prompt and tools (~4k byte tokens). */
const SLOT_CONTEXT = 8192;

describeWithLlamaServer('shakedown against a real llama-server', () => {
  const server = llamaServerForSuite({
    contextSize: 2 * SLOT_CONTEXT,
    parallel: 2,
    model: { contextLength: SLOT_CONTEXT },
  });
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'shakedown-llama-e2e-'));
  });
  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });
  const model = () => `llamacpp:${server().url}`;

  it('doctor: the server is described from /props and /v1/models; a random model fails the round trip as a model', async () => {
    const result = await runCli(['doctor', '--model', model(), '--json']);
    const report = JSON.parse(result.stdout) as DoctorReport;
    expect(report.simulated).toBe(false);
    const byName = new Map(report.checks.map((check) => [check.name, check]));
    expect(byName.get('reachable')).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/^llamacpp serves \/.*\/tiny-qwen-tools\.gguf$/),
    });
    expect(byName.get('context length')?.detail).toMatch(new RegExp(`^${SLOT_CONTEXT} tokens`));
    expect(report.endpoint).toMatchObject({
      parallelSlots: 2,
      maxContextLength: SLOT_CONTEXT,
      supportsTools: true,
    });
    expect(byName.get('tool call')?.status).toBe('fail');
    expect(byName.get('tool call')?.detail).not.toMatch(/infrastructure/);
    expect(byName.get('latency')?.detail).toMatch(/\(server-reported\)/);
    expect(result.exitCode).toBe(1);
  });

  it('probe: retention depths are placed by the server tokenizer; a depth that does not fit says so', async () => {
    const result = await runCli([
      'probe',
      '--model',
      model(),
      '--only',
      'retention',
      '--depths',
      '512,4k',
      '--repeat',
      '1',
      '--json',
    ]);
    expect(result.stderr).not.toMatch(/error/i);
    const [report] = (JSON.parse(result.stdout) as { reports: ProbeReport[] }).reports;
    expect(report.simulated).toBe(false);
    expect(report.infrastructureErrors).toBe(0);
    const retention = report.retention!;
    expect(retention.contextLength).toBe(SLOT_CONTEXT);
    // The tiny byte-level tokenizer counts far more tokens than chars/4.
    expect(retention.calibration.method).toBe('server-tokens');
    expect(retention.calibration.tokensPerEstimatedToken).toBeGreaterThan(2);
    const [small, large] = retention.depths;
    expect(small).toMatchObject({ depth: 512, ran: true, infrastructureErrors: 0, doesNotFit: 0 });
    expect(small.scored).toBe(retention.runs.length);
    expect(large).toMatchObject({ depth: 4096, ran: false });
    expect(large.skipReason).toMatch(/does not fit/);
    // The base prompt was counted with the first fact; each run's own fact and question differ from it by up to
    // ~50 server tokens, which are not depth. The server's tokenizer says by how much.
    const tokens = async (content: string) => {
      const response = await fetch(`${server().url}/tokenize`, {
        method: 'POST',
        body: JSON.stringify({ content }),
      });
      return ((await response.json()) as { tokens: number[] }).tokens.length;
    };
    const factTokens = async (fact: RetentionFact) =>
      (await tokens(fact.statement)) + (await tokens(fact.question));
    const baseFactTokens = await factTokens(RETENTION_FACTS[0]);
    expect(retention.runs.length).toBe(RETENTION_FACTS.length);
    for (const run of retention.runs) {
      const fact = RETENTION_FACTS.find((candidate) => candidate.id === run.factId)!;
      const ownFact = (await factTokens(fact)) - baseFactTokens;
      const depth = run.promptTokens! - retention.calibration.basePromptTokens! - ownFact;
      // The tokens-per-estimated-token ratio is calibrated on noise with file contents; a 512-token depth is all
      // prose filler, which the byte-level tokenizer packs ~10% tighter (measured 450-515 noise tokens).
      expect(depth, run.factId).toBeGreaterThanOrEqual(512 * 0.85);
      expect(depth, run.factId).toBeLessThan(512 * 1.25);
    }
  });

  it('run: one task, a few steps, in bubblewrap; the stored steps carry the server-reported usage and timings', async () => {
    const suite = path.join(directory, 'suite');
    await writeSyntheticSuite(suite, 1);
    const config = path.join(directory, 'shakedown.yaml');
    await writeFile(config, 'limits:\n  maxSteps: 3\n  maxWallSeconds: 300\n');
    const dataDir = path.join(directory, 'data');
    const result = await runCli([
      'run',
      '--config',
      config,
      '--model',
      model(),
      '--suite',
      suite,
      '--data-dir',
      dataDir,
      '--sandbox',
      'bubblewrap',
      '--json',
    ]);
    expect(result.stderr).not.toMatch(/^error/m);
    const store = openStore(dataDir);
    try {
      const [run] = store.listRuns();
      expect(run.simulated).toBe(false);
      const attempts = store.attempts(run.id);
      expect(attempts).toHaveLength(1);
      expect(attempts[0].status).toBe('finished');
      const steps = store.steps({ runId: run.id });
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.length).toBeLessThanOrEqual(3);
      for (const step of steps) {
        expect(step).toMatchObject({ simulated: false, infrastructureRetries: 0 });
        expect(step.inputTokens).toBeGreaterThan(1000);
        if (step.finishReason === 'error') {
          // llama-server streamed the random model's turn, then refused it with an in-stream error
          // ("The model produced output that does not match the expected peg-native format") and no usage: a
          // model failure, not retried, its usage counted by shakedown.
          expect(step).toMatchObject({ usageSource: 'measured' });
          continue;
        }
        expect(step).toMatchObject({
          usageSource: 'server',
          prefillSource: 'server',
          decodeSource: 'server',
        });
        expect(step.decodeTps).toBeGreaterThan(0);
      }
    } finally {
      store.close();
    }
  });
});
