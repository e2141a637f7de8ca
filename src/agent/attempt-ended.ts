import type { AttemptStatus } from '../transcript/events.ts';

/**
 * Thrown inside the agent loop to end the attempt with a status (submitted, a limit, an infrastructure failure,
 * cancellation). Like mini-swe-agent's terminating exceptions, it steers the loop instead of flags threaded
 * through its body; the loop turns it into the `attempt-finished` event.
 */
export class AttemptEnded extends Error {
  constructor(readonly status: AttemptStatus) {
    super(`attempt ended: ${status}`);
    this.name = 'AttemptEnded';
  }
}
