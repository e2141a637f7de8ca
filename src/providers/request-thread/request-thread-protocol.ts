/** The messages between shakedown's main thread and its request thread (see request-thread.ts). */

/** A place in an endpoint's slots: requests of one `queue` hold at most `slots` at once, greater priority first. */
export interface SlotPlace {
  queue: string;
  slots: number;
  priority: number;
}

/** Main thread to request thread. */
export type ToRequestThread =
  | {
      type: 'fetch';
      id: number;
      url: string;
      method: string;
      headers: Record<string, string>;
      body: string | null;
      /** Wait for a slot of this queue first, and hold it until the answer has been read to its end. */
      slot: SlotPlace | null;
    }
  /** Wait for a slot and hold it until `release` (a request the main thread makes itself). */
  | { type: 'acquire'; id: number; slot: SlotPlace }
  | { type: 'release'; id: number }
  /** Stop a fetch (queued, waiting for its answer or streaming it) or an acquire still waiting. */
  | { type: 'abort'; id: number };

/** A failure, as much of it as crosses threads: errorCode() reads `code` along the cause chain. */
export interface ThreadError {
  name: string;
  message: string;
  code?: string;
  cause?: ThreadError;
}

/** Request thread to main thread. */
export type FromRequestThread =
  /** The fetch took its slot (after `queuedMs` in the queue) and went out at `sentAt` (`process.hrtime.bigint()`). */
  | { type: 'sent'; id: number; queuedMs: number; sentAt: bigint }
  | { type: 'granted'; id: number; queuedMs: number }
  | { type: 'head'; id: number; status: number; statusText: string; headers: Array<[string, string]> }
  | { type: 'chunk'; id: number; chunk: Uint8Array }
  | { type: 'end'; id: number }
  | { type: 'error'; id: number; error: ThreadError };
