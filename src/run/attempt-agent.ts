import { type AgentResult, runAgent } from '../agent/run-agent.ts';
import { defaultTools } from '../agent/tools/index.ts';
import type { ExternalAgentSpec } from '../external/agent-choice.ts';
import {
  type AgentBridgeDirectory,
  createAgentBridgeDirectory,
  runExternalAgent,
} from '../external/index.ts';
import type { ModelClient, Usage } from '../providers/types.ts';
import type { Sandbox, SandboxOptions } from '../sandbox/types.ts';
import type { Task } from '../task/task.ts';
import type { AgentLimits, ToolProtocolName } from '../transcript/events.ts';
import type { TranscriptWriter } from '../transcript/transcript-writer.ts';

/**
 * Memory limit of an external agent's sandbox (a memory cgroup where available, else only a generous
 * address-space backstop, see src/sandbox/limits.ts): room for a Node or Python agent with its language servers
 * and sub-processes, plus the task's own commands.
 */
export const EXTERNAL_AGENT_MEMORY_BYTES = 16 * 1024 ** 3;

/** Wall-clock budget of an external agent without a `maxWallMs` limit (the config's default, 900 s). */
const DEFAULT_EXTERNAL_WALL_MS = 900_000;

/** Most characters of tool output the built-in agent returns to the model. */
const MAX_OUTPUT_CHARS = 16_000;

/** What an attempt's agent needs from the host before the workspace is built; disposed after the attempt. */
export interface AgentHostResources {
  /** Options added to the sandbox of the attempt (the bridge and the agent's installation, read-only). */
  sandbox: Partial<SandboxOptions>;
  bridge: AgentBridgeDirectory | null;
  dispose(): Promise<void>;
}

/** Creates the bridge directory of an external agent (nothing for the built-in one). */
export async function prepareAgentHost(
  agent: ExternalAgentSpec | null | undefined,
): Promise<AgentHostResources> {
  if (!agent) return { sandbox: {}, bridge: null, dispose: async () => undefined };
  const bridge = await createAgentBridgeDirectory();
  return {
    sandbox: {
      readOnlyPaths: [bridge.path, ...agent.readOnlyPaths],
      limits: { memoryBytes: EXTERNAL_AGENT_MEMORY_BYTES },
    },
    bridge,
    dispose: () => bridge.dispose().catch(() => undefined),
  };
}

/** One try's agent run: the same inputs whichever agent runs. */
export interface AttemptAgentInput {
  agent: ExternalAgentSpec | null | undefined;
  host: AgentHostResources;
  client: ModelClient;
  task: Task;
  workspaceDir: string;
  sandbox: Sandbox;
  protocol: ToolProtocolName;
  temperature?: number;
  limits: AgentLimits;
  commandTimeoutMs: number;
  costOfUsage?: (usage: Usage) => number;
  transcript: TranscriptWriter;
  signal?: AbortSignal;
  attemptId: string;
}

/**
 * Runs the attempt's agent: the built-in agent ({@link runAgent}) or an external one ({@link runExternalAgent},
 * through the recording proxy), with the same instruction, follow-ups, limits, transcript and pricing. Both write
 * `attempt-started` … `attempt-finished` to the transcript, so the rest of the attempt (grading, recording) is
 * the same. External agents have no token or cost budget: `maxSteps` caps their model calls.
 */
export function runAttemptAgent(input: AttemptAgentInput): Promise<AgentResult> {
  const { agent, task } = input;
  if (agent) {
    if (!input.host.bridge) throw new Error('the external agent has no bridge directory');
    return runExternalAgent({
      command: agent.command,
      env: agent.env,
      homeFiles: agent.homeFiles,
      instruction: task.instruction,
      followUps: task.turns,
      workspaceDir: input.workspaceDir,
      sandbox: input.sandbox,
      bridge: input.host.bridge,
      client: input.client,
      transcript: input.transcript,
      limits: {
        maxWallMs: input.limits.maxWallMs ?? DEFAULT_EXTERNAL_WALL_MS,
        maxModelCalls: input.limits.maxSteps,
      },
      costOfUsage: input.costOfUsage,
      signal: input.signal,
      attemptId: input.attemptId,
      taskId: task.id,
    });
  }
  return runAgent({
    client: input.client,
    instruction: task.instruction,
    followUps: task.turns,
    tools: defaultTools(),
    toolContext: {
      workspaceDir: input.workspaceDir,
      sandbox: input.sandbox,
      maxOutputChars: MAX_OUTPUT_CHARS,
      commandTimeoutMs: input.commandTimeoutMs,
    },
    protocol: input.protocol,
    temperature: input.temperature,
    limits: input.limits,
    costOfUsage: input.costOfUsage,
    transcript: input.transcript,
    signal: input.signal,
    attemptId: input.attemptId,
    taskId: task.id,
  });
}
