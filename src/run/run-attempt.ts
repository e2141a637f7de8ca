import path from 'node:path';
import type { ExternalAgentSpec } from '../external/agent-choice.ts';
import type { ModelClient, Usage } from '../providers/types.ts';
import type { SandboxBackend } from '../sandbox/types.ts';
import type { Store } from '../store/store.ts';
import type { AttemptGrade, AttemptRecord } from '../store/store-types.ts';
import { checkConstraints } from '../task/check-constraints.ts';
import { gradeOnCleanCopy } from '../task/grade-clean-copy.ts';
import { type PreparedTaskWorkspace, prepareTaskWorkspace } from '../task/prepare-task-workspace.ts';
import type { Task } from '../task/task.ts';
import type { AgentLimits, AttemptStatus, AttemptTotals, ToolProtocolName } from '../transcript/events.ts';
import { createTranscriptWriter } from '../transcript/transcript-writer.ts';
import { removeWorkspaceDirectory } from '../workspace/workspace-overlay.ts';
import type { WorkspacePools } from '../workspace/workspace-pool.ts';
import { type AgentHostResources, prepareAgentHost, runAttemptAgent } from './attempt-agent.ts';
import { createAttemptEventSink } from './attempt-event-sink.ts';
import { archiveTranscript, fileSafeName, transcriptPathOf } from './transcript-files.ts';

/** How an attempt ended, as the run counts it. `cancelled` attempts stay unfinished and run again on resume. */
export type AttemptOutcome = 'resolved' | 'unresolved' | 'invalid' | 'infrastructure-error' | 'cancelled';

/** Everything one attempt needs. */
export interface RunAttemptInput {
  store: Store;
  runId: string;
  /** The claimed (running) attempt. */
  attempt: AttemptRecord;
  task: Task;
  dataDir: string;
  /** A fresh client for each try (scripted clients keep per-attempt state). */
  createClient: (tryIndex: number) => ModelClient;
  protocol: ToolProtocolName;
  /** Sampling temperature of every model request (the model config's `temperature`; default: the server's). */
  temperature?: number;
  limits: AgentLimits;
  commandTimeoutMs: number;
  /** Wall-clock limit of the hidden tests. */
  testTimeoutMs: number;
  /** Price of one step's usage (API models with a price). */
  costOfUsage?: (usage: Usage) => number;
  /** Cost of the attempt from its totals: API price, else local cost of model time, else null. */
  costOfAttempt: (totals: AttemptTotals | null) => number | null;
  redact: (text: string) => string;
  sandboxBackend: SandboxBackend | 'auto';
  /** Fresh tries after an infrastructure error before it is recorded as one. */
  infrastructureRetries: number;
  keepWorkspaces: boolean;
  /** Ready copies of the workspace templates, shared by the attempts of a run (see workspace-pool.ts). */
  workspacePools?: WorkspacePools;
  /** The external agent under test (see agent-choice.ts); absent: the built-in agent. */
  agent?: ExternalAgentSpec | null;
  signal?: AbortSignal;
  onTry?: (tryIndex: number, reason: string | null) => void;
  onWarning?: (message: string) => void;
}

/**
 * Runs one claimed attempt to its end: builds the workspace and sandbox, runs the agent with the task's
 * instruction and follow-ups (transcript to `transcripts/<attempt>.jsonl` and streamed into the store), grades it
 * and checks its constraints, and records the outcome with `finishAttempt`. An agent run that ends in an
 * infrastructure error is tried again from scratch (its transcript archived, its stored events discarded) up to
 * `infrastructureRetries` times, then recorded as an infrastructure error, as are setup and grading failures:
 * never as a model failure. A cancelled attempt is left running (not finished) so that a resume runs it again.
 */
