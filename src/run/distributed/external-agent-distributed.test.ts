import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasRedisServer,
  REDIS_SERVER_PATH,
  startTestRedisServer,
  type TestRedisServer,
} from '../../../test-support/redis-server.ts';
import { FIXED_SOURCE, writeSyntheticSuite } from '../../../test-support/synthetic-suite.ts';
import { agentLabelOfStoredConfig, describeAgent } from '../../external/agent-choice.ts';
import { createOpenAICompatibleClient } from '../../providers/openai-compatible/openai-compatible-client.ts';
import type { Script } from '../../providers/simulated/script.ts';
import { type SimulatedServer, startSimulatedServer } from '../../providers/simulated/simulated-server.ts';
import { detectSandboxSupport } from '../../sandbox/detect-sandbox-support.ts';
import { openStore, type Store } from '../../store/index.ts';
import type { Task } from '../../task/task.ts';
import { shakedownConfigSchema } from '../config.ts';
import { executeDistributedRun } from './execute-distributed-run.ts';
import { redisConnectionOf } from './redis-connection.ts';
import { type AttemptWorker, startAttemptWorker } from './start-attempt-worker.ts';

const support = await detectSandboxSupport('bubblewrap');
const miniAgentDirectory = await realpath(
  fileURLToPath(new URL('../../external/mini-agent/', import.meta.url)),
);
const MINI_AGENT = `node ${path.join(miniAgentDirectory, 'mini-agent.mjs')} --model {model} --instruction-file {instruction_file}`;
const SOLVER = 'simulated:external-solver';

// A SIMULATED model server: this exercises the plumbing of an external agent on a worker, not a real model.
const solverScript: Script = [
  { toolCalls: [{ name: 'read_file', arguments: { path: 'src/calc.js' } }] },
  { toolCalls: [{ name: 'write_file', arguments: { path: 'src/calc.js', content: FIXED_SOURCE } }] },
  { content: 'Fixed add.' },
];

describe.skipIf(!hasRedisServer() || !support.available)(
  `external agent in a distributed run (needs ${REDIS_SERVER_PATH} and bubblewrap: ${support.reason ?? 'bwrap works'})`,
  () => {
    let directory: string;
    let tasks: Task[];
    let redis: TestRedisServer;
    let store: Store;
    let server: SimulatedServer;
    let worker: AttemptWorker | undefined;

    beforeAll(async () => {
      directory = await mkdtemp(path.join(tmpdir(), 'shakedown-distributed-agent-'));
      tasks = await writeSyntheticSuite(path.join(directory, 'suite'), 1);
      redis = await startTestRedisServer();
      store = openStore(path.join(directory, 'coordinator'));
      server = await startSimulatedServer({ script: solverScript, flavour: 'llamacpp' });
    });

    afterAll(async () => {
      await worker?.close();
      store?.close();
      await server?.close();
      await redis?.stop();
      await rm(directory, { recursive: true, force: true });
    });

    const clientFactory = () =>
      createOpenAICompatibleClient({
        baseUrl: server.url,
        model: 'simulated-model',
        flavour: 'llamacpp',
        provider: 'simulated',
      });
    const configWith = (agent: { command: string; readOnlyPaths: string[] }) =>
      shakedownConfigSchema.parse({
        attempts: 1,
        sandbox: 'bubblewrap',
        attemptRetries: 0,
        limits: { maxSteps: 10, maxWallSeconds: 120 },
        agent,
      });

    it('runs the job’s external agent on the worker through the recording proxy', async () => {
      const warnings: string[] = [];
      worker = await startAttemptWorker({
        connection: redisConnectionOf(redis.url),
        serves: [SOLVER],
        name: 'agent-worker',
        dataDir: path.join(directory, 'worker'),
        clientFactory,
        onEvent: (event) => {
          if (event.type === 'warning') warnings.push(event.message);
        },
      });
      const agent = { command: MINI_AGENT, readOnlyPaths: [miniAgentDirectory] };
      const result = await executeDistributedRun({
        config: configWith(agent),
        models: [{ id: SOLVER, protocol: 'auto' }],
        tasks,
        store,
        dataDir: path.join(directory, 'coordinator'),
        connection: redisConnectionOf(redis.url),
        runId: 'run-20260101-000000-e7a1',
        clientFactory,
      });
      expect(result.status).toBe('completed');
      expect(result.outcomes.resolved).toBe(1);
      const [attempt] = store.attempts(result.runId);
      expect([attempt?.status, attempt?.agentStatus, attempt?.gradeStatus, attempt?.worker]).toEqual([
        'finished',
        'submitted',
        'resolved',
        'agent-worker',
      ]);
      // The transcript is the proxy's: model requests and responses, and the agent's tool calls.
      const events = store.events(attempt!.id);
      expect(events.filter((event) => event.type === 'model-request')).toHaveLength(3);
      expect(events.filter((event) => event.type === 'model-response')).toHaveLength(3);
      expect(
        events.flatMap((event) => (event.type === 'tool-call' ? [[event.name, event.validity]] : [])),
      ).toEqual([
        ['read_file', 'valid'],
        ['write_file', 'valid'],
      ]);
      expect(server.chatRequests).toHaveLength(3);
      // The agent is part of the run's fingerprint, as in a local run.
      expect(agentLabelOfStoredConfig(store.getRun(result.runId)?.config)).toBe(describeAgent(agent));
      expect(warnings).toEqual([]);
    }, 120_000);

    it('records an infrastructure error when the agent is not installed at the same path on the worker', async () => {
      const missing = path.join(directory, 'not-installed');
      const result = await executeDistributedRun({
        config: configWith({ command: `'${missing}/agent' --model {model}`, readOnlyPaths: [missing] }),
        models: [{ id: SOLVER, protocol: 'auto' }],
        tasks,
        store,
        dataDir: path.join(directory, 'coordinator'),
        connection: redisConnectionOf(redis.url),
        runId: 'run-20260101-000000-e7a2',
        clientFactory,
      });
      expect(result.outcomes['infrastructure-error']).toBe(1);
      const [attempt] = store.attempts(result.runId);
      expect(attempt?.status).toBe('infrastructure-error');
      expect(attempt?.error).toContain('worker agent-worker: the agent external (command');
      expect(attempt?.error).toContain(`missing: ${missing}/agent, ${missing}`);
    }, 60_000);
  },
);
