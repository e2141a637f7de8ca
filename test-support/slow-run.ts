/**
 * Child process of the crash-and-resume test: runs a suite with a slow scripted model and logs each attempt it
 * starts to `SHAKEDOWN_TEST_CALL_LOG`, until the parent kills it with SIGKILL.
 * Environment: SHAKEDOWN_TEST_DATA_DIR, SHAKEDOWN_TEST_SUITE_DIR, SHAKEDOWN_TEST_RUN_ID, SHAKEDOWN_TEST_CALL_LOG.
 */
import { appendFileSync } from 'node:fs';
import { shakedownConfigSchema } from '../src/run/config.ts';
import { executeRun } from '../src/run/execute-run.ts';
import { openStore } from '../src/store/index.ts';
import { loadSuite } from '../src/task/load-suite.ts';
import { createCalcAgent } from './synthetic-suite.ts';

const dataDir = process.env.SHAKEDOWN_TEST_DATA_DIR!;
const suite = await loadSuite(process.env.SHAKEDOWN_TEST_SUITE_DIR!);
const store = openStore(dataDir);
await executeRun({
  config: shakedownConfigSchema.parse({ attempts: 3, concurrency: 2, sandbox: 'none' }),
  models: [{ id: 'simulated:slow', protocol: 'native', concurrency: 2 }],
  tasks: suite.tasks,
  store,
  dataDir,
  runId: process.env.SHAKEDOWN_TEST_RUN_ID!,
  clientFactory: (_model, request) => {
    if (request.purpose === 'attempt') {
      appendFileSync(process.env.SHAKEDOWN_TEST_CALL_LOG!, `${request.taskId}/${request.attemptIndex}\n`);
    }
    return createCalcAgent(true, { latencyMs: 400 });
  },
});
store.close();
