import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeSyntheticSuite } from '../../test-support/synthetic-suite.ts';
import { startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import { shakedownConfigSchema } from '../run/config.ts';
import { openStore } from '../store/index.ts';
import { loadRunTasks } from '../task/load-task-folders.ts';
import { applyRunFlags, createRunCommand, DEFAULT_SUITE, runCommand } from './run-command.ts';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'shakedown-run-command-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** A local port nothing listens on (connections to it are refused at once). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Runs `runCommand` with stderr and stdout captured; returns the exit code and what went to stderr. */
async function runQuietly(
  options: Parameters<typeof runCommand>[0],
): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const errors = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const output = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return { code: await runCommand(options), stderr };
  } finally {
    errors.mockRestore();
    output.mockRestore();
  }
}

describe('shakedown run flags', () => {
  it('override shakedown.yaml and default to the core suite', () => {
    const config = shakedownConfigSchema.parse({
      models: [{ id: 'ollama:a', concurrency: 3 }, 'ollama:b'],
      attempts: 2,
    });
    const plain = applyRunFlags(config, {});
    expect(plain.config.suites).toEqual([DEFAULT_SUITE]);
    expect(plain.models.map((model) => model.id)).toEqual(['ollama:a', 'ollama:b']);
    const flagged = applyRunFlags(config, {
      model: ['ollama:a', 'openai:o3-mini'],
      k: 5,
      tasks: ['t1'],
      sandbox: 'none',
    });
    expect(flagged.models).toMatchObject([{ id: 'ollama:a', concurrency: 3 }, { id: 'openai:o3-mini' }]);
    expect(flagged.config).toMatchObject({ attempts: 5, suites: [], tasks: ['t1'], sandbox: 'none' });
  });

  it('--agent overrides the configured agent; bad values are refused', async () => {
    const config = shakedownConfigSchema.parse({ agent: { preset: 'aider' } });
    expect(applyRunFlags(config, {}).config.agent).toEqual({ preset: 'aider' });
    expect(applyRunFlags(config, { agent: ['built-in'] }).config.agent).toBe('built-in');
    const several = applyRunFlags(config, { agent: ['built-in', { preset: 'qwen-code' }] }).config;
    expect(several.agents).toEqual(['built-in', { preset: 'qwen-code' }]);
    const command = createRunCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => undefined });
    command.action(() => undefined);
    await command.parseAsync(['--agent', 'command:my-agent --model {model}'], { from: 'user' });
    expect(command.opts().agent).toEqual([{ command: 'my-agent --model {model}' }]);
    await command.parseAsync(['--agent', 'builtin, qwen-code,opencode,command:a --x {model},y'], {
      from: 'user',
    });
    expect(command.opts().agent).toEqual([
      'built-in',
      { preset: 'qwen-code' },
      { preset: 'opencode' },
      { command: 'a --x {model},y' },
    ]);
    await expect(command.parseAsync(['--agent', 'cursor'], { from: 'user' })).rejects.toThrow(
      /expected built-in, aider/,
    );
  });

  it('load the built-in core suite by default from outside the shakedown folder', async () => {
    const warnings: string[] = [];
    const plain = applyRunFlags(shakedownConfigSchema.parse({}), {});
    const tasks = await loadRunTasks(plain.config, directory, (message) => warnings.push(message));
    const expected = (
      await readdir(path.resolve(import.meta.dirname, '../../suites/core'), { withFileTypes: true })
    )
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_') && !entry.name.startsWith('.'))
      .map((entry) => entry.name);
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.length + warnings.length).toBeGreaterThanOrEqual(expected.length);
    const named = await loadRunTasks({ suites: ['core'], tasks: [] }, directory, () => undefined);
    expect(named.map((task) => task.id)).toEqual(tasks.map((task) => task.id));
  }, 60_000);
});

