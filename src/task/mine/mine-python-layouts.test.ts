import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPythonLayoutHistory,
  type PythonLayoutHistory,
} from '../../../test-support/python-layout-history.ts';
import { loadTask } from '../load-task.ts';
import { type MineProgressEvent, mineRepository } from './mine-repository.ts';

describe('mineRepository on a src-layout project with merges, data files, import failures and noisy messages', () => {
  let directory: string;
  let history: PythonLayoutHistory;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'shakedown-mine-layouts-test-'));
    history = await createPythonLayoutHistory(directory);
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('mines each kind of commit with the detected command', { timeout: 900_000 }, async () => {
    const outDir = join(directory, 'tasks');
    const events: MineProgressEvent[] = [];
    const result = await mineRepository({
      repositoryDir: history.repositoryDir,
      outDir,
      runs: 1,
      jobs: 1,
      sandbox: { backend: 'none' },
      onProgress: (event) => events.push(event),
    });
    const id = (sha: string) => `shop-${sha.slice(0, 10)}`;
    expect([...result.written].sort()).toEqual(
      [history.dataFile, history.merge, history.thinMessage].map(id).sort(),
    );
    expect(result.candidates).toBe(4);
    expect(result.interrupted).toBe(false);
    const commands = events.filter((event) => event.kind === 'test-command');
    expect(commands[0]).toMatchObject({
      command: expect.stringMatching(/^PYTHONPATH=src\S* python3 -m pytest .*\{test_files\}$/),
      detectedFrom: 'pytest, src layout: PYTHONPATH=src',
    });

    const merge = await loadTask(join(outDir, id(history.merge)));
    expect(merge.baseCommit).toBe(await parentOf(history.merge));
    expect(merge.failToPass).toEqual(['tests/test_cart.py::test_discount_takes_a_percentage_off']);
    expect(merge.passToPass).toEqual(
      expect.arrayContaining([
        'tests/test_cart.py::test_total_sums_prices',
        'tests/test_prices.py::test_prices_are_positive',
      ]),
    );
    expect(merge.goldPatch).toContain('discount=0');
    expect(merge.title).toBe('Apply a discount percentage to the cart total');
    expect(merge.tags).toContain('merge-commit');
    expect(merge.testCommand).toMatch(/^PYTHONPATH=src.*\{test_ids\}$/);

    const dataFile = await loadTask(join(outDir, id(history.dataFile)));
    expect(dataFile.language).toBe('python');
    expect(dataFile.failToPass).toEqual(['tests/test_prices.py::test_prices_match_the_price_list']);
    expect(dataFile.testsPatch).toContain('tests/data/prices.toml');
    expect(dataFile.title).toBe('Sell pears');
    expect(dataFile.instruction).toContain('The shop sells pears at 3');
    for (const noise of [
      'Co-authored-by',
      'Signed-off-by',
      'address review',
      'Update prices.py',
      'pre-commit',
      '#31',
    ])
      expect(dataFile.instruction).not.toContain(noise);
    expect(dataFile.tags).not.toContain('underspecified');

    const thin = await loadTask(join(outDir, id(history.thinMessage)));
    expect(thin.tags).toContain('underspecified');
    const thinYaml = await readFile(join(outDir, id(history.thinMessage), 'task.yaml'), 'utf8');
    expect(thinYaml).toMatch(/^# UNDERSPECIFIED: it only refers to an issue/m);
    const thinEvent = events.find((event) => event.kind === 'task' && event.sha === history.thinMessage);
    expect(thinEvent).toMatchObject({
      underspecified: expect.arrayContaining([expect.stringMatching(/issue/)]),
    });

    const skipped = result.skipped.find((skip) => skip.sha === history.importFailure);
    expect(skipped?.reason).toMatch(
      /^12 of 12 FAIL_TO_PASS fail at the base only because tests\/test_tax.py does not import there \(tests\/test_tax.py errored: ModuleNotFoundError: No module named 'shop.tax'\): more than 10/,
    );
  });

  async function parentOf(sha: string): Promise<string> {
    const { execa } = await import('execa');
    return (await execa('git', ['rev-parse', `${sha}^1`], { cwd: history.repositoryDir })).stdout.trim();
  }
});
