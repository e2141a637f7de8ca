import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJestHistory, type JestHistory } from '../../../test-support/jest-history.ts';
import { pinnedTestRunner } from '../../../test-support/pinned-test-runners.ts';
import { checkTask } from '../check-task.ts';
import { loadTask } from '../load-task.ts';
import { type MineProgressEvent, mineRepository } from './mine-repository.ts';

const jest = pinnedTestRunner('jest');

// The real jest (pinned, from scripts/install-test-runners.sh) stands in for the project's node_modules.
describe.skipIf(jest.skip)(`mineRepository on a jest history (jest ${jest.status})`, () => {
  let directory: string;
  let history: JestHistory;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'shakedown-mine-jest-test-'));
    history = await createJestHistory(directory);
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('detects jest, mines the fix with the real runner, and the task passes task check', {
    timeout: 900_000,
  }, async () => {
    if (!jest.nodeModules) throw new Error(`jest@${jest.version} ${jest.status}`);
    const outDir = join(directory, 'tasks');
    const events: MineProgressEvent[] = [];
    const result = await mineRepository({
      repositoryDir: history.repositoryDir,
      outDir,
      runs: 2,
      jobs: 1,
      setup: [`ln -sfn '${jest.nodeModules}' node_modules`],
      sandbox: { backend: 'none' },
      onProgress: (event) => events.push(event),
    });
    expect(result.skipped).toEqual([]);
    expect(result.written).toEqual([`shortkit-${history.truncateFix.slice(0, 10)}`]);
    expect(events.find((event) => event.kind === 'test-command')).toMatchObject({
      command: 'npx jest --ci --json --outputFile=.shakedown-test-report.json {test_files}',
      detectedFrom: 'jest (package.json)',
    });
    const task = await loadTask(join(outDir, result.written[0]));
    expect(task.failToPass).toHaveLength(1);
    expect(task.failToPass[0]).toMatch(/truncate keeps text within the limit whole$/);
    expect(task.passToPass).toHaveLength(2);
    expect(task.instruction).not.toMatch(/Signed-off-by|#12/);
    const report = await checkTask(task, { runs: 1, sandbox: { backend: 'none' } });
    expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(report.valid).toBe(true);
  });
});
