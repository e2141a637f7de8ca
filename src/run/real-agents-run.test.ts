/**
 * The coding agents people use (Qwen Code, OpenCode, Codex CLI; pinned versions installed by
 * scripts/install-external-agents.sh), each run for real through its shakedown preset inside bubblewrap on a
 * built-in task, with a SIMULATED model that drives the agent's own tools (test-support/external-agent-driver.ts).
 * Outside CI an agent that is not installed is skipped with a visible reason; with CI=true its tests fail.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentDriver, type DriverMode } from '../../test-support/external-agent-driver.ts';
import { assertInstalled, pinnedAgentForTest } from '../../test-support/pinned-agents.ts';
import { loadRunMetrics } from '../metrics/load-run-metrics.ts';
import { createOpenAICompatibleClient } from '../providers/openai-compatible/openai-compatible-client.ts';
import type { Script } from '../providers/simulated/script.ts';
import { type SimulatedServer, startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import { renderMarkdownReport } from '../report/render-markdown-report.ts';
import { detectSandboxSupport } from '../sandbox/detect-sandbox-support.ts';
import { openStore, type Store } from '../store/index.ts';
import { loadSuite } from '../task/load-suite.ts';
import type { Task } from '../task/task.ts';
import type { TranscriptEvent, TranscriptEventOf, TranscriptEventType } from '../transcript/events.ts';
import { shakedownConfigSchema } from './config.ts';
import { executeRun } from './execute-run.ts';

const SUITE_DIRECTORY = path.resolve(import.meta.dirname, '../../suites/core');
/** A quick built-in task: JavaScript, node:test. */
const TASK_ID = 'lru-cache-recency-bug';

const support = await detectSandboxSupport('bubblewrap');

function ofType<Type extends TranscriptEventType>(
  events: readonly TranscriptEvent[],
  type: Type,
): TranscriptEventOf<Type>[] {
  return events.filter((event): event is TranscriptEventOf<Type> => event.type === type);
}

let scratch: string;
let task: Task;
const servers: SimulatedServer[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'shakedown-real-agents-'));
  const suite = await loadSuite(SUITE_DIRECTORY);
  const found = suite.tasks.find((candidate) => candidate.id === TASK_ID);
  if (!found) throw new Error(`built-in task ${TASK_ID} is missing`);
  task = found;
});

