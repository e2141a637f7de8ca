import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXED_SOURCE, writeSyntheticSuite } from '../../test-support/synthetic-suite.ts';
import { type SimulatedServer, startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import { detectSandboxSupport } from '../sandbox/detect-sandbox-support.ts';
import { openStore } from '../store/index.ts';
import type { Task } from '../task/task.ts';
import { shakedownConfigSchema } from './config.ts';
import { executeRun } from './execute-run.ts';

const SECRET = 'sk-test-secret-123';
let directory: string;
let tasks: Task[];
let server: SimulatedServer;

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'shakedown-secret-'));
  tasks = await writeSyntheticSuite(path.join(directory, 'suite'), 2);
  server = await startSimulatedServer({
    flavour: 'openai',
    script: (request) => {
      const messages = (request.body as { messages?: Array<{ role: string }> }).messages ?? [];
      if (!messages.some((message) => message.role === 'tool')) {
        return {
          toolCalls: [{ name: 'write_file', arguments: { path: 'src/calc.js', content: FIXED_SOURCE } }],
        };
      }
      // A model that leaks the key it should never have seen: it must not survive into any file.
      return {
        content: `my key is ${SECRET}`,
        toolCalls: [{ name: 'finish', arguments: { summary: `done ${SECRET}` } }],
      };
    },
  });
});

afterEach(async () => {
  await server.close();
  await rm(directory, { recursive: true, force: true });
});

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

const bubblewrap = await detectSandboxSupport('bubblewrap');

describe('API keys', () => {
  it.skipIf(!bubblewrap.available)(
    'never reach the store, transcripts or progress (openai API through a simulated server, bubblewrap sandbox)',
    async () => {
      const dataDir = path.join(directory, 'data');
      const store = openStore(dataDir);
      const messages: string[] = [];
      try {
        const result = await executeRun({
          config: shakedownConfigSchema.parse({ attempts: 1, sandbox: 'bubblewrap' }),
          models: [{ id: `openai:gpt-4o-mini@${server.url}/v1`, protocol: 'native' }],
          tasks,
          store,
          dataDir,
          env: { OPENAI_API_KEY: SECRET },
          onProgress: (event) => messages.push(JSON.stringify(event)),
        });
        const attempts = store.attempts(result.runId);
        expect(attempts.map((attempt) => [attempt.status, attempt.gradeStatus, attempt.error])).toEqual([
          ['finished', 'resolved', null],
          ['finished', 'resolved', null],
        ]);
        // The key did reach the server (so it was really in play), and the model's answer carried it.
        const authorization = server.chatRequests[0]?.headers.authorization;
        expect(authorization).toBe(`Bearer ${SECRET}`);
        expect(attempts.every((attempt) => attempt.costUsd !== null && attempt.costUsd > 0)).toBe(true);
      } finally {
        store.close();
      }
      const files = await filesUnder(dataDir);
      expect(files.some((file) => file.endsWith('.jsonl'))).toBe(true);
      for (const file of files) {
        const content = await readFile(file);
        expect(content.includes(SECRET), file).toBe(false);
      }
      expect(messages.join('\n')).not.toContain(SECRET);
    },
    120_000,
  );
});
