import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHistory } from '../../test-support/git-history.ts';
import { runCli } from '../../test-support/run-cli.ts';

describe('shakedown mine (real CLI)', () => {
  let directory: string;
  let repositoryDir: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'shakedown-mine-cli-test-'));
    const history = await createGitHistory(join(directory, 'slow'));
    await history.commit('Initial', {
      'calc.py': 'X = 1\n',
      'tests/test_calc.py': 'def test_x():\n    pass\n',
    });
    await history.commit('Add Y\n\nY is two, one more than X, for the slow suite to check.', {
      'calc.py': 'X = 1\nY = 2\n',
      'tests/test_calc.py':
        'import time\n\nimport calc\n\n\ndef test_x():\n    pass\n\n\ndef test_y():\n    time.sleep(600)\n    assert calc.Y == 2\n',
    });
    repositoryDir = history.dir;
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('on SIGTERM kills the running tests, removes its scratch folder and exits 143', {
    timeout: 300_000,
  }, async () => {
    const scratchParent = await mkdtemp(join(directory, 'tmp-'));
    const child = runCli(['mine', repositoryDir, '--out', join(directory, 'tasks'), '--sandbox', 'none'], {
      env: { TMPDIR: scratchParent },
    });
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('checking ')) resolve();
      });
    });
    expect((await readdir(scratchParent)).some((name) => name.startsWith('shakedown-mine-'))).toBe(true);
    // process.kill, not child.kill: execa would follow up with SIGKILL after 5 s, and cleaning up may take longer here.
    process.kill(child.pid as number, 'SIGTERM');
    const result = await child;
    expect([result.exitCode, result.signal]).toEqual([143, undefined]);
    expect(result.stderr).toContain('SIGTERM: stopping the tests of the current commit');
    expect(result.stdout).toContain('(interrupted)');
    // tsx keeps its compile cache there too (tsx-0).
    expect((await readdir(scratchParent)).filter((name) => name.startsWith('shakedown-'))).toEqual([]);
  });
});
