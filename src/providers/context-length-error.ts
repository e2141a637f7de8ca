/**
 * The request did not fit the model's context window. Not an infrastructure fault and not retried: the agent
 * ends the attempt with the `context-exceeded` status.
 */
export class ContextLengthExceededError extends Error {
  readonly contextLength: number | null;
  constructor(message: string, contextLength: number | null = null) {
    super(message);
    this.name = 'ContextLengthExceededError';
    this.contextLength = contextLength;
  }
}
