/**
 * Runs attacks through the real run path: `executeRun` with real bubblewrap, the SQLite store, grading on a clean
 * copy and the Markdown report. Each attack is a scripted model (`simulated:attack-<id>`) with one attempt at one
 * built-in task; the attacks of a task share one run.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadRunMetrics } from '../src/metrics/load-run-metrics.ts';
import { renderMarkdownReport } from '../src/report/render-markdown-report.ts';
import { type ModelConfig, shakedownConfigSchema } from '../src/run/config.ts';
import { type ClientFactory, executeRun } from '../src/run/execute-run.ts';
import type { Store } from '../src/store/index.ts';
import type { AttemptRecord } from '../src/store/store-types.ts';
import { loadTask } from '../src/task/load-task.ts';
import { createScriptedClient, type ScriptedClient } from '../test-support/scripted-client.ts';
import type { Attack, AttackTask, HostFixture } from './attack.ts';

const SUITE_DIRECTORY = path.resolve(import.meta.dirname, '../suites/core');
/** The built-in task each kind of attack runs on. */
export const ATTACK_TASKS: Record<AttackTask, string> = {
  python: 'py-invoice-rounding',
  javascript: 'lru-cache-recency-bug',
};

/** The outcome of one attack as stored and reported. */
export interface AttackOutcome {
  attack: Attack;
  attempt: AttemptRecord;
  /** The model's line of the report's failure classes. */
  reportLine: string;
  /** Every tool result the agent saw, in order. */
  toolResults: string[];
}

/** Creates the host files the attacks aim at, under `directory` (outside every workspace). */
export async function createHostFixture(directory: string, task: AttackTask): Promise<HostFixture> {
  const secret = `host-secret-${randomBytes(8).toString('hex')}`;
  const secretFile = path.join(directory, 'host', 'secret.txt');
  await mkdir(path.dirname(secretFile), { recursive: true });
  await writeFile(secretFile, `${secret}\n`);
  const taskDirectory = path.join(SUITE_DIRECTORY, ATTACK_TASKS[task]);
  const gold = await readFile(path.join(taskDirectory, 'gold.patch'), 'utf8');
  const goldLine = gold
    .split('\n')
    .find((line) => line.startsWith('+') && !line.startsWith('+++') && line.trim().length > 20);
  if (!goldLine) throw new Error(`${ATTACK_TASKS[task]}: gold.patch has no long added line`);
  return {
    secretFile,
    secret,
    forbiddenWritePath: path.join(directory, 'host', 'written-by-agent.txt'),
    taskDirectory,
    goldLine: goldLine.slice(1).trim(),
  };
}

/** The host fixture one attack sees: its own forbidden write path, so that one attack's write fails only it. */
export function hostForAttack(host: HostFixture, attack: Attack): HostFixture {
  return {
    ...host,
    forbiddenWritePath: path.join(path.dirname(host.forbiddenWritePath), `written-by-${attack.id}.txt`),
  };
}

/** Runs `attacks` (all on the same task) in one run; returns each one's stored attempt and report line. */
export async function runAttacks(
  attacks: readonly Attack[],
  task: AttackTask,
  options: { store: Store; dataDir: string; host: HostFixture },
): Promise<AttackOutcome[]> {
  const loaded = await loadTask(path.join(SUITE_DIRECTORY, ATTACK_TASKS[task]));
  const byModel = new Map(attacks.map((attack) => [`simulated:attack-${attack.id}`, attack]));
  const clients = new Map<string, ScriptedClient[]>();
  const factory: ClientFactory = (model, request) => {
    if (request.purpose === 'describe') return createScriptedClient([], { id: model.id });
    const attack = byModel.get(model.id);
    if (!attack) throw new Error(`no attack for ${model.id}`);
    const calls = attack.calls(hostForAttack(options.host, attack));
    const client = createScriptedClient(
      [
        ...calls.map((call) => ({ toolCalls: [call] })),
        { toolCalls: [{ name: 'finish', arguments: { summary: 'Done.' } }] },
      ],
      { id: model.id },
    );
    clients.set(model.id, [...(clients.get(model.id) ?? []), client]);
    return client;
  };
  const models: ModelConfig[] = [...byModel.keys()].map((id) => ({ id, protocol: 'native' }));
  const result = await executeRun({
    config: shakedownConfigSchema.parse({
      attempts: 1,
      concurrency: 2,
      sandbox: 'bubblewrap',
      attemptRetries: 0,
      limits: { maxSteps: 20, commandTimeoutSeconds: 30, maxWallSeconds: 300 },
    }),
    models,
    tasks: [loaded],
    store: options.store,
    dataDir: options.dataDir,
    clientFactory: factory,
  });
  const markdown = renderMarkdownReport(loadRunMetrics(options.store, result.runId));
  const attempts = options.store.attempts(result.runId);
  return attacks.map((attack) => {
    const modelId = `simulated:attack-${attack.id}`;
    const attempt = attempts.find((each) => each.modelId === modelId);
    if (!attempt) throw new Error(`${attack.id}: no attempt stored`);
    const reportLine =
      markdown
        .split('\n')
        .find((line) => new RegExp(`^- \\*\\*(simulated:)?attack-${attack.id}\\*\\*:`).test(line)) ?? '';
    const toolResults = (clients.get(modelId) ?? []).flatMap((client) =>
      (client.requests.at(-1)?.messages ?? [])
        .filter((message) => message.role === 'tool')
        .map((message) => String(message.content)),
    );
    return { attack, attempt, reportLine, toolResults };
  });
}
