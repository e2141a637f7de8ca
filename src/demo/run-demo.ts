/**
 * `shakedown demo` without the command line: starts a simulated model server in-process, runs the scripted demo
 * agents (known skills) on a few tasks of the built-in suite through the real agent, sandbox, grading and store,
 * and writes the HTML report. Everything it produces is labelled SIMULATED.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadRunMetrics } from '../metrics/load-run-metrics.ts';
import type { RunMetrics } from '../metrics/run-metrics.ts';
import { createModelClient } from '../providers/create-model-client.ts';
import { startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import { renderHtmlReport } from '../report/render-html-report.ts';
import {
  type ModelConfig,
  modelConfigSchema,
  type ShakedownConfig,
  shakedownConfigSchema,
} from '../run/config.ts';
import { type ClientFactory, executeRun, type RunProgressEvent } from '../run/execute-run.ts';
import { detectSandboxSupport } from '../sandbox/index.ts';
import { openStore } from '../store/index.ts';
import { builtInSuitePath } from '../task/built-in-suites.ts';
import { computeGoldSolutions } from '../task/gold-solution.ts';
import { loadSuite } from '../task/load-suite.ts';
import type { Task } from '../task/task.ts';
import { DEMO_AGENTS, type DemoAgent, expectedPassRate } from './demo-agents.ts';
import { createDemoScript, type DemoTask } from './demo-script.ts';

/** Tasks of the built-in suite the demo runs first: JavaScript (Node only, no Python needed), quick ones first. */
export const DEMO_TASK_ORDER: readonly string[] = [
  'cli-args-equals-value-bug',
  'lru-cache-recency-bug',
  'semver-caret-zero-major-bug',
  'date-range-month-end-bug',
  'rate-limiter-refill-bug',
  'markdown-table-rename-api',
  'event-emitter-wildcard-topics',
  'template-engine-filters',
];

/** Default number of tasks of a demo. */
export const DEFAULT_DEMO_TASKS = 4;

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where the demo's store, transcripts and report go. */
  dataDir: string;
  /** How many tasks of the built-in suite to run (default {@link DEFAULT_DEMO_TASKS}). */
  taskCount?: number;
  /** Attempts per task and agent (default 1). */
  attempts?: number;
  /** Attempts running at once (default: shakedown's default for the endpoints). */
  concurrency?: number;
  /** Sandbox backend; `auto` (default) falls back to `none` when no sandbox works here (see {@link DemoResult}). */
  sandbox?: ShakedownConfig['sandbox'];
  onProgress?: (event: RunProgressEvent) => void;
  /** Says what the demo does before it starts (agents, sandbox). */
  onNotice?: (line: string) => void;
  signal?: AbortSignal;
}

/** One agent's known skill next to what the run measured. */
export interface DemoAgentResult {
  agent: DemoAgent;
  modelId: string;
  expectedRate: number;
  measuredRate: number | null;
}

/** What a demo produced. */
export interface DemoResult {
  runId: string;
  status: 'completed' | 'interrupted';
  reportPath: string;
  dataDir: string;
  metrics: RunMetrics;
  agents: DemoAgentResult[];
  sandbox: ShakedownConfig['sandbox'];
}

/** The demo's tasks: {@link DEMO_TASK_ORDER} first, then the rest of the built-in core suite by id. */
export async function loadDemoTasks(taskCount: number): Promise<Task[]> {
  const directory = builtInSuitePath('core');
  if (!directory) throw new Error('the built-in core suite is missing from this installation of shakedown');
  const suite = await loadSuite(directory);
  const rank = (task: Task) => {
    const index = DEMO_TASK_ORDER.indexOf(task.id);
    return index === -1 ? DEMO_TASK_ORDER.length : index;
  };
  const ordered = [...suite.tasks].sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
  if (taskCount > ordered.length) {
    throw new Error(`the demo has ${ordered.length} tasks; --tasks ${taskCount} asks for more`);
  }
  return ordered.slice(0, taskCount);
}

/** `auto` when some sandbox works here, else `none` (the demo's scripted agents run only the suite's own code). */
async function demoSandbox(requested: ShakedownConfig['sandbox']): Promise<ShakedownConfig['sandbox']> {
  if (requested !== 'auto') return requested;
  const candidates =
    process.platform === 'linux'
      ? (['bubblewrap', 'docker', 'podman'] as const)
      : (['docker', 'podman'] as const);
  for (const backend of candidates) {
    if ((await detectSandboxSupport(backend)).available) return 'auto';
  }
  return 'none';
}

/** The model id of a demo agent. */
export function demoModelId(agent: DemoAgent): string {
  return `simulated:${agent.name}`;
}

/** Runs the demo; see the module comment. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const notice = options.onNotice ?? (() => {});
  const taskCount = options.taskCount ?? DEFAULT_DEMO_TASKS;
  const tasks = await loadDemoTasks(taskCount);
  const solutions = await computeGoldSolutions(tasks);
  const demoTasks = new Map<string, DemoTask>();
  for (const [index, task] of tasks.entries()) {
    demoTasks.set(task.instruction, { index, solution: solutions.get(task.instruction)! });
  }
  const sandbox = await demoSandbox(options.sandbox ?? 'auto');
  if (sandbox === 'none' && options.sandbox !== 'none') {
    notice(
      'no sandbox works on this host (install bubblewrap: apt-get install bubblewrap); the demo runs unsandboxed, ' +
        'which is safe only because its scripted agents write the suite’s own files',
    );
  }
  const server = await startSimulatedServer({
    script: createDemoScript(DEMO_AGENTS, demoTasks),
    flavour: 'llamacpp',
    endpoint: { model: 'shakedown-demo', totalSlots: DEMO_AGENTS.length },
  });
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const store = openStore(dataDir);
  try {
    const models: ModelConfig[] = DEMO_AGENTS.map((agent) =>
      modelConfigSchema.parse({ id: demoModelId(agent), protocol: 'native' }),
    );
    const clientFactory: ClientFactory = (model) =>
      createModelClient(`${model.id}@${server.url}`, { retry: { maxRetries: 1 } });
    const config = shakedownConfigSchema.parse({
      attempts: options.attempts ?? 1,
      sandbox,
      dataDir,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    });
    const result = await executeRun({
      config,
      models,
      tasks,
      store,
      dataDir,
      clientFactory,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const metrics = loadRunMetrics(store, result.runId);
    const reportPath = path.join(dataDir, 'demo-report.html');
    await writeFile(reportPath, renderHtmlReport(metrics), 'utf8');
    const agents = DEMO_AGENTS.map((agent) => {
      const modelId = demoModelId(agent);
      const measured = metrics.models.find((model) => model.modelId === modelId);
      return {
        agent,
        modelId,
        expectedRate: expectedPassRate(agent, tasks.length),
        measuredRate: measured?.resolved.rate ?? null,
      };
    });
    return { runId: result.runId, status: result.status, reportPath, dataDir, metrics, agents, sandbox };
  } finally {
    store.close();
    await server.close();
  }
}
