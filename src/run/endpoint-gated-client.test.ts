import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createScriptedClient } from '../../test-support/scripted-client.ts';
import { createCalcAgent, writeSyntheticSuite } from '../../test-support/synthetic-suite.ts';
import { requestThread } from '../providers/index.ts';
import type { ModelClient, StepRequest } from '../providers/types.ts';
import { openStore } from '../store/index.ts';
import { shakedownConfigSchema } from './config.ts';
import { type EndpointSlots, endpointSlots, gateClient } from './endpoint-gated-client.ts';
import { executeRun } from './execute-run.ts';
import { requestPriority } from './request-priority.ts';
import { attemptConcurrencyOf } from './run-matrix.ts';

/** Counts model calls in flight (across every client it wraps) and the most ever at once. */
function callCounter() {
  const counter = {
    now: 0,
    max: 0,
    calls: 0,
    wrap(client: ModelClient): ModelClient {
      return new Proxy(client, {
        get(target, property) {
          if (property === 'step') {
            return async (request: StepRequest) => {
              counter.now += 1;
              counter.calls += 1;
              counter.max = Math.max(counter.max, counter.now);
              try {
                return await target.step(request);
              } finally {
                counter.now -= 1;
              }
            };
          }
          const value = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
  return counter;
}

const ask: StepRequest = { messages: [{ role: 'user', content: 'hi' }] };

/**
 * Holds one of the endpoint's slots (on the request thread) until the returned release is called; by default ahead
 * of every request already waiting.
 */
async function holdSlot(endpoint: EndpointSlots, priority = 1000): Promise<() => void> {
  const held = await requestThread().acquire({ queue: endpoint.queue, slots: endpoint.slots, priority });
  return held.release;
}

describe('gateClient', () => {
  it('lets at most `slots` model calls run at once while the other attempts set up and grade', async () => {
    const queue = endpointSlots(2);
    const calls = callCounter();
    let attemptsInFlight = 0;
    let maxAttemptsInFlight = 0;
    /** Attempts outside a model call (set-up, tools, grading) seen while both slots were busy. */
    let maxOverlap = 0;
    const attempt = async () => {
      attemptsInFlight += 1;
      maxAttemptsInFlight = Math.max(maxAttemptsInFlight, attemptsInFlight);
      const client = gateClient(
        calls.wrap(createScriptedClient([{ text: 'a' }, { text: 'b' }], { latencyMs: 40 })),
        queue,
      );
      await sleep(30); // workspace set-up
      for (let step = 0; step < 2; step++) {
        await client.step(ask);
        if (calls.now === 2) maxOverlap = Math.max(maxOverlap, attemptsInFlight - calls.now);
        await sleep(10); // a tool
      }
      await sleep(30); // grading
      attemptsInFlight -= 1;
    };
    const probe = setInterval(() => {
      if (calls.now === 2) maxOverlap = Math.max(maxOverlap, attemptsInFlight - calls.now);
    }, 2);
    try {
      await Promise.all(Array.from({ length: 6 }, attempt));
    } finally {
      clearInterval(probe);
    }
    expect(calls.calls).toBe(12);
    expect(calls.max).toBe(2);
    expect(maxAttemptsInFlight).toBe(6);
    expect(maxOverlap).toBeGreaterThan(0);
  });

  it('takes a queued call whose signal aborts out of the queue without sending it', async () => {
    const queue = endpointSlots(1);
    const inner = createScriptedClient([{ text: 'first' }, { text: 'second' }]);
    const client = gateClient(inner, queue);
    const release = await holdSlot(queue);
    const first = client.step(ask);
    const controller = new AbortController();
    const second = client.step({ ...ask, signal: controller.signal });
    controller.abort();
    await expect(second).rejects.toThrow();
    release();
    expect((await first).text).toBe('first');
    expect(inner.requests).toHaveLength(1);
    // The aborted call left the queue: the slot it would have taken is free for the next one.
    expect((await client.step(ask)).text).toBe('second');
  });

  it('reports the wait for a slot as queuedMs and passes everything else through', async () => {
    const queue = endpointSlots(1);
    const inner = createScriptedClient([{ text: 'one' }, { text: 'two' }], { id: 'gated' });
    const client = gateClient(inner, queue);
    expect(client.id).toBe(inner.id);
    expect(client.simulated).toBe(true);
    const release = await holdSlot(queue);
    let answered = false;
    const waiting = client.step(ask).then((result) => {
      answered = true;
      return result;
    });
    // Held elsewhere: the step cannot run until the slot is given back (a second holder queued behind it proves
    // the step has had its turn in the queue by the time that holder gets the slot).
    const behind = holdSlot(queue, -1000);
    release();
    (await behind)();
    expect(answered).toBe(true);
    const result = await waiting;
    expect(result.text).toBe('one');
    expect(result.queuedMs).toBeDefined();
  });

  it('adds the waits a ticket-taking client reports to queuedMs, and hears of the slot once', async () => {
    const inner = createScriptedClient([{ text: 'one' }]);
    const heard: string[] = [];
    const ticketTaking: ModelClient = {
      ...inner,
      takesSlotTickets: true,
      async step(request) {
        // As a request sent again on the thread would: two slots taken, after 40 and 2 ms in the queue.
        request.slot?.sent?.(40);
        request.slot?.sent?.(2);
        heard.push(`slot ${request.slot?.queue} of ${request.slot?.slots}`);
        return inner.step(request);
      },
    };
    const queue = endpointSlots(3);
    const client = gateClient(ticketTaking, queue, {
      timing: {
        queued: () => heard.push('queued'),
        sent: () => heard.push('sent'),
        ended: (sent) => heard.push(`ended ${sent}`),
      },
    });
    const result = await client.step(ask);
    expect(result.queuedMs).toBe(42);
    expect(heard).toEqual(['queued', 'sent', `slot ${queue.queue} of 3`, 'ended true']);
  });
});

describe('gateClient request order', () => {
  /**
   * One slot held by a blocker; attempt `ahead` has made one request, attempt `fresh` none; both then ask while the
   * slot is held, in the order `asking` (so that first come, first served would give that order). Returns the
   * order they are sent in once the slot frees.
   */
  async function orderWhen(attemptsWaitingToStart: boolean, asking: string[]): Promise<string[]> {
    const queue = endpointSlots(1);
    const priorityOf = (done: number) => requestPriority(done, attemptsWaitingToStart);
    const sent: string[] = [];
    const named = (name: string) => {
      const inner = createScriptedClient(() => {
        sent.push(name);
        return { text: name };
      });
      return gateClient(inner, queue, { priorityOf });
    };
    const ahead = named('ahead');
    const fresh = named('fresh');
    await ahead.step(ask);
    sent.length = 0;
    const release = await holdSlot(queue);
    const clients: Record<string, ModelClient> = { ahead, fresh };
    // Both wait in the queue (the request thread reads its messages in order: both asks before the release).
    const both = Promise.all(asking.map((name) => clients[name]!.step(ask)));
    release();
    await both;
    return sent;
  }

  it('sends the request of the attempt further along first while attempts wait to start', async () => {
    expect(await orderWhen(true, ['fresh', 'ahead'])).toEqual(['ahead', 'fresh']);
  });

  it('sends the request of the attempt with most work left first once every attempt has started', async () => {
    expect(await orderWhen(false, ['ahead', 'fresh'])).toEqual(['fresh', 'ahead']);
  });

  it('tells its timing listener when a request queues, takes a slot and ends, sent or not', async () => {
    const queue = endpointSlots(1);
    const heard: string[] = [];
    const timing = {
      queued: () => heard.push('queued'),
      sent: () => heard.push('sent'),
      ended: (sent: boolean) => heard.push(sent ? 'ended sent' : 'ended unsent'),
    };
    const client = gateClient(createScriptedClient([{ text: 'one' }]), queue, { timing });
    await client.step(ask);
    expect(heard).toEqual(['queued', 'sent', 'ended sent']);
    heard.length = 0;
    const controller = new AbortController();
    const release = await holdSlot(queue);
    const aborted = client.step({ ...ask, signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toThrow();
    release();
    expect(heard).toEqual(['queued', 'ended unsent']);
  });
});

describe('attemptConcurrencyOf', () => {
  it('starts at 4 attempts per endpoint slot, at least 2, and keeps an explicit value', () => {
    const group = (concurrency: number) => ({ key: `k${concurrency}`, concurrency, modelIds: [] });
    expect(attemptConcurrencyOf(undefined, [group(1)])).toBe(4);
    expect(attemptConcurrencyOf(undefined, [group(4)])).toBe(16);
    expect(attemptConcurrencyOf(undefined, [group(4), group(1)])).toBe(20);
    expect(attemptConcurrencyOf(3, [group(4)])).toBe(3);
  });
});

describe('executeRun with gated model calls', () => {
  it('runs 6 attempts at once against a 2-slot endpoint with at most 2 model calls in flight', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'shakedown-gated-'));
    const store = openStore(path.join(directory, 'data'));
    try {
      const tasks = await writeSyntheticSuite(path.join(directory, 'suite'), 3);
      const calls = callCounter();
      let inFlight = 0;
      let maxInFlight = 0;
      const result = await executeRun({
        config: shakedownConfigSchema.parse({ attempts: 2, concurrency: 6, sandbox: 'none' }),
        models: [{ id: 'simulated:gated', protocol: 'native', concurrency: 2 }],
        tasks,
        store,
        dataDir: path.join(directory, 'data'),
        clientFactory: (_model, request) =>
          request.purpose === 'describe'
            ? createScriptedClient([])
            : calls.wrap(createCalcAgent(true, { latencyMs: 150 })),
        onProgress: (event) => {
          if (event.type === 'attempt-started' && event.tryIndex === 0) {
            inFlight += 1;
            maxInFlight = Math.max(maxInFlight, inFlight);
          }
          if (event.type === 'attempt-finished') inFlight -= 1;
        },
      });
      expect(result.status).toBe('completed');
      expect(result.outcomes.resolved).toBe(6);
      expect(calls.calls).toBe(12);
      expect(calls.max).toBe(2);
      expect(maxInFlight).toBeGreaterThan(2);
      // That the wait for a slot is not model time is pinned exactly, on fake clocks, in run-agent.test.ts.
    } finally {
      store.close();
      await rm(directory, { recursive: true, force: true });
    }
  }, 120_000);
});
