import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJavaScriptHistory, type JavaScriptHistory } from '../../../test-support/javascript-history.ts';
import { checkTask } from '../check-task.ts';
import { loadTask } from '../load-task.ts';
import { type MineProgressEvent, mineRepository } from './mine-repository.ts';

describe('mineRepository on a node --test history', () => {
  let directory: string;
  let history: JavaScriptHistory;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'shakedown-mine-js-test-'));
    history = await createJavaScriptHistory(directory);
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('mines a feature commit and a merge, and the tasks pass task check', { timeout: 600_000 }, async () => {
    const outDir = join(directory, 'tasks');
    const events: MineProgressEvent[] = [];
    const result = await mineRepository({
      repositoryDir: history.repositoryDir,
      outDir,
      runs: 2,
      jobs: 2,
      sandbox: { backend: 'none' },
      onProgress: (event) => events.push(event),
    });
    const id = (sha: string) => `textkit-${sha.slice(0, 10)}`;
    expect(result.written).toEqual([id(history.merge), id(history.slugify)]);
    expect(events.find((event) => event.kind === 'test-command')).toMatchObject({
      command:
        'node --test --test-reporter=junit --test-reporter-destination=.shakedown-test-report.xml {test_files}',
      detectedFrom: 'node --test',
    });

    const merge = await loadTask(join(outDir, id(history.merge)));
    // test/math.test.js imports mul, so at the base the whole file fails to load: add's test fails there too.
    expect(merge.failToPass.sort()).toEqual([
      'test::add sums two numbers',
      'test::mul multiplies two numbers',
    ]);
    expect(merge.passToPass.sort()).toEqual([
      'test::capitalize upper-cases the first letter',
      'test::slugify makes a URL slug of a title',
    ]);
    expect(merge.tags).toContain('base-import-error');
    expect(events.find((event) => event.kind === 'task' && event.sha === history.merge)).toMatchObject({
      importFailureNote: expect.stringMatching(
        /^2 of 2 FAIL_TO_PASS fail at the base only because test\/math.test.js does not import there/,
      ),
    });
    expect(merge.title).toBe('Multiply numbers');
    expect(merge.testCommand).toBe(
      'node --test --test-reporter=junit --test-reporter-destination=.shakedown-test-report.xml',
    );

    const slugify = await loadTask(join(outDir, id(history.slugify)));
    expect(slugify.failToPass.sort()).toEqual([
      'test::capitalize upper-cases the first letter',
      'test::slugify makes a URL slug of a title',
    ]);
    expect(slugify.passToPass).toEqual(['test::add sums two numbers']);
    expect(slugify.instruction).toContain('dash-separated URL slug');
    expect(slugify.instruction).not.toMatch(/wip|fix lint|Co-authored|#4/);
    const report = await checkTask(slugify, { runs: 1, sandbox: { backend: 'none' } });
    expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(report.valid).toBe(true);
  });
});
