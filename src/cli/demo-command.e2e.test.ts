/**
 * `shakedown demo` end to end through the CLI: real simulated server over HTTP, real bubblewrap sandbox, real
 * grading and store. The scripted agents' known skills must come out as the measured pass rates, in order, and the
 * report must say SIMULATED.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/run-cli.ts';
import { DEMO_AGENTS, demoModelId, expectedPassRate } from '../demo/index.ts';
import { loadRunMetrics, resolveRunId } from '../metrics/load-run-metrics.ts';
import { detectSandboxSupport } from '../sandbox/index.ts';
import { openStore } from '../store/index.ts';

/** Tasks of the demo run here (the default); `SHAKEDOWN_DEMO_TEST_TASKS` may ask for more. */
const TASKS = Number(process.env.SHAKEDOWN_DEMO_TEST_TASKS ?? 4);

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'shakedown-demo-e2e-'));
});

afterAll(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
});

describe('shakedown demo', () => {
  it('measures the known skills of its scripted agents, in order, and labels everything SIMULATED', {
    timeout: 900_000,
  }, async () => {
    const support = await detectSandboxSupport('bubblewrap');
    expect(support.available, `bubblewrap must work for this test: ${support.reason ?? ''}`).toBe(true);
    const dataDir = path.join(directory, 'demo');
    const result = await runCli(
      [
        'demo',
        '--data-dir',
        dataDir,
        '--tasks',
        String(TASKS),
        '--concurrency',
        '2',
        '--sandbox',
        'bubblewrap',
        '--no-view',
      ],
      { env: { CI: '1' } },
    );
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stderr).toContain('SIMULATED');
    expect(result.stdout).toContain('SIMULATED demo results');
    const reportPath = path.join(dataDir, 'demo-report.html');
    expect(result.stdout).toContain(`SIMULATED report: ${reportPath}`);

    const store = openStore(dataDir, { readonly: true });
    try {
      const runId = resolveRunId(store, undefined);
      const attempts = store.attempts(runId);
      expect(attempts).toHaveLength(TASKS * DEMO_AGENTS.length);
      expect(attempts.filter((attempt) => attempt.status !== 'finished')).toEqual([]);
      expect(attempts.filter((attempt) => attempt.gradeStatus === 'invalid')).toEqual([]);

      const metrics = loadRunMetrics(store, runId);
      expect(metrics.simulated).toBe(true);
      const rates = DEMO_AGENTS.map((agent) => {
        const model = metrics.models.find((entry) => entry.modelId === demoModelId(agent))!;
        expect(model.simulated, agent.name).toBe(true);
        expect(model.resolved.rate, agent.name).toBe(expectedPassRate(agent, TASKS));
        return model.resolved.rate!;
      });
      // Known skills, best first: solver 100% > leaky 75% > half 50% > breaker 0% (on 4 tasks).
      expect(rates).toEqual([...rates].sort((a, b) => b - a));
      expect(new Set(rates).size).toBe(rates.length);
      expect(rates[0]).toBe(1);
      expect(rates.at(-1)).toBe(0);

      // The leaky agent's calls all reached the agent as recovered text; the others' as server-parsed calls.
      const leaky = metrics.models.find((entry) => entry.modelId === 'simulated:demo-leaky')!;
      expect(leaky.toolCalls.recovered).toBe(leaky.toolCalls.total);
      expect(leaky.toolCalls.total).toBeGreaterThan(0);
      const solver = metrics.models.find((entry) => entry.modelId === 'simulated:demo-solver')!;
      expect(solver.toolCalls.recovered).toBe(0);
    } finally {
      store.close();
    }

    expect(existsSync(reportPath)).toBe(true);
    const html = await readFile(reportPath, 'utf8');
    expect(html).toContain('data-testid="simulated-banner"');
    expect(html).toContain('SIMULATED: ');
    for (const agent of DEMO_AGENTS) expect(html).toContain(agent.name);
  });

  it('with --view serves its run in the viewer until stopped', { timeout: 600_000 }, async () => {
    const dataDir = path.join(directory, 'demo-view');
    const child = runCli(
      ['demo', '--data-dir', dataDir, '--tasks', '1', '--sandbox', 'bubblewrap', '--view', '--port', '0'],
      { env: { CI: '1', DISPLAY: '' } },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /shakedown viewer: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
          if (match) resolve(match[1]!);
        });
        child.once('exit', () => reject(new Error(`demo exited before serving the viewer: ${output}`)));
      });
      const runs = (await (await fetch(`${url}api/runs`)).json()) as { items: Array<{ id: string }> };
      expect(runs.items).toHaveLength(1);
      expect(await (await fetch(url)).text()).toContain('<main id="app">');
    } finally {
      child.kill('SIGTERM');
      await child;
    }
    expect(child.exitCode).toBe(0);
  });
});
