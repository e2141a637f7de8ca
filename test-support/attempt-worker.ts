/**
 * Child process of the distributed-run test: a worker serving scripted models (each step takes
 * SHAKEDOWN_TEST_LATENCY_MS), with short locks so that a killed worker's job is retried within seconds. Writes each
 * worker event to stdout as one JSON line; exits cleanly on SIGTERM.
 * Environment: SHAKEDOWN_TEST_REDIS_URL, SHAKEDOWN_TEST_SERVES (comma-separated model ids),
 * SHAKEDOWN_TEST_WORKER_NAME, SHAKEDOWN_TEST_DATA_DIR, SHAKEDOWN_TEST_LATENCY_MS.
 */

import { redisConnectionOf } from '../src/run/distributed/redis-connection.ts';
import { startAttemptWorker } from '../src/run/distributed/start-attempt-worker.ts';
import { createCalcAgent } from './synthetic-suite.ts';

const latencyMs = Number(process.env.SHAKEDOWN_TEST_LATENCY_MS ?? '0');
const worker = await startAttemptWorker({
  connection: redisConnectionOf(process.env.SHAKEDOWN_TEST_REDIS_URL!),
  serves: process.env.SHAKEDOWN_TEST_SERVES!.split(','),
  name: process.env.SHAKEDOWN_TEST_WORKER_NAME!,
  dataDir: process.env.SHAKEDOWN_TEST_DATA_DIR!,
  // The alpha models fix the bug; every other model leaves it.
  clientFactory: (model) => createCalcAgent(model.id.includes('alpha'), { latencyMs }),
  lockDurationMs: 1_000,
  stalledIntervalMs: 500,
  onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
});
process.stdout.write(`${JSON.stringify({ type: 'ready' })}\n`);
process.once('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});
