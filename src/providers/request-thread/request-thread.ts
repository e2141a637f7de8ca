import { Worker } from 'node:worker_threads';
import { NULL_BODY_STATUSES } from '../node-http-fetch.ts';
import type {
  FromRequestThread,
  SlotPlace,
  ThreadError,
  ToRequestThread,
} from './request-thread-protocol.ts';

const ENTRY = new URL('./request-thread-entry.mjs', import.meta.url);
const WORKER_MODULE = new URL(
  import.meta.url.endsWith('.ts') ? './request-thread-worker.ts' : './request-thread-worker.js',
  import.meta.url,
);

/** When a request the thread held in its queue went out. */
export interface SentOnThread {
  /** Time it waited for a slot. */
  queuedMs: number;
  /** When it went out, on this thread's `performance.now()` clock. */
  sentAt: number;
}

/** A slot held by the main thread itself (see {@link RequestThread.acquire}). */
export interface HeldSlot {
  queuedMs: number;
  /** Gives the slot back (once; later calls do nothing). */
  release(): void;
}

interface Pending {
  onMessage(message: FromRequestThread): void;
  /** The thread stopped under it. */
  fail(error: Error): void;
}

function errorOf(error: ThreadError): Error {
  const made = new Error(error.message, error.cause ? { cause: errorOf(error.cause) } : undefined);
  made.name = error.name;
  if (error.code !== undefined) (made as NodeJS.ErrnoException).code = error.code;
  return made;
}

/**
 * Model requests sent from a worker thread of their own, with the endpoints' slot queues kept there. A model
 * server is kept busy only if a freed slot's next request goes out at once; on the main thread that waited behind
 * everything else shakedown does (parsing answers, tools, the store, grading: 5-40 ms per freed slot on a 2-core
 * machine, 5-6% of a 4-slot server's time). Here the request thread sees the answer's end and sends the next
 * queued request itself, and the main thread reads the answer when it gets to it.
 *
 * - `fetch` is a `fetch` (node:http for `http:` URLs, the global fetch otherwise, both on the thread) that, given a
 *   slot, first waits for it in its queue; the slot is held until the answer's last byte.
 * - `acquire` holds a slot of the same queues for a request the main thread makes itself (a client whose requests
 *   cannot go through the thread: in-process models, custom transports), so every request to an endpoint shares
 *   one count of its slots.
 *
 * The thread starts with the first request and never keeps shakedown alive while nothing is in flight. If it
 * fails, the requests in flight fail (with the reason) and the next request starts a new one.
 */
