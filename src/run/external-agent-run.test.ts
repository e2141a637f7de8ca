import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXED_SOURCE, writeSyntheticSuite } from '../../test-support/synthetic-suite.ts';
import { describeAgent } from '../external/agent-choice.ts';
import { loadRunMetrics } from '../metrics/load-run-metrics.ts';
import { createOpenAICompatibleClient } from '../providers/openai-compatible/openai-compatible-client.ts';
import type { Script } from '../providers/simulated/script.ts';
import { type SimulatedServer, startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import { renderMarkdownReport } from '../report/render-markdown-report.ts';
import { detectSandboxSupport } from '../sandbox/detect-sandbox-support.ts';
import { openStore, type Store } from '../store/index.ts';
import type { Task } from '../task/task.ts';
import { shakedownConfigSchema } from './config.ts';
import { executeRun } from './execute-run.ts';
import { RunConfigChangedError } from './set-up-run.ts';

const support = await detectSandboxSupport('bubblewrap');
const miniAgentDirectory = await realpath(fileURLToPath(new URL('../external/mini-agent/', import.meta.url)));
const MINI_AGENT = `node ${path.join(miniAgentDirectory, 'mini-agent.mjs')} --model {model} --instruction-file {instruction_file}`;

const SOLVER = 'simulated:external-solver';
const FAILER = 'simulated:external-failer';

// SIMULATED model servers: these tests exercise the plumbing of an external agent in a run, not a real model.
const solverScript: Script = [
  { toolCalls: [{ name: 'read_file', arguments: { path: 'src/calc.js' } }] },
  { toolCalls: [{ name: 'write_file', arguments: { path: 'src/calc.js', content: FIXED_SOURCE } }] },
  { content: 'Fixed add.' },
];
const failerScript: Script = [
  { toolCalls: [{ name: 'read_file', arguments: { path: 'src/calc.js' } }] },
  { content: 'It looks correct to me.' },
];

describe.skipIf(!support.available)(
  `external agent in a run, bubblewrap sandbox (${support.reason ?? 'bwrap works'})`,
  () => {
    let directory: string;
    let tasks: Task[];
    let store: Store;
    const servers = new Map<string, SimulatedServer>();

    beforeAll(async () => {
      directory = await mkdtemp(path.join(os.tmpdir(), 'shakedown-external-run-'));
      tasks = await writeSyntheticSuite(path.join(directory, 'suite'), 1);
      store = openStore(path.join(directory, 'data'));
      servers.set(SOLVER, await startSimulatedServer({ script: solverScript, flavour: 'llamacpp' }));
      servers.set(FAILER, await startSimulatedServer({ script: failerScript, flavour: 'llamacpp' }));
    });

    afterAll(async () => {
      store?.close();
      for (const server of servers.values()) await server.close();
      await rm(directory, { recursive: true, force: true });
    });

    const agent = { command: MINI_AGENT, readOnlyPaths: [miniAgentDirectory] };
    const config = shakedownConfigSchema.parse({
      attempts: 1,
      concurrency: 1,
      sandbox: 'bubblewrap',
      attemptRetries: 0,
      limits: { maxSteps: 10, maxWallSeconds: 120 },
      agent,
    });
    const models = [SOLVER, FAILER].map((id) => ({ id, protocol: 'auto' as const }));
    const clientFactory = (model: { id: string }) =>
      createOpenAICompatibleClient({
        baseUrl: servers.get(model.id)!.url,
        model: 'simulated-model',
        flavour: 'llamacpp',
        provider: 'simulated',
      });

    it('runs the agent through the proxy and grades it like the built-in agent', async () => {
      const result = await executeRun({
        config,
        models,
        tasks,
        store,
        dataDir: path.join(directory, 'data'),
        clientFactory,
      });
      expect(result.status).toBe('completed');
      const attempts = store.attempts(result.runId);
      const byModel = new Map(attempts.map((attempt) => [attempt.modelId, attempt]));
      const solved = byModel.get(SOLVER)!;
      const failed = byModel.get(FAILER)!;
      expect([solved.status, solved.agentStatus, solved.gradeStatus]).toEqual([
        'finished',
        'submitted',
        'resolved',
      ]);
      expect([failed.status, failed.agentStatus, failed.gradeStatus]).toEqual([
        'finished',
        'submitted',
        'unresolved',
      ]);
      expect(result.outcomes).toMatchObject({ resolved: 1, unresolved: 1, 'infrastructure-error': 0 });

      // The stored transcript is the proxy's: model requests and responses, and the agent's tool calls.
      const events = store.events(solved.id);
      const count = (type: string) => events.filter((event) => event.type === type).length;
      expect(count('model-request')).toBe(3);
      expect(count('model-response')).toBe(3);
      expect(
        events.flatMap((event) => (event.type === 'tool-call' ? [[event.name, event.validity]] : [])),
      ).toEqual([
        ['read_file', 'valid'],
        ['write_file', 'valid'],
      ]);
      expect(events.at(-1)).toMatchObject({ type: 'attempt-finished', status: 'submitted' });
      expect(servers.get(SOLVER)!.chatRequests).toHaveLength(3);

      // Metrics are computed from those events, as for the built-in agent.
      const metrics = loadRunMetrics(store, result.runId);
      const solver = metrics.models.find((model) => model.modelId === SOLVER)!;
      expect(solver.toolCalls.byValidity.valid).toBe(2);
      expect(solver.toolCalls.validityShares.valid).toBe(1);
      expect(metrics.run.agent).toBe(describeAgent(agent));
      expect(renderMarkdownReport(metrics)).toContain(`agent: external (command node `);
    });

    it('refuses to resume a run with a different agent', async () => {
      const first = store.listRuns()[0]!;
      store.markRun(first.id, 'interrupted');
      const resumeWithBuiltInAgent = () =>
        executeRun({
          config: { ...config, agent: 'built-in' },
          models,
          tasks,
          store,
          dataDir: path.join(directory, 'data'),
          clientFactory,
          resume: first.id,
        });
      await expect(resumeWithBuiltInAgent()).rejects.toThrow(RunConfigChangedError);
      await expect(resumeWithBuiltInAgent()).rejects.toThrow(
        /agent external \(command node .*\) -> built-in/,
      );
    });
  },
);
