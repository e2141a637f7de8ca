import { createServer, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../../test-support/listen-on-loopback.ts';
import { errorCode, openTimedRequest } from '../provider-http.ts';
import { RequestThread, requestThread } from './request-thread.ts';

/**
 * A server whose `/held/NAME` requests wait until the test answers them (`answer(NAME)`), so that what the request
 * thread does while they wait is seen in order, without timing; `/stream` sends three chunks; `/empty` a 204.
 */
function heldServer() {
  const waiting = new Map<string, ServerResponse>();
  const arrived: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const listeners: Array<() => void> = [];
  const server = createServer((request, response) => {
    const url = request.url ?? '';
    if (url === '/stream') {
      response.writeHead(200, { 'content-type': 'text/plain', 'x-answer': 'yes' });
      response.write('one ');
      response.write('two ');
      response.end('three');
      return;
    }
    if (url === '/empty') {
      response.writeHead(204);
      response.end();
      return;
    }
    const name = url.replace('/held/', '');
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    arrived.push(name);
    response.on('close', () => {
      inFlight -= 1;
    });
    waiting.set(name, response);
    for (const listener of listeners.splice(0)) listener();
  });
  return {
    server,
    arrived,
    get maxInFlight() {
      return maxInFlight;
    },
    /** Resolves once `count` held requests have arrived in all. */
    async arrivals(count: number): Promise<void> {
      while (arrived.length < count) await new Promise<void>((resolve) => listeners.push(resolve));
    },
    answer(name: string, body = name): void {
      const response = waiting.get(name);
      if (!response) throw new Error(`no held request ${name}`);
      waiting.delete(name);
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(body);
    },
    /** Sends the head and a first chunk of a held request, and keeps the body open. */
    startAnswer(name: string): void {
      const response = waiting.get(name)!;
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('partial');
    },
  };
}

let held: ReturnType<typeof heldServer>;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  held = heldServer();
  ({ url, close } = await listenOnLoopback(held.server));
});
afterAll(async () => {
  await close();
});

let queues = 0;
const place = (slots: number, priority = 0) => ({ queue: `test-${queues}`, slots, priority });

describe('request thread', () => {
  it('streams an answer with its status and headers, and gives a 204 no body', async () => {
    const response = await requestThread().fetch(`${url}/stream`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-answer')).toBe('yes');
    expect(await response.text()).toBe('one two three');
    const empty = await requestThread().fetch(`${url}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('lets a queue hold at most its slots at the server, and sends the queued ones by priority as slots free', async () => {
    queues += 1;
    const thread = requestThread();
    const text = (name: string, priority = 0) =>
      thread.fetch(`${url}/held/${name}`, {}, place(2, priority)).then((response) => response.text());
    const first = [text('a'), text('b')];
    await held.arrivals(2);
    // Queued while both slots are held: they go out greatest priority first, ties in order of arrival.
    const low = text('low', 0);
    const high = text('high', 5);
    const tie = text('tie', 5);
    held.answer('a');
    expect(await first[0]).toBe('a');
    await held.arrivals(3);
    expect(held.arrived.slice(-1)).toEqual(['high']);
    held.answer('b');
    await held.arrivals(4);
    expect(held.arrived.at(-1)).toBe('tie');
    held.answer('high');
    await held.arrivals(5);
    expect(held.arrived.at(-1)).toBe('low');
    held.answer('tie');
    held.answer('low');
    expect(await Promise.all([first[1], high, tie, low])).toEqual(['b', 'high', 'tie', 'low']);
    expect(held.maxInFlight).toBe(2);
  });

  it('shares a queue between its own requests and slots held by the main thread', async () => {
    queues += 1;
    const thread = requestThread();
    const slot = await thread.acquire(place(1));
    expect(Number.isFinite(slot.queuedMs)).toBe(true);
    const arrivedBefore = held.arrived.length;
    const waiting = thread.fetch(`${url}/held/after-acquire`, {}, place(1));
    // Held by the main thread: the request waits (a second acquire, queued behind it, proves the order).
    const next = thread.acquire(place(1));
    slot.release();
    await held.arrivals(arrivedBefore + 1);
    held.answer('after-acquire');
    expect(await (await waiting).text()).toBe('after-acquire');
    (await next).release();
  });

  it('takes a request whose signal aborts out of the queue without sending it, and ends one mid-answer', async () => {
    queues += 1;
    const thread = requestThread();
    const slot = await thread.acquire(place(1));
    const controller = new AbortController();
    const queued = thread.fetch(`${url}/held/never`, { signal: controller.signal }, place(1));
    controller.abort(new Error('given up'));
    await expect(queued).rejects.toThrow('given up');
    slot.release();

    const arrivedBefore = held.arrived.length;
    const streaming = new AbortController();
    const response = await (async () => {
      const pending = thread.fetch(`${url}/held/cut`, { signal: streaming.signal }, place(1));
      await held.arrivals(arrivedBefore + 1);
      held.startAnswer('cut');
      return pending;
    })();
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('partial');
    streaming.abort(new Error('stopped reading'));
    await expect(reader.read()).rejects.toThrow('stopped reading');
    // The aborted requests gave their slot back: the next one goes through.
    const after = thread.fetch(`${url}/held/after-abort`, {}, place(1));
    await held.arrivals(arrivedBefore + 2);
    expect(held.arrived.at(-1)).toBe('after-abort');
    held.answer('after-abort');
    expect(await (await after).text()).toBe('after-abort');
    expect(held.arrived).not.toContain('never');
  });

  it('fails a request the server refuses with the error code, as fetch would', async () => {
    const refused = await listenOnLoopback(createServer());
    await refused.close();
    const error = await requestThread()
      .fetch(`${refused.url}/`)
      .catch((caught: unknown) => caught);
    expect(errorCode(error)).toBe('ECONNREFUSED');
  });

  it('fails the requests in flight when the thread stops, and starts a new one for the next', async () => {
    const thread = new RequestThread();
    const arrivedBefore = held.arrived.length;
    const pending = thread.fetch(`${url}/held/orphan`);
    await held.arrivals(arrivedBefore + 1);
    await thread.close();
    await expect(pending).rejects.toThrow(/request thread stopped/);
    expect(await (await thread.fetch(`${url}/stream`)).text()).toBe('one two three');
    await thread.close();
    held.answer('orphan');
  });

  it("starts a slotted request's time limits and sentAt when it leaves the queue, not before", async () => {
    queues += 1;
    const slot = await requestThread().acquire(place(1));
    const ticket = { ...place(1), sent: (queuedMs: number) => waits.push(queuedMs) };
    const waits: number[] = [];
    const opened = openTimedRequest({
      url: `${url}/stream`,
      method: 'GET',
      fetch: () => Promise.reject(new Error('a slotted request never goes through fetch')),
      // Far shorter than the wait below: the request would time out while queued if its limits ran then.
      idleTimeoutMs: 20,
      headersTimeoutMs: 20,
      target: 'the held server',
      slot: ticket,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const releasedAt = performance.now();
    slot.release();
    const response = await opened;
    expect(await response.text()).toBe('one two three');
    expect(response.sentAt).toBeGreaterThanOrEqual(releasedAt - 1);
    expect(waits).toHaveLength(1);
  });
});