describe('shakedown run without --model', () => {
  it('explains the options, the demo first, when no local model server answers', async () => {
    vi.stubEnv('SHAKEDOWN_LOCAL_SERVERS', `ollama=http://127.0.0.1:${await closedPort()}`);
    try {
      const { code, stderr } = await runQuietly({ dataDir: path.join(directory, 'data'), json: true });
      expect(code).toBe(2);
      expect(stderr).toContain('no model given, and no local model server answered');
      expect(stderr).toContain('npx shakedown demo');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('runs the model of the local server it finds', async () => {
    await writeSyntheticSuite(path.join(directory, 'suite'), 1);
    const server = await startSimulatedServer({
      flavour: 'llamacpp',
      script: () => ({ toolCalls: [{ name: 'finish', arguments: { summary: 'Nothing to do.' } }] }),
    });
    vi.stubEnv('SHAKEDOWN_LOCAL_SERVERS', `llamacpp=${server.url}`);
    vi.stubEnv('SHAKEDOWN_DISCOVERY_TIMEOUT_MS', '60000');
    try {
      const dataDir = path.join(directory, 'data');
      const { code, stderr } = await runQuietly({
        suite: [path.join(directory, 'suite')],
        dataDir,
        sandbox: 'none',
        json: true,
      });
      expect(stderr).toContain(
        `no --model given: running the local models found: llamacpp:default@${server.url}`,
      );
      expect(code).toBe(0);
      const store = openStore(dataDir);
      try {
        const [run] = store.listRuns();
        expect(store.attempts(run!.id).map((attempt) => attempt.modelId)).toEqual([
          `llamacpp:default@${server.url}`,
        ]);
      } finally {
        store.close();
      }
      expect(server.chatRequests.length).toBeGreaterThan(0);
    } finally {
      vi.unstubAllEnvs();
      await server.close();
    }
  }, 120_000);
});

describe('shakedown run with unreachable endpoints', () => {
  it('refuses a missing suite folder in one line with the fix', async () => {
    const { code, stderr } = await runQuietly({ model: ['ollama:a'], suite: ['no-such-suite'] });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      `error: suite folder not found: no-such-suite (looked at ${path.resolve('no-such-suite')}). Fix: pass an existing folder to --suite (or \`suites:\` in shakedown.yaml), or --suite core for the built-in suite`,
    ]);
  });

  it('stops before creating attempts when every endpoint is unreachable', async () => {
    await writeSyntheticSuite(path.join(directory, 'suite'), 1);
    const dataDir = path.join(directory, 'data');
    const model = `llamacpp:qwen3@http://127.0.0.1:${await closedPort()}`;
    const { code, stderr } = await runQuietly({
      model: [model],
      suite: [path.join(directory, 'suite')],
      dataDir,
      sandbox: 'none',
      json: true,
    });
    expect(code).toBe(1);
    expect(stderr).toContain(`error: no model endpoint is reachable: ${model}`);
    expect(stderr).toContain(`shakedown doctor --model ${model}`);
    expect(stderr).toContain('--allow-unreachable');
    expect(stderr).toContain('to see shakedown work without a model server: npx shakedown demo');
    const store = openStore(dataDir);
    try {
      expect(store.listRuns()).toHaveLength(0);
    } finally {
      store.close();
    }
  }, 60_000);

  it('--queue takes an external agent, checked like a local run (its sandbox) before Redis is reached', async () => {
    await writeSyntheticSuite(path.join(directory, 'suite'), 1);
    const { code, stderr } = await runQuietly({
      model: ['ollama:a'],
      suite: [path.join(directory, 'suite')],
      dataDir: path.join(directory, 'data'),
      sandbox: 'docker',
      agent: [{ command: 'my-agent --model {model}' }],
      queue: `redis://127.0.0.1:${await closedPort()}`,
      json: true,
    });
    expect(code).toBe(1);
    expect(stderr).not.toContain('--queue needs the built-in agent');
    expect(stderr).toContain('external agents run in the bubblewrap or none sandbox, not docker');
  }, 60_000);

  it('--allow-unreachable is a flag of shakedown run', async () => {
    const command = createRunCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => undefined });
    command.action(() => undefined);
    await command.parseAsync(['--allow-unreachable'], { from: 'user' });
    expect(command.opts().allowUnreachable).toBe(true);
  });
});
