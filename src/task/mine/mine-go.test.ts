import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGoHistory, type GoHistory } from '../../../test-support/go-history.ts';
import { checkTask } from '../check-task.ts';
import { loadTask } from '../load-task.ts';
import { type MineProgressEvent, mineRepository } from './mine-repository.ts';

function goVersion(): string | undefined {
  try {
    return execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}
const go = goVersion();
// .ci/run installs golang-go; outside CI a machine without Go skips these tests visibly.
const skip = go === undefined && process.env.CI !== 'true';

describe.skipIf(skip)(
  `mineRepository on a Go history (${go ?? 'go not installed: apt-get install golang-go'})`,
  () => {
    let directory: string;
    let history: GoHistory;
    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'shakedown-mine-go-test-'));
      history = await createGoHistory(directory);
    });
    afterAll(async () => {
      await rm(directory, { recursive: true, force: true });
    });

    it('mines a feature and a merged fix with go test, and the tasks pass task check', {
      timeout: 1_800_000,
    }, async () => {
      if (go === undefined) throw new Error('go is not installed (CI=true): apt-get install golang-go');
      const outDir = join(directory, 'tasks');
      const events: MineProgressEvent[] = [];
      const result = await mineRepository({
        repositoryDir: history.repositoryDir,
        outDir,
        runs: 2,
        jobs: 1,
        sandbox: { backend: 'none' },
        onProgress: (event) => events.push(event),
      });
      const id = (sha: string) => `kits-${sha.slice(0, 10)}`;
      expect(result.skipped).toEqual([]);
      expect(result.written).toEqual([id(history.clampMerge), id(history.reverse)]);
      expect(events.find((event) => event.kind === 'test-command')).toMatchObject({
        command: 'go test -json {test_files}',
        detectedFrom: 'go test',
      });

      const clamp = await loadTask(join(outDir, id(history.clampMerge)));
      expect(clamp.title).toBe('Clamp accepts reversed bounds');
      expect(clamp.failToPass).toEqual(['example.com/kits/numkit::TestClampReversedBounds']);
      expect(clamp.passToPass.sort()).toEqual([
        'example.com/kits/numkit::TestClampInside',
        'example.com/kits/textkit::TestReverseRunes',
        'example.com/kits/textkit::TestShout',
      ]);
      expect(clamp.testCommand).toBe('go test -json ./...');

      const reverse = await loadTask(join(outDir, id(history.reverse)));
      // The new test does not compile at the base (Reverse is undefined there): the package fails to build.
      expect(reverse.failToPass).toContain('example.com/kits/textkit::TestReverseRunes');
      expect(reverse.passToPass).toContain('example.com/kits/numkit::TestClampInside');

      for (const task of [clamp, reverse]) {
        const report = await checkTask(task, { runs: 1, sandbox: { backend: 'none' } });
        expect(
          report.problems.filter((problem) => problem.severity === 'error'),
          task.id,
        ).toEqual([]);
        expect(report.valid).toBe(true);
      }
    });
  },
);
