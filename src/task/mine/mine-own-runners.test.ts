import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDjangoStyleHistory,
  createSympyStyleHistory,
} from '../../../test-support/own-runner-histories.ts';
import { createModelClient } from '../../providers/create-model-client.ts';
import { startSimulatedServer } from '../../providers/simulated/simulated-server.ts';
import { checkTask } from '../check-task.ts';
import { loadTask } from '../load-task.ts';
import { type MineProgressEvent, mineRepository } from './mine-repository.ts';

describe("mineRepository on projects with Django's and sympy's own runners", () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'shakedown-mine-own-runners-test-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('mines a Django-style history with tests/runtests.py and its unittest ids', {
    timeout: 600_000,
  }, async () => {
    const history = await createDjangoStyleHistory(directory);
    const events: MineProgressEvent[] = [];
    const outDir = join(directory, 'django-tasks');
    const result = await mineRepository({
      repositoryDir: history.repositoryDir,
      outDir,
      runs: 1,
      jobs: 1,
      sandbox: { backend: 'none' },
      onProgress: (event) => events.push(event),
    });
    expect(events.find((event) => event.kind === 'test-command')).toMatchObject({
      command: 'python3 tests/runtests.py --verbosity 2 --parallel 1 {test_files}',
      detectedFrom: "Django's tests/runtests.py (labels like app.tests)",
    });
    expect(result.written).toHaveLength(1);
    const task = await loadTask(join(outDir, result.written[0]));
    expect(task.testOutput.format).toBe('django');
    expect(task.failToPass.sort()).toEqual([
      'test_perimeter (geometry.tests.PerimeterTests)',
      'test_perimeter_of_square (geometry.tests.PerimeterTests)',
    ]);
    expect(task.passToPass.sort()).toEqual([
      'test_area (geometry.tests.AreaTests)',
      'test_area_of_square (geometry.tests.AreaTests)',
    ]);
  });

  it('mines a sympy-style history with bin/test and path::name ids', { timeout: 600_000 }, async () => {
    const history = await createSympyStyleHistory(directory);
    const events: MineProgressEvent[] = [];
    const outDir = join(directory, 'sympy-tasks');
    const result = await mineRepository({
      repositoryDir: history.repositoryDir,
      outDir,
      runs: 1,
      jobs: 1,
      sandbox: { backend: 'none' },
      onProgress: (event) => events.push(event),
    });
    expect(events.find((event) => event.kind === 'test-command')).toMatchObject({
      command: 'python3 bin/test -C --verbose {test_files}',
    });
    expect(result.written).toHaveLength(1);
    const task = await loadTask(join(outDir, result.written[0]));
    expect(task.testOutput.format).toBe('sympy');
    expect(task.failToPass).toEqual(['minisym/core/tests/test_numbers.py::test_lcm']);
    expect(task.passToPass.sort()).toEqual([
      'minisym/core/tests/test_numbers.py::test_gcd',
      'minisym/core/tests/test_numbers.py::test_gcd_of_coprimes',
    ]);
  });

  it('rewrites the instruction with a model (simulated) and keeps the mined one in task.yaml', {
    timeout: 600_000,
  }, async () => {
    const history = await createSympyStyleHistory(join(directory, 'rewrite'));
    const issue =
      '# numbers has no least common multiple\n\nminisym.core.numbers offers gcd but no lcm: numbers.lcm(4, 6) raises AttributeError where it should return 12, the smallest positive integer both divide.';
    const server = await startSimulatedServer({ flavour: 'llamacpp', script: [{ content: issue }] });
    const client = createModelClient(`llamacpp:${server.url}`, { retry: false });
    const events: MineProgressEvent[] = [];
    const outDir = join(directory, 'rewritten-tasks');
    try {
      const result = await mineRepository({
        repositoryDir: history.repositoryDir,
        outDir,
        runs: 1,
        jobs: 1,
        sandbox: { backend: 'none' },
        rewriteInstructions: { client, all: true },
        onProgress: (event) => events.push(event),
      });
      expect(result.written).toHaveLength(1);
    } finally {
      await server.close();
    }
    expect(events.find((event) => event.kind === 'task')).toMatchObject({
      instructionRewrite: { status: 'rewritten', model: client.id, simulated: true },
    });
    const task = await loadTask(join(outDir, `minisym-${history.fix.slice(0, 10)}`));
    expect(task.instruction.startsWith(issue)).toBe(true);
    expect(task.instructionSource).toEqual({
      source: 'model',
      model: `${client.id} (simulated)`,
      original: expect.stringContaining('# Add the least common multiple'),
    });
    expect(await readFile(join(task.directory, 'task.yaml'), 'utf8')).toContain(
      'written by a SIMULATED model',
    );
    const report = await checkTask(task, { runs: 1, sandbox: { backend: 'none' } });
    expect(report.instructionSource).toEqual({ source: 'model', model: `${client.id} (simulated)` });
  });
});
