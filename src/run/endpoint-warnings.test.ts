import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createScriptedClient } from '../../test-support/scripted-client.ts';
import { createCalcAgent, writeSyntheticSuite } from '../../test-support/synthetic-suite.ts';
import { openStore, type Store } from '../store/index.ts';
import type { Task } from '../task/task.ts';
import { type ModelConfig, shakedownConfigSchema } from './config.ts';
import { type ClientFactory, executeRun, type RunProgressEvent } from './execute-run.ts';

let directory: string;
let store: Store;
let tasks: Task[];

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'shakedown-endpoint-warnings-'));
  tasks = await writeSyntheticSuite(path.join(directory, 'suite'), 1);
  store = openStore(path.join(directory, 'data'));
});

afterEach(async () => {
  store.close();
  await rm(directory, { recursive: true, force: true });
});

it('warns before the run about a small context, and still runs', async () => {
  const models: ModelConfig[] = [
    { id: 'simulated:small-context', protocol: 'native' },
    { id: 'simulated:roomy', protocol: 'native' },
  ];
  const factory: ClientFactory = (model, request) => {
    if (request.purpose === 'describe') {
      return createScriptedClient([], { contextLength: model.id === 'simulated:roomy' ? 65_536 : 4096 });
    }
    return createCalcAgent(true);
  };
  const events: RunProgressEvent[] = [];
  const result = await executeRun({
    config: shakedownConfigSchema.parse({ attempts: 1, sandbox: 'none' }),
    models,
    tasks,
    store,
    dataDir: path.join(directory, 'data'),
    clientFactory: factory,
    onProgress: (event) => events.push(event),
  });
  expect(result.status).toBe('completed');
  const warnings = events.flatMap((event) => (event.type === 'warning' ? [event.message] : []));
  expect(warnings).toContainEqual(
    expect.stringMatching(
      /^simulated:small-context: the endpoint's context is 4096 tokens; agent work needs at least 16384/,
    ),
  );
  expect(warnings.some((warning) => warning.startsWith('simulated:roomy'))).toBe(false);
});
