import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createScriptedClient } from '../../test-support/scripted-client.ts';
import { createCalcAgent, writeSyntheticSuite } from '../../test-support/synthetic-suite.ts';
import { until } from '../../test-support/until.ts';
import type { ModelClient, StepRequest } from '../providers/types.ts';
import { openStore } from '../store/index.ts';
import { INITIAL_ATTEMPTS_PER_SLOT, MAX_ATTEMPTS_PER_SLOT } from './attempts-in-flight.ts';
import { shakedownConfigSchema } from './config.ts';
import { executeRun } from './execute-run.ts';

/**
 * Solving calc agents whose model requests all wait until `release()`; counts attempts and requests in flight (at
 * the model, after the endpoint's gate) and the most of each at once.
 */
function heldModel() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const seen = { attempts: 0, maxAttempts: 0, requests: 0, maxRequests: 0, started: 0 };
  const client = (): ModelClient => {
    const inner = createCalcAgent(true);
    return new Proxy(inner, {
      get(target, property) {
        if (property === 'step') {
          return async (request: StepRequest) => {
            seen.requests += 1;
            seen.maxRequests = Math.max(seen.maxRequests, seen.requests);
            try {
              await released;
              return await target.step(request);
            } finally {
              seen.requests -= 1;
            }
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return { seen, release, client };
}

/** Runs `taskCount` calc tasks against a 1-slot endpoint held by {@link heldModel}; see the tests. */
async function runHeld(
  taskCount: number,
  concurrency: number | undefined,
  whileHeld: (seen: ReturnType<typeof heldModel>['seen']) => Promise<void>,
) {
  const directory = await mkdtemp(path.join(tmpdir(), 'shakedown-in-flight-'));
  const store = openStore(path.join(directory, 'data'));
  try {
    const tasks = await writeSyntheticSuite(path.join(directory, 'suite'), taskCount);
    const model = heldModel();
    const running = executeRun({
      config: shakedownConfigSchema.parse({
        attempts: 1,
        sandbox: 'none',
        ...(concurrency ? { concurrency } : {}),
      }),
      models: [{ id: 'simulated:held', protocol: 'native', concurrency: 1 }],
      tasks,
      store,
      dataDir: path.join(directory, 'data'),
      clientFactory: (_model, request) =>
        request.purpose === 'describe' ? createScriptedClient([]) : model.client(),
      onProgress: (event) => {
        if (event.type === 'attempt-started' && event.tryIndex === 0) {
          model.seen.started += 1;
          model.seen.attempts += 1;
          model.seen.maxAttempts = Math.max(model.seen.maxAttempts, model.seen.attempts);
        }
        if (event.type === 'attempt-finished') model.seen.attempts -= 1;
      },
    });
    await whileHeld(model.seen);
    model.release();
    const result = await running;
    expect(result.status).toBe('completed');
    expect(result.outcomes.resolved).toBe(taskCount);
    expect(model.seen.maxRequests).toBe(1);
    return model.seen;
  } finally {
    store.close();
    await rm(directory, { recursive: true, force: true });
  }
}

describe('executeRun: attempts in flight', () => {
  it('starts 4 attempts per slot at once by default, then adapts, never past 8 per slot', async () => {
    const seen = await runHeld(MAX_ATTEMPTS_PER_SLOT + 2, undefined, async (held) => {
      // Before any model request ends, the initial attempts are all set up and waiting for the one slot.
      await until(() => held.started >= INITIAL_ATTEMPTS_PER_SLOT && held.requests === 1);
      expect(held.started).toBe(INITIAL_ATTEMPTS_PER_SLOT);
      expect(held.attempts).toBe(INITIAL_ATTEMPTS_PER_SLOT);
    });
    expect(seen.started).toBe(MAX_ATTEMPTS_PER_SLOT + 2);
    expect(seen.maxAttempts).toBeGreaterThanOrEqual(INITIAL_ATTEMPTS_PER_SLOT);
    expect(seen.maxAttempts).toBeLessThanOrEqual(MAX_ATTEMPTS_PER_SLOT);
  }, 180_000);

  it('obeys an explicit concurrency exactly', async () => {
    const seen = await runHeld(5, 3, async (held) => {
      await until(() => held.started >= 3 && held.requests === 1);
      expect(held.started).toBe(3);
    });
    expect(seen.maxAttempts).toBe(3);
  }, 180_000);
});