afterAll(async () => {
  for (const server of servers) await server.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** One simulated model server per model id, each with its own script. */
async function simulatedModels(scripts: Record<string, Script>) {
  const byId = new Map<string, SimulatedServer>();
  for (const [id, script] of Object.entries(scripts)) {
    const server = await startSimulatedServer({ script, flavour: 'llamacpp' });
    servers.push(server);
    byId.set(id, server);
  }
  return {
    byId,
    models: Object.keys(scripts).map((id) => ({ id, protocol: 'auto' as const })),
    clientFactory: (model: { id: string }) =>
      createOpenAICompatibleClient({
        baseUrl: byId.get(model.id)!.url,
        model: 'simulated-model',
        flavour: 'llamacpp',
        provider: 'simulated',
      }),
  };
}

async function runAgentOnTask(name: string, scripts: Record<string, Script>, label: string) {
  const { byId, models, clientFactory } = await simulatedModels(scripts);
  const dataDir = path.join(scratch, `${name}-${label}`);
  const store: Store = openStore(dataDir);
  const config = shakedownConfigSchema.parse({
    attempts: 1,
    concurrency: 2,
    sandbox: 'bubblewrap',
    attemptRetries: 0,
    infrastructureRetries: 0,
    limits: { maxSteps: 8, maxWallSeconds: 420 },
    agent: { preset: name },
  });
  const result = await executeRun({ config, models, tasks: [task], store, dataDir, clientFactory });
  const attempts = new Map(store.attempts(result.runId).map((attempt) => [attempt.modelId, attempt]));
  return { result, store, attempts, servers: byId };
}

const AGENTS = ['qwen-code', 'opencode', 'codex'].map(pinnedAgentForTest);

describe.skipIf(!support.available)(
  `real external agents in bubblewrap (${support.reason ?? 'bwrap works'})`,
  () => {
    for (const agent of AGENTS) {
      describe.skipIf(agent.skip)(`${agent.name}@${agent.version} (${agent.status})`, () => {
        it('an oracle driving its own shell tool resolves the task, a do-nothing model does not; every call is recorded', {
          timeout: 900_000,
        }, async () => {
          assertInstalled(agent);
          const oracle = createAgentDriver({ mode: 'oracle', fix: { patch: task.goldPatch } });
          const idle = createAgentDriver({ mode: 'do-nothing', fix: { patch: task.goldPatch } });
          const {
            result,
            store,
            attempts,
            servers: byId,
          } = await runAgentOnTask(
            agent.name,
            { 'simulated:oracle': oracle.script, 'simulated:do-nothing': idle.script },
            'oracle',
          );
          const solved = attempts.get('simulated:oracle')!;
          const untouched = attempts.get('simulated:do-nothing')!;
          expect([solved.status, solved.agentStatus, solved.gradeStatus]).toEqual([
            'finished',
            'submitted',
            'resolved',
          ]);
          expect([untouched.agentStatus, untouched.gradeStatus]).toEqual(['submitted', 'unresolved']);
          expect(result.outcomes).toMatchObject({ resolved: 1, unresolved: 1, 'infrastructure-error': 0 });

          // Every request the agent sent reached the model through the proxy, and each pair is in the transcript.
          const events = store.events(solved.id);
          const requests = ofType(events, 'model-request');
          const responses = ofType(events, 'model-response');
          expect(requests).toHaveLength(byId.get('simulated:oracle')!.chatRequests.length);
          expect(responses.map((event) => event.step)).toEqual(requests.map((event) => event.step));
          expect(requests.every((event) => event.wire !== undefined)).toBe(true);
          expect(requests[0]?.wire?.route).toBe(agent.name === 'codex' ? 'responses' : 'chat-completions');
          expect(responses.every((event) => event.proxy !== undefined)).toBe(true);

          // The fix went through the agent's own shell tool, judged valid against the schema the agent declared.
          const calls = ofType(events, 'tool-call');
          expect(calls).toHaveLength(1);
          expect(calls[0]?.validity).toBe('valid');
          const declared = oracle.log.find((entry) => entry.answer === 'tool-call')?.declaredTools ?? [];
          expect(declared).toContain(calls[0]?.name);
          expect(ofType(store.events(untouched.id), 'tool-call')).toEqual([]);

          // Reports name the agent beside the model.
          const metrics = loadRunMetrics(store, result.runId);
          expect(metrics.run.agent).toBe(`external (preset ${agent.name})`);
          expect(renderMarkdownReport(metrics)).toContain(`external (preset ${agent.name})`);
          store.close();
        });
      });
    }

    // Failure classification, with the fastest agent to start (Codex, a native binary).
    const codex = AGENTS.find((agent) => agent.name === 'codex')!;
    describe.skipIf(codex.skip)(
      `model vs infrastructure failures inside codex@${codex.version} (${codex.status})`,
      () => {
        it('a model that breaks the declared schemas or calls unknown tools is the model failing, a model server that fails is infrastructure', {
          timeout: 900_000,
        }, async () => {
          assertInstalled(codex);
          const driver = (mode: DriverMode) =>
            createAgentDriver({ mode, fix: { patch: task.goldPatch } }).script;
          const serverDown: Script = () => ({
            fault: { kind: 'http-error', status: 500, body: 'model server crashed' },
          });
          const leaked = createAgentDriver({ mode: 'leak-in-text', fix: { patch: task.goldPatch } });
          const { store, attempts } = await runAgentOnTask(
            codex.name,
            {
              'simulated:schema-error': driver('schema-error'),
              'simulated:unknown-tool': driver('unknown-tool'),
              'simulated:leaks-calls': leaked.script,
              'simulated:server-down': serverDown,
            },
            'failures',
          );
          const validities = (modelId: string) =>
            ofType(store.events(attempts.get(modelId)!.id), 'tool-call').map((event) => event.validity);

          const schema = attempts.get('simulated:schema-error')!;
          expect(schema.status).toBe('finished');
          expect(schema.gradeStatus).toBe('unresolved');
          expect(validities('simulated:schema-error')).toEqual(['schema']);

          const unknown = attempts.get('simulated:unknown-tool')!;
          expect(unknown.status).toBe('finished');
          expect(validities('simulated:unknown-tool')).toEqual(['unknown-tool']);

          // A call leaked in text is recovered by the client and reaches the agent as a real call: it resolves.
          const leak = attempts.get('simulated:leaks-calls')!;
          expect(leak.gradeStatus).toBe('resolved');
          const leakedCalls = ofType(store.events(leak.id), 'tool-call');
          expect(leakedCalls.map((event) => [event.origin, event.validity])).toEqual([
            ['recovered', 'valid'],
          ]);

          const down = attempts.get('simulated:server-down')!;
          expect(down.status).toBe('infrastructure-error');
          expect(down.agentStatus).toBe('infrastructure-error');
          const downEvents = store.events(down.id);
          expect(ofType(downEvents, 'infrastructure-error').length).toBeGreaterThan(0);
          expect(ofType(downEvents, 'tool-call')).toEqual([]);
          for (const attempt of [schema, unknown, leak])
            expect(attempt.status).not.toBe('infrastructure-error');
          store.close();
        });
      },
    );
  },
);
