import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findExecutable } from './find-executable.ts';

const directories: string[] = [];
afterEach(async () => {
  await Promise.all(
    directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })),
  );
});

describe('findExecutable', () => {
  it('finds an executable on the given path, skips what is not executable, and sees one installed later', async () => {
    const first = await mkdtemp(path.join(tmpdir(), 'find-executable-'));
    const second = await mkdtemp(path.join(tmpdir(), 'find-executable-'));
    directories.push(first, second);
    const searchPath = [first, second].join(path.delimiter);
    const name = `shakedown-tool-${path.basename(first)}`;
    expect(findExecutable(name, searchPath)).toBeUndefined();
    await writeFile(path.join(first, name), 'data, not a program');
    await writeFile(path.join(second, name), '#!/bin/sh\n', { mode: 0o755 });
    expect(findExecutable(name, searchPath)).toBe(path.join(second, name));
    // Made executable later: the answer found first stands for this search path.
    await chmod(path.join(first, name), 0o755);
    expect(findExecutable(name, searchPath)).toBe(path.join(second, name));
    expect(findExecutable(name, first)).toBe(path.join(first, name));
    expect(findExecutable('sh', '')).toMatch(/\/sh$/);
  });
});
