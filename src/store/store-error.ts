/** A store operation that cannot proceed (unknown run or attempt, wrong state, changed config, bad database). */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}