export class RequestThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** A fetch on the thread (see the class comment); `onSent` hears when a slotted request left its queue. */
  async fetch(
    url: string,
    init: RequestInit = {},
    slot: SlotPlace | null = null,
    onSent?: (sent: SentOnThread) => void,
  ): Promise<Response> {
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const body = init.body;
    if (body !== undefined && body !== null && typeof body !== 'string') {
      throw new TypeError('requests on the request thread have a string body or none');
    }
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const method = init.method ?? 'GET';
    const id = this.nextId++;
    return new Promise<Response>((resolve, reject) => {
      let stream: ReadableStreamDefaultController<Uint8Array> | null = null;
      let answered = false;
      let finished = false;
      const finish = () => {
        finished = true;
        signal?.removeEventListener('abort', onAbort);
        this.forget(id);
      };
      const failWith = (error: unknown) => {
        if (!answered) reject(error);
        else stream?.error(error);
        finish();
      };
      const onAbort = () => {
        if (finished) return;
        this.post({ type: 'abort', id });
        failWith(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.send(
        { type: 'fetch', id, url, method, headers, body: body ?? null, slot },
        {
          onMessage: (message) => {
            switch (message.type) {
              case 'sent':
                // One monotonic clock for every thread: how long ago it went out, on this thread's clock.
                onSent?.({
                  queuedMs: message.queuedMs,
                  sentAt: performance.now() - Number(process.hrtime.bigint() - message.sentAt) / 1e6,
                });
                break;
              case 'head': {
                answered = true;
                const nullBody = method === 'HEAD' || NULL_BODY_STATUSES.has(message.status);
                const readable = nullBody
                  ? null
                  : new ReadableStream<Uint8Array>({
                      start(controller) {
                        stream = controller;
                      },
                      cancel: () => {
                        if (finished) return;
                        this.post({ type: 'abort', id });
                        finish();
                      },
                    });
                resolve(
                  new Response(readable, {
                    status: message.status,
                    statusText: message.statusText,
                    headers: new Headers(message.headers),
                  }),
                );
                break;
              }
              case 'chunk':
                stream?.enqueue(message.chunk);
                break;
              case 'end':
                stream?.close();
                finish();
                break;
              case 'error':
                failWith(errorOf(message.error));
                break;
            }
          },
          fail: failWith,
        },
      );
    });
  }

  /** Waits for a slot of `slot.queue` and holds it until `release`; a `signal` that aborts while waiting leaves. */
  async acquire(slot: SlotPlace, signal?: AbortSignal): Promise<HeldSlot> {
    signal?.throwIfAborted();
    const id = this.nextId++;
    return new Promise<HeldSlot>((resolve, reject) => {
      let granted = false;
      let finished = false;
      const finish = () => {
        finished = true;
        signal?.removeEventListener('abort', onAbort);
        this.forget(id);
      };
      const onAbort = () => {
        if (granted || finished) return;
        this.post({ type: 'abort', id });
        reject(signal?.reason);
        finish();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.send(
        { type: 'acquire', id, slot },
        {
          onMessage: (message) => {
            if (message.type === 'granted') {
              granted = true;
              signal?.removeEventListener('abort', onAbort);
              resolve({
                queuedMs: message.queuedMs,
                release: () => {
                  if (finished) return;
                  this.post({ type: 'release', id });
                  finish();
                },
              });
            } else if (message.type === 'error' && !granted) {
              reject(errorOf(message.error));
              finish();
            }
          },
          fail: (error) => {
            if (!granted) reject(error);
            finish();
          },
        },
      );
    });
  }

  /**
   * Starts the thread now (it does not keep shakedown alive), so that a run's first model request does not wait for
   * it: loading its modules takes 30-50 ms compiled and a few hundred through tsx.
   */
  warm(): void {
    this.start();
  }

  /** Stops the thread; requests in flight fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker) await worker.terminate();
  }

  private send(message: ToRequestThread, pending: Pending): void {
    const worker = this.start();
    this.pending.set(message.id, pending);
    if (this.pending.size === 1) worker.ref();
    worker.postMessage(message);
  }

  private post(message: ToRequestThread): void {
    this.worker?.postMessage(message);
  }

  private forget(id: number): void {
    if (!this.pending.delete(id)) return;
    if (this.pending.size === 0) this.worker?.unref();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // None of this process's Node options (some are refused in a worker, e.g. --input-type); tsx comes by the entry.
    const worker = new Worker(ENTRY, { workerData: { module: WORKER_MODULE.href }, execArgv: [] });
    worker.unref();
    worker.on('message', (message: FromRequestThread) => this.pending.get(message.id)?.onMessage(message));
    const stopped = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const pending = [...this.pending.values()];
      this.pending.clear();
      for (const entry of pending) entry.fail(error);
    };
    worker.on('error', (error) =>
      stopped(new Error(`shakedown's model request thread failed: ${error.message}`)),
    );
    worker.on('exit', (code) =>
      stopped(new Error(`shakedown's model request thread stopped (exit code ${code})`)),
    );
    this.worker = worker;
    return worker;
  }
}

let shared: RequestThread | undefined;

/** The process's request thread (started at its first request). */
export function requestThread(): RequestThread {
  shared ??= new RequestThread();
  return shared;
}
