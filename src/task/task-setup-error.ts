/**
 * A task's `setup` command failed, or its workspace could not be built. This is an infrastructure-like outcome
 * (`setup-failed`): the attempt never reached the model, so it must never count as a model failure.
 */
export class TaskSetupError extends Error {
  /** The attempt outcome to record. */
  readonly outcome = 'setup-failed' as const;
  readonly taskId: string;
  /** The setup command that failed; absent when the workspace itself could not be built. */
  readonly command?: string;
  readonly exitCode: number | null;
  /** The last part of the command's output. */
  readonly outputTail: string;
  constructor(
    taskId: string,
    message: string,
    details: { command?: string; exitCode?: number | null; outputTail?: string; cause?: unknown } = {},
  ) {
    super(
      `task ${taskId}: setup failed: ${message}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.name = 'TaskSetupError';
    this.taskId = taskId;
    if (details.command !== undefined) this.command = details.command;
    this.exitCode = details.exitCode ?? null;
    this.outputTail = details.outputTail ?? '';
  }
}
