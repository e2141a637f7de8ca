import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPythonHistory, type PythonHistory } from '../../../test-support/python-history-fixture.ts';
import { loadTask } from '../load-task.ts';
import { type MineProgressEvent, mineRepository } from './mine-repository.ts';
import { mineStateFileName } from './mine-state.ts';

describe('mineRepository', () => {
  let directory: string;
  let history: PythonHistory;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'shakedown-mine-test-'));
    history = await createPythonHistory(directory, join(directory, 'flaky-counter'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('keeps the good fix, skips the rest with reasons, drops flaky tests and resumes without redoing work', {
    timeout: 600_000,
  }, async () => {
    const outDir = join(directory, 'tasks');
    const options = {
      repositoryDir: history.repositoryDir,
      outDir,
      runs: 2,
      sandbox: { backend: 'none' as const },
    };
    const firstEvents: MineProgressEvent[] = [];
    const first = await mineRepository({
      ...options,
      max: 1,
      onProgress: (event) => firstEvents.push(event),
    });
    expect(first.written).toEqual([`calculator-${history.goodFix.slice(0, 10)}`]);
    expect(firstEvents.filter((event) => event.kind === 'candidate').map((event) => event.sha)).toEqual([
      history.goodFix,
    ]);

    const task = await loadTask(join(outDir, first.written[0]));
    expect(task.baseCommit).toBe(history.passingAtParent);
    expect(task.repository).toEqual({ kind: 'git', url: history.repositoryDir });
    expect(task.failToPass).toEqual(['tests/test_calc.py::test_mul_multiplies_two_numbers']);
    expect([...task.passToPass].sort()).toEqual(
      ['test_add', 'test_add_negative', 'test_power', 'test_sub'].map(
        (name) => `tests/test_calc.py::${name}`,
      ),
    );
    expect(task.passToPass).not.toContain('tests/test_calc.py::test_answer_is_stable');
    expect(task.testsPatch).toContain('+def test_mul_multiplies_two_numbers');
    expect(task.testsPatch).not.toContain('calc.py b/calc.py');
    expect(task.goldPatch).toContain('+def mul(a, b):');
    expect(task.goldPatch).not.toContain('tests/test_calc.py');
    expect(task.title).toBe('Add multiplication');
    expect(task.instruction).toContain('The calculator can multiply two numbers with mul(a, b).');
    expect(task.instruction).toContain('- calc: mul multiplies two numbers');
    expect(task.instruction).not.toContain('a * b');

    const secondEvents: MineProgressEvent[] = [];
    const second = await mineRepository({ ...options, onProgress: (event) => secondEvents.push(event) });
    expect(second.alreadyDone).toBe(1);
    expect(secondEvents.some((event) => event.kind === 'candidate' && event.sha === history.goodFix)).toBe(
      false,
    );
    expect(second.written).toEqual([]);
    const reasons = Object.fromEntries(second.skipped.map((skip) => [skip.sha, skip.reason]));
    expect(reasons[history.passingAtParent]).toMatch(/no FAIL_TO_PASS/);
    expect(reasons[history.flaky]).toMatch(
      /no FAIL_TO_PASS.*flaky, dropped: tests\/test_calc.py::test_answer_is_stable/,
    );
    expect(reasons[history.syntaxError]).toMatch(/broken with the commit applied: no test passes/);

    const state = JSON.parse(await readFile(join(outDir, mineStateFileName), 'utf8'));
    expect(state.commits[history.documentation]).toMatchObject({
      status: 'skipped',
      reason: 'changes no test file',
    });
    expect(state.commits[history.syntaxFix]).toMatchObject({
      status: 'skipped',
      reason: 'changes no test file',
    });
    expect(state.commits[history.root].reason).toMatch(/root commit/);
    expect(Object.keys(state.commits)).toHaveLength(7);
    expect((await readdir(outDir)).filter((name) => !name.startsWith('.'))).toEqual(first.written);
  });
});
