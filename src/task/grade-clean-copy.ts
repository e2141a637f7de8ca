import { type CopiedAgentChanges, copyAgentChanges, type DroppedChange } from './copy-agent-changes.ts';
import { type GradeResult, gradeAttempt } from './grade.ts';
import type { PreparedTaskWorkspace } from './prepare-task-workspace.ts';
import type { Task } from './task.ts';

/** Input of {@link gradeOnCleanCopy}. */
export interface GradeOnCleanCopyInput {
  task: Task;
  /** Host path of the agent's workspace; every process of the agent has stopped. Only read. */
  agentWorkspaceDir: string;
  /**
   * Builds a fresh workspace of the task's base (setup commands run) with a sandbox of its own, in which no
   * process of the agent runs; disposed after grading.
   */
  prepareCleanWorkspace: () => Promise<PreparedTaskWorkspace>;
  testTimeoutMs: number;
}

/** A grade on a clean copy, with what was dropped from the agent's change. */
export interface CleanCopyGradeResult extends GradeResult {
  /** Agent changes grading did not take (tests, test infrastructure, caches, special files). */
  droppedChanges: DroppedChange[];
  /** Paths of the agent's changes that were graded. */
  gradedChanges: string[];
}

/**
 * Grades an attempt on a clean copy: a fresh workspace of the base, then the agent's change to non-test files only
 * (copy-agent-changes.ts), then tests.patch and the sentinels ({@link gradeAttempt}). Every dropped change is
 * recorded; a dropped change to test infrastructure or to a graded test file is reported as tampering (the grade
 * itself is the clean copy's: such a change cannot help or hurt). The clean copy is removed afterwards.
 * Throws when the clean copy cannot be built (an infrastructure failure, never the model's).
 */
export async function gradeOnCleanCopy(input: GradeOnCleanCopyInput): Promise<CleanCopyGradeResult> {
  const started = performance.now();
  const clean = await input.prepareCleanWorkspace();
  try {
    const changes: CopiedAgentChanges = await copyAgentChanges(
      input.task,
      input.agentWorkspaceDir,
      clean.workspace.dir,
    );
    const graded = await gradeAttempt({
      task: input.task,
      workspaceDir: clean.workspace.dir,
      sandbox: clean.sandbox,
      testTimeoutMs: input.testTimeoutMs,
    });
    const tamperedChanges = changes.dropped.filter((change) => change.tampering);
    const reasons = [
      ...graded.tampering.reasons,
      ...tamperedChanges.map((change) => `${change.change} ${change.path}: ${change.reason} (dropped)`),
    ];
    return {
      ...graded,
      tampering: { detected: reasons.length > 0, reasons },
      droppedChanges: changes.dropped,
      gradedChanges: changes.copied,
      durationMs: performance.now() - started,
    };
  } finally {
    await clean.dispose();
  }
}
