/**
 * Harness overhead per step: the built-in agent (runAgent, default tools, native protocol, JSONL transcript on disk)
 * against a simulated llama.cpp server with no delays, scripted for ~50 steps of cheap tool calls (read_file,
 * list_files, search, and a trivial run_command every 10th step, then finish). With a zero-latency server every
 * millisecond of a step is harness: the model client's HTTP round trip and SSE parsing (plus the in-process simulated
 * server's own work, which shares the event loop), the tools, and the rest (transcript writes, validation,
 * message bookkeeping). Measured per sandbox backend ('none' and 'bubblewrap' when it works here).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runAgent } from '../src/agent/run-agent.ts';
import type { AgentTool } from '../src/agent/tool.ts';
import { defaultTools } from '../src/agent/tools/index.ts';
import { createTranscriptWriter } from '../src/agent/transcript-writer.ts';
import { createModelClient } from '../src/model/create-model-client.ts';
import type { SimulatedTurn } from '../src/model/simulated/script.ts';
import { startSimulatedServer } from '../src/model/simulated/simulated-server.ts';
import { createSandbox, detectSandboxSupport, type SandboxBackend } from '../src/sandbox/index.ts';
import { type BenchResult, summarize } from './bench-result.ts';
import { type Span, timedClient } from './bench-timing.ts';

/** Options of the harness overhead benchmark. */
export interface HarnessOverheadBenchOptions {
  /** Model steps per attempt, the final finish included. */
  steps?: number;
  /** Measured attempts per backend (after one warm-up attempt). */
  runs?: number;
  backends?: SandboxBackend[];
}

interface StepSample {
  total: number;
  model: number;
  tools: number;
  rest: number;
}

/** The scripted answer of step `index`: cheap tool calls, run_command every 10th step, finish at the end. */
function turnOf(index: number, steps: number): SimulatedTurn {
  if (index >= steps - 1)
    return { content: 'Done.', toolCalls: [{ name: 'finish', arguments: { summary: 'done' } }] };
  const directory = `src/dir${index % 10}`;
  if ((index + 1) % 10 === 0) {
    return { content: 'Checking.', toolCalls: [{ name: 'run_command', arguments: { command: 'echo ok' } }] };
  }
  const calls = [
    { name: 'read_file', arguments: { path: `${directory}/module${index % 20}.ts` } },
    { name: 'list_files', arguments: { path: directory } },
    { name: 'search', arguments: { pattern: 'value1', path: directory } },
  ];
  return { content: 'Let me look at the code.', toolCalls: [calls[index % calls.length]!] };
}

/** 10 folders × 20 small files. */
async function writeWorkspace(directory: string): Promise<void> {
  for (let folder = 0; folder < 10; folder++) {
    const dir = path.join(directory, 'src', `dir${folder}`);
    await mkdir(dir, { recursive: true });
    for (let file = 0; file < 20; file++) {
      await writeFile(
        path.join(dir, `module${file}.ts`),
        `export const value${file} = ${folder * file};\nexport function get${file}() {\n  return value${file};\n}\n`,
      );
    }
  }
}