export async function runAttempt(input: RunAttemptInput): Promise<AttemptOutcome> {
  const { store, attempt, task } = input;
  const transcriptPath = transcriptPathOf(input.dataDir, input.runId, attempt);
  const finishInfrastructure = (message: string, extra: Parameters<Store['finishAttempt']>[1] = {}) => {
    store.finishAttempt(attempt.id, {
      status: 'infrastructure-error',
      error: input.redact(message),
      transcriptPath,
      ...extra,
    });
    return 'infrastructure-error' as const;
  };

  for (let tryIndex = 0; ; tryIndex++) {
    if (input.signal?.aborted) return 'cancelled';
    const archived = await archiveTranscript(
      transcriptPath,
      tryIndex === 0 ? 'interrupted' : 'infrastructure-try',
    );
    if (tryIndex > 0 || archived !== null) {
      // Start the try's transcript empty: reset the attempt and claim it again in one transaction.
      store.transaction(() => {
        store.resetAttempt(attempt.id);
        store.claimAttempt(attempt.id, attempt.worker ?? undefined);
      });
    }
    input.onTry?.(tryIndex, tryIndex === 0 ? null : 'infrastructure error');

    const destination = path.join(
      input.dataDir,
      'workspaces',
      input.runId,
      `${fileSafeName(attempt.modelId)}--${fileSafeName(attempt.taskId)}--${attempt.attemptIndex}-try${tryIndex}`,
    );
    let prepared: PreparedTaskWorkspace;
    let host: AgentHostResources | undefined;
    try {
      // A workspace left by a crashed process for this same try is stale: start clean.
      await removeWorkspaceDirectory(destination);
      await removeWorkspaceDirectory(`${destination}-grading`);
      host = await prepareAgentHost(input.agent);
      prepared = await prepareTaskWorkspace(task, {
        destination,
        cacheDir: path.join(input.dataDir, 'cache'),
        workspacePool: input.workspacePools,
        sandbox: { backend: input.sandboxBackend, onWarning: input.onWarning, ...host.sandbox },
        signal: input.signal,
      });
    } catch (error) {
      await host?.dispose();
      if (input.signal?.aborted) return 'cancelled';
      return finishInfrastructure(errorMessage(error));
    }

    let keep = false;
    try {
      const sink = createAttemptEventSink(store, attempt.id);
      const transcript = createTranscriptWriter({
        path: transcriptPath,
        redact: input.redact,
        onEvent: (event) => sink.push(event),
      });
      const client = input.createClient(tryIndex);
      let agentStatus: AttemptStatus;
      let totals: AttemptTotals | null = null;
      try {
        const result = await runAttemptAgent({
          agent: input.agent,
          host,
          client,
          task,
          workspaceDir: prepared.workspace.dir,
          sandbox: prepared.sandbox,
          protocol: input.protocol,
          temperature: input.temperature,
          limits: input.limits,
          commandTimeoutMs: input.commandTimeoutMs,
          costOfUsage: input.costOfUsage,
          transcript,
          signal: input.signal,
          attemptId: attempt.id,
        });
        agentStatus = result.status;
        const finished = transcript.events.findLast((event) => event.type === 'attempt-finished');
        totals = finished?.type === 'attempt-finished' ? finished.totals : null;
      } catch (error) {
        // A broken client or script: the harness failed, not the model.
        sink.stop();
        transcript.close();
        keep = true;
        if (input.signal?.aborted) return 'cancelled';
        sink.flush();
        return finishInfrastructure(`agent crashed: ${errorMessage(error)}`, { events: sink.takePending() });
      } finally {
        transcript.close();
        await client.close?.().catch(() => undefined);
      }

      if (agentStatus === 'cancelled' || input.signal?.aborted) {
        sink.flush();
        return 'cancelled';
      }
      sink.flush();
      const pending = sink.takePending();

      if (agentStatus === 'infrastructure-error') {
        if (tryIndex < input.infrastructureRetries) {
          // The pending attempt-finished event is dropped with the try's transcript.
          continue;
        }
        keep = true;
        return finishInfrastructure(
          `infrastructure error in ${tryIndex + 1} ${tryIndex === 0 ? 'try' : 'tries'}`,
          { agentStatus, totals, events: pending, costUsd: input.costOfAttempt(totals) },
        );
      }

      let grade: AttemptGrade;
      let testMs: number;
      // The agent's final change, read before grading restores test files: the viewer shows it for every attempt.
      const workspaceDiff = await finalWorkspaceDiff(prepared.workspace, input.redact);
      try {
        const constraints = await checkConstraints(task, prepared.workspace.dir, prepared.sandbox, {
          commandTimeoutMs: input.commandTimeoutMs,
        });
        // No process of the agent survives into grading: its sandbox goes first (bubblewrap: its PID namespace and
        // cgroup, with every background process), then the grading runs on a clean copy with a sandbox of its own.
        await prepared.sandbox.dispose();
        const graded = await gradeOnCleanCopy({
          task,
          agentWorkspaceDir: prepared.workspace.dir,
          testTimeoutMs: input.testTimeoutMs,
          prepareCleanWorkspace: () =>
            prepareTaskWorkspace(task, {
              destination: `${destination}-grading`,
              cacheDir: path.join(input.dataDir, 'cache'),
              // A snapshot task's grading copy comes from the commit the agent's workspace was made from.
              snapshotCommit: prepared.workspace.baseCommit,
              workspacePool: input.workspacePools,
              sandbox: { backend: input.sandboxBackend, onWarning: input.onWarning },
              signal: input.signal,
            }),
        });
        testMs = graded.durationMs;
        grade = {
          status: graded.status,
          partialScore: graded.partialScore,
          constraintsKept: constraints.filter((constraint) => constraint.status === 'kept').length,
          constraintsTotal: constraints.length,
          reason: graded.reason ?? null,
          exitCode: graded.exitCode,
          failToPass: graded.failToPass,
          passToPass: graded.passToPass,
          constraints,
          testOutputTail: input.redact(graded.testOutputTail),
          tampering: graded.tampering,
          sentinel: graded.sentinel ?? null,
          droppedChanges: graded.droppedChanges,
          ...(workspaceDiff === null ? {} : { workspaceDiff }),
        };
      } catch (error) {
        keep = true;
        if (input.signal?.aborted) return 'cancelled';
        return finishInfrastructure(`grading failed: ${errorMessage(error)}`, {
          agentStatus,
          totals,
          events: pending,
        });
      }
      // The transcript went to disk while grading ran; the store names it only once it is there.
      const unsaved = await transcript.synced().then(
        () => null,
        (error: unknown) => error,
      );
      if (unsaved !== null) {
        keep = true;
        return finishInfrastructure(`the transcript could not be saved: ${errorMessage(unsaved)}`, {
          agentStatus,
          totals,
          events: pending,
        });
      }
      keep = grade.status !== 'resolved';
      store.finishAttempt(attempt.id, {
        agentStatus,
        grade,
        totals,
        testMs,
        costUsd: input.costOfAttempt(totals),
        transcriptPath,
        events: pending,
      });
      return grade.status;
    } finally {
      if (!(keep && input.keepWorkspaces)) await prepared.dispose().catch(() => undefined);
      else {
        await prepared.sandbox.dispose().catch(() => undefined);
        await prepared.workspace.keep().catch(() => undefined);
      }
      await host.dispose();
    }
  }
}

/** Largest final diff kept in a grade record; a longer one is cut with a note. */
const WORKSPACE_DIFF_LIMIT = 256 * 1024;

/** The workspace's diff against the task base, redacted and capped; null when git cannot produce one. */
async function finalWorkspaceDiff(
  workspace: { diff(): Promise<string> },
  redact: (text: string) => string,
): Promise<string | null> {
  const diff = await workspace.diff().catch(() => null);
  if (diff === null) return null;
  const kept =
    diff.length > WORKSPACE_DIFF_LIMIT
      ? `${diff.slice(0, WORKSPACE_DIFF_LIMIT)}\n… diff cut at ${WORKSPACE_DIFF_LIMIT} characters (${diff.length} in all)\n`
      : diff;
  return redact(kept);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
