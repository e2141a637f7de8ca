/**
 * A failure of the sandbox itself, not of the command run in it: its exec server did not start, died or answered
 * garbage (see sandbox-session.ts). `message` is one line saying why. Never counted against the model: the agent
 * ends the attempt as an infrastructure error (retried, reported apart), and the sandbox's next exec starts a
 * fresh server.
 */
export class SandboxInfrastructureError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SandboxInfrastructureError';
  }
}

export function isSandboxInfrastructureError(error: unknown): error is SandboxInfrastructureError {
  return error instanceof SandboxInfrastructureError;
}