/** Runs one attempt; returns per-step samples and the attempt wall time. */
async function runOnce(
  root: string,
  workspaceDir: string,
  backend: SandboxBackend,
  steps: number,
  label: string,
): Promise<{ samples: StepSample[]; wallMs: number; toolMs: Map<string, number[]> }> {
  const server = await startSimulatedServer({
    flavour: 'llamacpp',
    script: (_request, index) => turnOf(index, steps),
  });
  const sandbox = await createSandbox(workspaceDir, { backend, onWarning: () => {} });
  const modelSpans: Span[] = [];
  const toolSpans: Array<Span & { name: string }> = [];
  const tools: AgentTool[] = defaultTools().map((tool) => ({
    ...tool,
    async execute(args, context) {
      const start = performance.now();
      try {
        return await tool.execute(args, context);
      } finally {
        toolSpans.push({ start, end: performance.now(), name: tool.name });
      }
    },
  }));
  const client = timedClient(createModelClient(`simulated:simulated-model@${server.url}`), modelSpans);
  const transcript = createTranscriptWriter({ path: path.join(root, 'transcripts', `${label}.jsonl`) });
  try {
    const started = performance.now();
    const result = await runAgent({
      client,
      instruction: 'Look around the code base, then finish.',
      tools,
      toolContext: { workspaceDir, sandbox, maxOutputChars: 16_000, commandTimeoutMs: 30_000 },
      protocol: 'native',
      limits: { maxSteps: steps + 5 },
      transcript,
      attemptId: label,
      taskId: 'harness-overhead',
    });
    const ended = performance.now();
    if (result.status !== 'submitted' || result.steps !== steps) {
      throw new Error(
        `${label}: agent ended ${result.status} after ${result.steps} steps, expected ${steps}`,
      );
    }
    const samples: StepSample[] = modelSpans.map((span, index) => {
      const stepEnd = modelSpans[index + 1]?.start ?? ended;
      const total = stepEnd - span.start;
      const model = span.end - span.start;
      const tools = toolSpans
        .filter((tool) => tool.start >= span.end && tool.end <= stepEnd)
        .reduce((sum, tool) => sum + (tool.end - tool.start), 0);
      return { total, model, tools, rest: total - model - tools };
    });
    const toolMs = new Map<string, number[]>();
    for (const tool of toolSpans) {
      if (!toolMs.has(tool.name)) toolMs.set(tool.name, []);
      toolMs.get(tool.name)!.push(tool.end - tool.start);
    }
    return { samples, wallMs: ended - started, toolMs };
  } finally {
    transcript.close();
    await client.close?.().catch(() => undefined);
    await sandbox.dispose();
    await server.close();
  }
}

/** Measures the per-step harness overhead for each sandbox backend that works on this host. */
export async function runHarnessOverheadBench(
  options: HarnessOverheadBenchOptions = {},
): Promise<BenchResult[]> {
  const { steps = 50, runs = 5, backends = ['none', 'bubblewrap'] } = options;
  const root = await mkdtemp(path.join(tmpdir(), 'bench-harness-'));
  const results: BenchResult[] = [];
  try {
    const workspaceDir = path.join(root, 'workspace');
    await writeWorkspace(workspaceDir);
    for (const backend of backends) {
      if (backend !== 'none') {
        const support = await detectSandboxSupport(backend);
        if (!support.available) {
          console.warn(
            `harness-overhead: sandbox '${backend}' unavailable here (${support.reason}); skipped`,
          );
          continue;
        }
      }
      await runOnce(root, workspaceDir, backend, steps, `${backend}-warmup`);
      const samples: StepSample[] = [];
      const walls: number[] = [];
      const toolMs = new Map<string, number[]>();
      for (let run = 0; run < runs; run++) {
        const once = await runOnce(root, workspaceDir, backend, steps, `${backend}-${run}`);
        samples.push(...once.samples);
        walls.push(once.wallMs);
        for (const [name, durations] of once.toolMs)
          toolMs.set(name, [...(toolMs.get(name) ?? []), ...durations]);
      }
      const sum = (key: keyof StepSample) => samples.reduce((total, sample) => total + sample[key], 0);
      const share = (key: keyof StepSample) => `${Math.round((100 * sum(key)) / sum('total'))}%`;
      const tag = `[${backend}]`;
      results.push(
        summarize(`${tag} attempt wall (${steps} steps, ${runs} runs)`, walls),
        summarize(
          `${tag} per step: total`,
          samples.map((sample) => sample.total),
        ),
        summarize(
          `${tag} per step: model client, HTTP+SSE (${share('model')})`,
          samples.map((sample) => sample.model),
        ),
        summarize(
          `${tag} per step: tools (${share('tools')})`,
          samples.map((sample) => sample.tools),
        ),
        summarize(
          `${tag} per step: transcript+bookkeeping (${share('rest')})`,
          samples.map((sample) => sample.rest),
        ),
        ...['read_file', 'list_files', 'search', 'run_command'].map((name) =>
          summarize(
            `${tag} one ${name} call${name === 'run_command' ? " ('echo ok')" : ''}`,
            toolMs.get(name) ?? [0],
          ),
        ),
      );
    }
    return results;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Entry point used by bench/index.ts. */
export default runHarnessOverheadBench;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(await runHarnessOverheadBench());
}
