import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runGit } from '../workspace/run-git.ts';
import { prepareTaskWorkspace } from './prepare-task-workspace.ts';
import type { Task } from './task.ts';
import { TaskSetupError } from './task-setup-error.ts';

vi.mock('../workspace/run-git.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../workspace/run-git.ts')>();
  return { ...actual, runGit: vi.fn(actual.runGit) };
});

function snapshotTask(path: string, setup: string[]): Task {
  return {
    id: 'snapshot',
    directory: path,
    repository: { kind: 'directory', path },
    baseCommit: null,
    setup,
    testCommand: 'true',
    testOutput: { format: 'tap' },
    failToPass: ['a'],
    passToPass: [],
    testFiles: ['tests/test_new.py'],
    limits: {},
    turns: [],
    constraints: [],
    tags: [],
    instruction: 'x',
    goldPatch: '',
    testsPatch: '',
  };
}

describe('prepareTaskWorkspace', () => {
  let directory: string;
  let snapshot: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'shakedown-prepare-test-'));
    snapshot = join(directory, 'snapshot');
    await mkdir(join(snapshot, 'src'), { recursive: true });
    await writeFile(join(snapshot, 'src', 'main.py'), 'print(1)\n');
    await writeFile(join(snapshot, '.gitignore'), 'build/\n');
    await mkdir(join(snapshot, 'build'));
    await writeFile(join(snapshot, 'build', 'kept.txt'), 'ignored but part of the snapshot\n');
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('commits a snapshot as the base, caches it by content and runs setup in the sandbox', async () => {
    const cacheDir = join(directory, 'cache');
    const task = snapshotTask(snapshot, ['echo ready > setup-done.txt']);
    const prepared = await prepareTaskWorkspace(task, {
      destination: join(directory, 'one'),
      cacheDir,
      sandbox: { backend: 'bubblewrap' },
    });
    try {
      expect(await readFile(join(prepared.workspace.dir, 'src', 'main.py'), 'utf8')).toBe('print(1)\n');
      expect(await readFile(join(prepared.workspace.dir, 'build', 'kept.txt'), 'utf8')).toContain('ignored');
      expect(await readFile(join(prepared.workspace.dir, 'setup-done.txt'), 'utf8')).toBe('ready\n');
      expect(prepared.setup).toEqual([
        expect.objectContaining({ command: 'echo ready > setup-done.txt', exitCode: 0 }),
      ]);
      expect(await prepared.workspace.changedFiles()).toEqual(['setup-done.txt']);
    } finally {
      await prepared.dispose();
    }
    await expect(stat(join(directory, 'one'))).rejects.toThrow();

    const again = await prepareTaskWorkspace(snapshotTask(snapshot, []), {
      destination: join(directory, 'two'),
      cacheDir,
      sandbox: { backend: 'none' },
    });
    await again.dispose();
    expect(await readdir(join(cacheDir, 'workspace-templates'))).toHaveLength(1);
    await writeFile(join(snapshot, 'src', 'main.py'), 'print(2)\n');
    const changed = await prepareTaskWorkspace(snapshotTask(snapshot, []), {
      destination: join(directory, 'three'),
      cacheDir,
      sandbox: { backend: 'none' },
    });
    expect(await readFile(join(changed.workspace.dir, 'src', 'main.py'), 'utf8')).toBe('print(2)\n');
    await changed.dispose();
    expect(await readdir(join(cacheDir, 'workspace-templates'))).toHaveLength(2);
  });

  it('turns a failing setup command into a setup-failed error and cleans up', async () => {
    const task = snapshotTask(snapshot, ['true', 'echo missing dependency >&2; exit 7']);
    const destination = join(directory, 'failing');
    const error = await prepareTaskWorkspace(task, { destination, sandbox: { backend: 'none' } }).catch(
      (caught) => caught,
    );
    expect(error).toBeInstanceOf(TaskSetupError);
    expect(error.outcome).toBe('setup-failed');
    expect(error.command).toBe('echo missing dependency >&2; exit 7');
    expect(error.exitCode).toBe(7);
    expect(error.outputTail).toContain('missing dependency');
    expect(error.message).toMatch(/task snapshot: setup failed: .* exited with code 7/);
    await expect(stat(destination)).rejects.toThrow();
  });

  it('reports a missing base commit as a setup failure', async () => {
    const task: Task = {
      ...snapshotTask(snapshot, []),
      repository: { kind: 'git', url: snapshot },
      baseCommit: 'deadbeef',
    };
    await expect(
      prepareTaskWorkspace(task, { destination: join(directory, 'x'), sandbox: { backend: 'none' } }),
    ).rejects.toThrow(/setup failed: workspace could not be built/);
  });

  it('commits a snapshot once for all attempts and grading copies; a grading copy never sees what the agent touched', async () => {
    const original = join(directory, 'once');
    await mkdir(join(original, 'tests'), { recursive: true });
    await writeFile(join(original, 'main.py'), 'print("base")\n');
    await writeFile(join(original, 'tests', 'test_main.py'), 'def test_main(): assert True\n');
    // Only a settled snapshot (no change in the last 100 ms) is reused; a busy machine only waits longer.
    await sleep(250);
    const cacheDir = join(directory, 'once-cache');
    const task = snapshotTask(original, []);
    const prepare = (name: string, snapshotCommit?: string) =>
      prepareTaskWorkspace(task, {
        destination: join(directory, name),
        cacheDir,
        sandbox: { backend: 'none' },
        snapshotCommit,
      });
    vi.mocked(runGit).mockClear();
    const commitTrees = () =>
      vi.mocked(runGit).mock.calls.filter(([arguments_]) => arguments_.includes('commit-tree')).length;
    const attempts = 4;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const agent = await prepare(`once-${attempt}`);
      const grading = await prepare(`once-${attempt}-grading`, agent.workspace.baseCommit);
      expect(grading.workspace.baseCommit).toBe(agent.workspace.baseCommit);
      await grading.dispose();
      await agent.dispose();
    }
    expect(commitTrees()).toBe(1);

    // The agent edits the tests and the .git of its workspace, and (had it reached it) the snapshot folder.
    const agent = await prepare('tampering');
    await writeFile(join(agent.workspace.dir, 'tests', 'test_main.py'), 'def test_main(): pass\n');
    await writeFile(join(agent.workspace.dir, '.git', 'HEAD'), 'ref: refs/heads/evil\n');
    await writeFile(join(agent.workspace.dir, '.git', 'index'), 'garbage');
    await writeFile(join(original, 'main.py'), 'print("tampered")\n');
    await writeFile(join(original, 'tests', 'test_main.py'), 'def test_main(): pass\n');
    const grading = await prepare('tampering-grading', agent.workspace.baseCommit);
    try {
      expect(await readFile(join(grading.workspace.dir, 'main.py'), 'utf8')).toBe('print("base")\n');
      expect(await readFile(join(grading.workspace.dir, 'tests', 'test_main.py'), 'utf8')).toBe(
        'def test_main(): assert True\n',
      );
      expect(await readFile(join(grading.workspace.dir, '.git', 'HEAD'), 'utf8')).toBe(
        'ref: refs/heads/main\n',
      );
      expect(await grading.workspace.changedFiles()).toEqual([]);
      // The snapshot folder as it is now is what a new attempt starts from: committed again.
      const next = await prepare('after-tampering');
      expect(next.workspace.baseCommit).not.toBe(agent.workspace.baseCommit);
      expect(await readFile(join(next.workspace.dir, 'main.py'), 'utf8')).toBe('print("tampered")\n');
      await next.dispose();
      expect(commitTrees()).toBe(2);
    } finally {
      await grading.dispose();
      await agent.dispose();
    }
  });
});
