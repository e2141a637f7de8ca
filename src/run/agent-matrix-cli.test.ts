/**
 * `shakedown run` as users call it (a child process, not executeRun) with the agent as a matrix dimension: one
 * model inside the built-in agent and inside OpenCode (the pinned install), on a built-in task, in bubblewrap.
 * The model is SIMULATED (test-support/external-agent-driver.ts): it reads the tools each agent declares and
 * drives that agent's own shell tool to apply the task's known fix. Then `report` renders both cells side by side.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentDriver } from '../../test-support/external-agent-driver.ts';
import { pinnedAgentForTest } from '../../test-support/pinned-agents.ts';
import { type SimulatedServer, startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import { detectSandboxSupport } from '../sandbox/detect-sandbox-support.ts';
import { openStore } from '../store/index.ts';
import { loadSuite } from '../task/load-suite.ts';

const run = promisify(execFile);
const REPOSITORY = path.resolve(import.meta.dirname, '../..');
const SHAKEDOWN = path.join(REPOSITORY, 'bin', 'shakedown.js');
const TASK_DIRECTORY = path.join(REPOSITORY, 'suites', 'core', 'lru-cache-recency-bug');
const support = await detectSandboxSupport('bubblewrap');
const opencode = pinnedAgentForTest('opencode');

describe.skipIf(!support.available || opencode.skip)(
  `shakedown run --agent built-in,opencode as a child process (bubblewrap: ${support.reason ?? 'works'}; opencode ${opencode.status})`,
  () => {
    let scratch: string;
    let server: SimulatedServer;
    let driver: ReturnType<typeof createAgentDriver>;

    beforeAll(async () => {
      scratch = await mkdtemp(path.join(os.tmpdir(), 'shakedown-agent-matrix-cli-'));
      const suite = await loadSuite(path.dirname(TASK_DIRECTORY));
      const task = suite.tasks.find((candidate) => candidate.directory === TASK_DIRECTORY);
      if (!task?.goldPatch) throw new Error('the built-in task lru-cache-recency-bug has no gold patch');
      driver = createAgentDriver({ mode: 'oracle', fix: { patch: task.goldPatch } });
      server = await startSimulatedServer({ script: driver.script, flavour: 'llamacpp' });
    });

    afterAll(async () => {
      await server?.close();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    it('runs each cell, keys the store by model × agent, and reports the agents side by side', {
      timeout: 600_000,
    }, async () => {
      const dataDir = path.join(scratch, 'data');
      const model = `llamacpp:${server.url}`;
      const { stdout } = await run(
        process.execPath,
        [
          SHAKEDOWN,
          'run',
          '--model',
          model,
          '--tasks',
          TASK_DIRECTORY,
          '--agent',
          'builtin,opencode',
          '--sandbox',
          'bubblewrap',
          '--data-dir',
          dataDir,
          '--json',
        ],
        { cwd: scratch, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 },
      );
      const summary = JSON.parse(stdout) as { runId: string; status: string; agent: string };
      expect(summary.status).toBe('completed');
      expect(summary.agent).toBe('built-in, external (preset opencode)');

      const store = openStore(dataDir, { readonly: true });
      try {
        const attempts = store.attempts(summary.runId);
        expect(attempts.map((attempt) => [attempt.modelId, attempt.gradeStatus]).sort()).toEqual([
          [`${model}~built-in`, 'resolved'],
          [`${model}~opencode`, 'resolved'],
        ]);
        expect(
          store
            .runModels(summary.runId)
            .map((entry) => entry.label)
            .sort(),
        ).toEqual([expect.stringMatching(/ in OpenCode$/), expect.stringMatching(/ in shakedown's agent$/)]);
        // Each cell's transcript holds its own agent's requests: OpenCode declares its own tools (bash, …).
        const opencodeAttempt = attempts.find((attempt) => attempt.modelId.endsWith('~opencode'))!;
        const requests = store.events(opencodeAttempt.id).filter((event) => event.type === 'model-request');
        expect(requests.length).toBeGreaterThan(0);
        expect(driver.log.some((entry) => entry.declaredTools.includes('bash'))).toBe(true);
        expect(driver.log.some((entry) => entry.declaredTools.includes('run_command'))).toBe(true);
      } finally {
        store.close();
      }

      const { stdout: markdown } = await run(
        process.execPath,
        [SHAKEDOWN, 'report', summary.runId, '--data-dir', dataDir],
        { cwd: scratch, maxBuffer: 16 * 1024 * 1024 },
      );
      expect(markdown).toContain('## Agents side by side');
      expect(markdown).toMatch(/\| [^|]+ in OpenCode[^|]*\| external \(preset opencode\) \|/);
      expect(markdown).toMatch(/in shakedown's agent vs [^\n]+ in OpenCode \(paired over 1 tasks\)/);
      expect(markdown).toContain('too few tasks to tell');

      const htmlFile = path.join(scratch, 'report.html');
      await run(
        process.execPath,
        [SHAKEDOWN, 'report', summary.runId, '--data-dir', dataDir, '--format', 'html', '--out', htmlFile],
        { cwd: scratch, maxBuffer: 16 * 1024 * 1024 },
      );
      const html = await readFile(htmlFile, 'utf8');
      expect(html).toContain('data-testid="table-agent-comparison"');
      expect(html).toContain('external (preset opencode)');
    });
  },
);
