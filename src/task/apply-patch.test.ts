import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runHostCommand } from '../sandbox/index.ts';
import { applyPatch } from './apply-patch.ts';

vi.mock('../sandbox/index.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../sandbox/index.ts')>();
  return { ...actual, runHostCommand: vi.fn(actual.runHostCommand) };
});

const patch = [
  'diff --git a/src/main.py b/src/main.py',
  '--- a/src/main.py',
  '+++ b/src/main.py',
  '@@ -1 +1 @@',
  '-print(1)',
  '+print(2)   ',
  'diff --git a/tests/test_new.py b/tests/test_new.py',
  'new file mode 100644',
  '--- /dev/null',
  '+++ b/tests/test_new.py',
  '@@ -0,0 +1 @@',
  '+def test_new(): pass',
  'diff --git a/old.txt b/old.txt',
  'deleted file mode 100644',
  '--- a/old.txt',
  '+++ /dev/null',
  '@@ -1 +0,0 @@',
  '-old',
  '',
].join('\n');

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'shakedown-apply-test-'));
  await mkdir(join(directory, 'src'));
  await writeFile(join(directory, 'src', 'main.py'), 'print(1)\n');
  await writeFile(join(directory, 'old.txt'), 'old\n');
  vi.mocked(runHostCommand).mockClear();
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('applyPatch', () => {
  it('applies a patch with one git process, ignoring the directory’s own .git', async () => {
    // The workspace's git configuration would refuse the trailing whitespace: it must not be read.
    await mkdir(join(directory, '.git'));
    await writeFile(join(directory, '.git', 'config'), '[apply]\n\twhitespace = error\n');
    await writeFile(join(directory, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await mkdir(join(directory, '.git', 'objects'));
    await mkdir(join(directory, '.git', 'refs'));
    expect(await applyPatch(directory, patch)).toBeNull();
    expect(await readFile(join(directory, 'src', 'main.py'), 'utf8')).toBe('print(2)   \n');
    expect(await readFile(join(directory, 'tests', 'test_new.py'), 'utf8')).toBe('def test_new(): pass\n');
    await expect(readFile(join(directory, 'old.txt'))).rejects.toThrow();
    const commands = vi
      .mocked(runHostCommand)
      .mock.calls.map((call) => [call[0], (call[1] as readonly string[] | undefined)?.[0]]);
    expect(commands).toEqual([['git', 'apply']]);
  });

  it('reports a patch that does not apply and changes nothing', async () => {
    await writeFile(join(directory, 'src', 'main.py'), 'print(3)\n');
    const problem = await applyPatch(directory, patch);
    expect(problem).toContain('src/main.py');
    expect(await readFile(join(directory, 'src', 'main.py'), 'utf8')).toBe('print(3)\n');
    expect(await readFile(join(directory, 'old.txt'), 'utf8')).toBe('old\n');
    await expect(readFile(join(directory, 'tests', 'test_new.py'))).rejects.toThrow();
  });

  it('only checks with `check`', async () => {
    expect(await applyPatch(directory, patch, { check: true })).toBeNull();
    expect(await readFile(join(directory, 'src', 'main.py'), 'utf8')).toBe('print(1)\n');
  });
});
