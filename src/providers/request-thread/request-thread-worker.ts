import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import PQueue from 'p-queue';
import { nodeHttpFetch } from '../node-http-fetch.ts';
import type {
  FromRequestThread,
  SlotPlace,
  ThreadError,
  ToRequestThread,
} from './request-thread-protocol.ts';

/**
 * The request thread (see request-thread.ts): it sends model requests, holds endpoints' slots and streams answers
 * back. Nothing else runs here, so a slot freed by an answer's end goes to the next queued request at once, however
 * busy the main thread is.
 */
const port = parentPort;
if (!port) throw new Error('request-thread-worker runs as a worker thread');

/**
 * This thread's niceness where the process may raise priorities (CAP_SYS_NICE: root, as a run with overlay
 * workspaces is). It does next to no CPU work, so running first costs others nothing, and it keeps a freed slot's
 * next request from waiting for a core held by shakedown's own work or the attempts' tools (on the bench's 2 cores:
 * 96.0% slot utilization without it, 97.1% with it, in 8 runs each). Linux only: there a thread has its own
 * niceness (elsewhere `setPriority(0)` would change the whole process). Threads are created by the main thread
 * before this one runs (libuv's pool: shakedown reads files at start), so none inherits it.
 */
const REQUEST_THREAD_NICENESS = -10;
if (process.platform === 'linux') {
  try {
    setPriority(0, REQUEST_THREAD_NICENESS);
  } catch {
    // Not allowed: the thread keeps the process's niceness.
  }
}
const queues = new Map<string, PQueue>();
/** Fetches and acquires in progress or waiting: their abort, and for an acquire, its release. */
const live = new Map<number, { controller: AbortController; release?: () => void }>();

function post(message: FromRequestThread): void {
  port!.postMessage(message);
}

function queueOf(slot: SlotPlace): PQueue {
  let queue = queues.get(slot.queue);
  if (!queue) {
    const created = new PQueue({ concurrency: slot.slots });
    // An idle queue holds nothing: dropped, so that a long-lived process does not keep one per run it made.
    created.on('idle', () => {
      if (queues.get(slot.queue) === created) queues.delete(slot.queue);
    });
    queues.set(slot.queue, created);
    queue = created;
  } else if (queue.concurrency !== slot.slots) queue.concurrency = slot.slots;
  return queue;
}

function threadError(error: unknown, depth = 0): ThreadError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(error.cause !== undefined && depth < 4 ? { cause: threadError(error.cause, depth + 1) } : {}),
  };
}

/** Runs `work` in the slot's queue, or at once without one; rejects with the abort reason if aborted while queued. */
function inSlot<T>(
  slot: SlotPlace | null,
  signal: AbortSignal,
  work: (queuedMs: number) => Promise<T>,
): Promise<T> {
  if (!slot) return work(0);
  const queuedAt = performance.now();
  return queueOf(slot).add(() => work(performance.now() - queuedAt), {
    priority: slot.priority,
    signal,
  }) as Promise<T>;
}

async function fetchInThread(message: Extract<ToRequestThread, { type: 'fetch' }>): Promise<void> {
  const controller = new AbortController();
  live.set(message.id, { controller });
  try {
    await inSlot(message.slot, controller.signal, async (queuedMs) => {
      post({ type: 'sent', id: message.id, queuedMs, sentAt: process.hrtime.bigint() });
      const response = await nodeHttpFetch(message.url, {
        method: message.method,
        headers: message.headers,
        ...(message.body !== null ? { body: message.body } : {}),
        signal: controller.signal,
      });
      const headers: Array<[string, string]> = [];
      response.headers.forEach((value, name) => {
        headers.push([name, value]);
      });
      post({
        type: 'head',
        id: message.id,
        status: response.status,
        statusText: response.statusText,
        headers,
      });
      // The slot is held until the answer's last byte: the server is working for it until then.
      const reader = response.body?.getReader();
      for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) {
        post({ type: 'chunk', id: message.id, chunk: read.value });
      }
      post({ type: 'end', id: message.id });
    });
  } catch (error) {
    post({ type: 'error', id: message.id, error: threadError(error) });
  } finally {
    live.delete(message.id);
  }
}

async function acquireInThread(message: Extract<ToRequestThread, { type: 'acquire' }>): Promise<void> {
  const controller = new AbortController();
  const entry: { controller: AbortController; release?: () => void } = { controller };
  live.set(message.id, entry);
  try {
    await inSlot(
      message.slot,
      controller.signal,
      (queuedMs) =>
        new Promise<void>((resolve) => {
          entry.release = resolve;
          // Aborted while holding it: the main thread has given up on it, the slot is free again.
          controller.signal.addEventListener('abort', () => resolve(), { once: true });
          post({ type: 'granted', id: message.id, queuedMs });
        }),
    );
  } catch (error) {
    post({ type: 'error', id: message.id, error: threadError(error) });
  } finally {
    live.delete(message.id);
  }
}

port.on('message', (message: ToRequestThread) => {
  switch (message.type) {
    case 'fetch':
      void fetchInThread(message);
      break;
    case 'acquire':
      void acquireInThread(message);
      break;
    case 'release':
      live.get(message.id)?.release?.();
      break;
    case 'abort':
      live.get(message.id)?.controller.abort(new Error('aborted by the main thread'));
      break;
  }
});
