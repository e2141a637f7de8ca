import { realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AgentResult } from '../agent/run-agent.ts';
import type { ModelClient, Usage } from '../providers/types.ts';
import { handOverToSandboxUser } from '../sandbox/index.ts';
import type { Sandbox, SandboxExecResult } from '../sandbox/types.ts';
import type { AttemptStatus, AttemptTotals } from '../transcript/events.ts';
import type { TranscriptWriter } from '../transcript/transcript-writer.ts';
import type { AgentBridgeDirectory } from './bridge-directory.ts';
import { renderCommandTemplate, renderEnvironmentTemplate, shellQuote } from './command-template.ts';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.ts';
import { totalsFromEvents } from './transcript-totals.ts';

/** Exit status of the in-sandbox bridge's own failures (see sandbox-bridge/bridge.mjs). */
export const BRIDGE_FAILURE_EXIT_CODE = 86;

/** Environment every external agent gets: the usual OpenAI-client variables pointing at the proxy. */
export const DEFAULT_AGENT_ENV: Readonly<Record<string, string>> = {
  OPENAI_BASE_URL: '{base_url}',
  OPENAI_API_BASE: '{base_url}',
  OPENAI_API_KEY: 'shakedown-proxy-no-key',
};

/** Default cap on the agent's captured stdout+stderr (the agent is killed past it, as any sandboxed command). */
export const DEFAULT_AGENT_OUTPUT_LIMIT_BYTES = 32 * 1024 * 1024;

/** Characters of the agent's output kept in the result. */
const OUTPUT_TAIL_CHARACTERS = 4000;

/** Limits of one external-agent attempt. */
export interface ExternalAgentLimits {
  /** Wall-clock budget of the whole attempt (all turns); the agent's process group is killed when it runs out. */
  maxWallMs: number;
  /** Model calls the proxy answers; the next one is refused with HTTP 403 and the agent is stopped. */
  maxModelCalls: number;
}

/** Options of {@link runExternalAgent}. */
export interface RunExternalAgentOptions {
  /**
   * The agent's command line, run with `bash -c` inside the sandbox in the workspace. Placeholders (see
   * command-template.ts): `{instruction_file}`, `{instruction}`, `{model}`, `{workspace}`, `{base_url}`,
   * `{api_root}`, `{port}`. See agent-presets.ts for known agents.
   */
  command: string;
  /** Environment templates, merged over {@link DEFAULT_AGENT_ENV} (same placeholders, inserted unquoted). */
  env?: Record<string, string>;
  /**
   * Files written into the agent's private HOME before each run (path relative to HOME -> content template, same
   * placeholders as `env`): its configuration. The bridge gives every run a fresh HOME of its own.
   */
  homeFiles?: Record<string, string>;
  /** The task instruction (turn 0). */
  instruction: string;
  /** Further turns: the command runs again in the same workspace with each as its instruction. */
  followUps?: string[];
  /** Working directory of the agent; the sandbox's workspace or a directory inside it (default: the workspace). */
  workspaceDir?: string;
  /** Where the agent runs: `bubblewrap` (exposing `bridge.path` read-only) or `none`. */
  sandbox: Sandbox;
  /** The shared directory for the proxy socket, bridge and instruction files (createAgentBridgeDirectory). */
  bridge: AgentBridgeDirectory;
  client: ModelClient;
  transcript: TranscriptWriter;
  limits: ExternalAgentLimits;
  /** The model name the agent is told to use (`{model}`); the proxy answers every name (default client.model). */
  modelName?: string;
  /** Price of one model call's usage in US dollars (default: free). */
  costOfUsage?: (usage: Usage) => number;
  /** Cap on the agent's captured output (default {@link DEFAULT_AGENT_OUTPUT_LIMIT_BYTES}). */
  outputLimitBytes?: number;
  signal?: AbortSignal;
  attemptId: string;
  taskId: string;
}

/** How an external agent's attempt ended: {@link AgentResult} plus what the agent process did. */
export interface ExternalAgentResult extends AgentResult {
  /** Exit status of the agent command's last run (null when killed by a signal or timeout). */
  exitCode: number | null;
  /** Chat requests the agent sent to the model through the proxy. */
  modelCalls: number;
  /** The last characters of the agent's stdout and stderr (last run). */
  outputTail: string;
}

function outputTail(result: SandboxExecResult): string {
  const text = [result.stdout, result.stderr].filter((part) => part.length > 0).join('\n--- stderr ---\n');
  return text.length > OUTPUT_TAIL_CHARACTERS ? text.slice(-OUTPUT_TAIL_CHARACTERS) : text;
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

/**
 * Runs a black-box coding agent (Aider, Qwen Code, OpenCode, any command) on a task, inside the sandbox, with its
 * model traffic going through a recording proxy so the attempt yields the same transcript events and the same
 * kind of result as {@link runAgent}.
 *
 * The sandbox keeps its network unshared: the proxy listens on a unix socket in the bridge directory (exposed
 * read-only), and a small bridge started inside the sandbox listens on 127.0.0.1:PORT in the sandbox's own
 * network namespace, pipes to that socket, and runs the agent with OPENAI_BASE_URL etc. pointing at it.
 *
 * Status: `submitted` when every turn's command exits 0; `time-limit` when `maxWallMs` runs out; `step-limit` when
 * `maxModelCalls` is exceeded; `infrastructure-error` when the model server failed on the agent's last model call,
 * when the bridge could not start, or when the command failed before ever calling the model (a broken install or
 * configuration, never the model's fault); `context-exceeded` when the last call overflowed the context;
 * `cancelled` on `signal`; otherwise (the agent exited non-zero after using the model) `no-submission`.
 *
 * Sandbox requirements: backend `bubblewrap` with `bridge.path` and the agent's installation in `readOnlyPaths`
 * (or `none`). `limits.memoryBytes` is a real memory limit (a memory cgroup, or only a generous address-space
 * backstop where none is available), so Node-based agents (fetch/WebAssembly) run with the default limits.
 */
export async function runExternalAgent(options: RunExternalAgentOptions): Promise<ExternalAgentResult> {
  const { sandbox, transcript, client, limits, bridge, signal } = options;
  if (sandbox.backend === 'docker' || sandbox.backend === 'podman') {
    throw new Error(
      `external agents run in the bubblewrap or none sandbox backends, not ${sandbox.backend}: the bridge needs the host's node and a shared unix socket`,
    );
  }
  if (!Number.isFinite(limits.maxWallMs) || limits.maxWallMs <= 0) {
    throw new Error(`limits.maxWallMs must be a positive number, got ${limits.maxWallMs}`);
  }
  if (!Number.isInteger(limits.maxModelCalls) || limits.maxModelCalls <= 0) {
    throw new Error(`limits.maxModelCalls must be a positive integer, got ${limits.maxModelCalls}`);
  }
  const workspaceDir = path.resolve(options.workspaceDir ?? sandbox.workspaceDir);
  const cwd = path.relative(sandbox.workspaceDir, workspaceDir);
  if (cwd.startsWith('..') || path.isAbsolute(cwd)) {
    throw new Error(
      `workspaceDir ${workspaceDir} is not inside the sandbox workspace ${sandbox.workspaceDir}`,
    );
  }
  const started = performance.now();
  const firstEvent = transcript.events.length;
  const turns = [options.instruction, ...(options.followUps ?? [])];
  const nodePath = realpathSync(process.execPath);
  const stopAgent = new AbortController();
  const onCallerAbort = (): void => stopAgent.abort();
  if (signal?.aborted) stopAgent.abort();
  else signal?.addEventListener('abort', onCallerAbort, { once: true });

  transcript.write({
    type: 'attempt-started',
    attemptId: options.attemptId,
    taskId: options.taskId,
    modelId: client.id,
    simulated: client.simulated,
    protocol: 'native',
    limits: { maxSteps: limits.maxModelCalls, maxWallMs: limits.maxWallMs },
    // The agent declares its own tools and system prompt in each request; the proxy judges calls against those.
    toolNames: [],
    systemPrompt: '',
  });

  let proxy: RecordingProxy | undefined;
  let status: AttemptStatus = 'submitted';
  let turnsCompleted = 0;
  let exitCode: number | null = null;
  let tail = '';
  try {
    proxy = await startRecordingProxy({
      client,
      transcript,
      socketPath: bridge.socketPath,
      maxModelCalls: limits.maxModelCalls,
      onLimitReached: () => stopAgent.abort(),
    });
    // The sandbox runs as an unprivileged user: it must be able to read the bridge and connect to the socket.
    await handOverToSandboxUser(bridge.path);
    for (const [turnIndex, instruction] of turns.entries()) {
      transcript.write({
        type: 'user-message',
        turnIndex,
        kind: turnIndex === 0 ? 'instruction' : 'follow-up',
        content: instruction,
      });
      const remainingMs = limits.maxWallMs - (performance.now() - started);
      if (stopAgent.signal.aborted) {
        status = 'cancelled';
        break;
      }
      if (remainingMs <= 0) {
        transcript.write({
          type: 'limit-reached',
          which: 'wall-time',
          limit: limits.maxWallMs,
          value: performance.now() - started,
        });
        status = 'time-limit';
        break;
      }
      const instructionFile = path.join(bridge.path, `instruction-${turnIndex}.md`);
      await writeFile(instructionFile, instruction, { mode: 0o644 });
      const values = {
        instructionFile,
        instruction,
        model: options.modelName ?? client.model,
        workspace: workspaceDir,
      };
      const agentCommand = renderCommandTemplate(options.command, values);
      const agentEnv = renderEnvironmentTemplate({ ...DEFAULT_AGENT_ENV, ...options.env }, values);
      const homeFiles = renderEnvironmentTemplate(options.homeFiles ?? {}, values);
      const callsBefore = proxy.stats().modelCalls;
      const result = await sandbox.exec(`exec ${shellQuote(nodePath)} ${shellQuote(bridge.bridgeScript)}`, {
        cwd,
        timeoutMs: Math.ceil(remainingMs),
        outputLimitBytes: options.outputLimitBytes ?? DEFAULT_AGENT_OUTPUT_LIMIT_BYTES,
        signal: stopAgent.signal,
        env: {
          SHAKEDOWN_BRIDGE_SOCKET: bridge.socketPath,
          SHAKEDOWN_AGENT_COMMAND: agentCommand,
          SHAKEDOWN_AGENT_ENV: JSON.stringify(agentEnv),
          SHAKEDOWN_AGENT_HOME_FILES: JSON.stringify(homeFiles),
        },
      });
      proxy.flush();
      exitCode = result.exitCode;
      tail = outputTail(result);
      const stats = proxy.stats();
      const step = stats.modelCalls;
      if (stats.limitReached) {
        status = 'step-limit';
      } else if (signal?.aborted) {
        status = 'cancelled';
      } else if (result.timedOut) {
        transcript.write({
          type: 'limit-reached',
          which: 'wall-time',
          limit: limits.maxWallMs,
          value: performance.now() - started,
        });
        status = 'time-limit';
      } else if (
        result.exitCode === BRIDGE_FAILURE_EXIT_CODE &&
        result.stderr.includes('shakedown-bridge:')
      ) {
        transcript.write({
          type: 'infrastructure-error',
          step,
          kind: 'connection',
          message: `the sandbox bridge failed: ${lastLines(result.stderr, 3)}`,
          retries: 0,
          final: true,
        });
        status = 'infrastructure-error';
      } else if (stats.lastOutcome === 'infrastructure-error') {
        status = 'infrastructure-error';
      } else if (stats.lastOutcome === 'context-exceeded') {
        status = 'context-exceeded';
      } else if (result.outputTruncated) {
        status = 'no-submission';
        tail = `${tail}\n[shakedown: the agent was stopped after printing more than the output limit]`;
      } else if (result.exitCode === 0) {
        turnsCompleted += 1;
        continue;
      } else if (stats.modelCalls === callsBefore) {
        transcript.write({
          type: 'infrastructure-error',
          step,
          kind: 'client-error',
          message: `the agent command exited with status ${result.exitCode ?? result.signal} before calling the model: ${lastLines(`${result.stdout}\n${result.stderr}`, 5)}`,
          retries: 0,
          final: true,
        });
        status = 'infrastructure-error';
      } else {
        status = 'no-submission';
      }
      break;
    }
  } finally {
    signal?.removeEventListener('abort', onCallerAbort);
    await proxy?.close();
  }

  const totals = totalsFromEvents(transcript.events.slice(firstEvent), options.costOfUsage);
  const wallMs = performance.now() - started;
  const attemptTotals: AttemptTotals = {
    steps: totals.steps,
    turnsCompleted,
    usage: totals.usage,
    costUsd: totals.costUsd,
    wallMs,
    modelMs: totals.modelMs,
    toolMs: totals.toolMs,
    toolCalls: totals.toolCalls,
    invalidToolCalls: totals.invalidToolCalls,
    formatErrors: totals.formatErrors,
  };
  transcript.write({ type: 'attempt-finished', status, summary: totals.lastText, totals: attemptTotals });
  return {
    status,
    steps: totals.steps,
    usage: totals.usage,
    costUsd: totals.costUsd,
    wallMs,
    modelMs: totals.modelMs,
    toolMs: totals.toolMs,
    finishedSummary: totals.lastText,
    turnsCompleted,
    exitCode,
    modelCalls: proxy?.stats().modelCalls ?? 0,
    outputTail: tail,
  };
}
