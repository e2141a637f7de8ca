import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGit } from './run-git.ts';

let repository: string;
beforeAll(async () => {
  repository = await mkdtemp(path.join(tmpdir(), 'shakedown-run-git-'));
  await runGit(['init', '--quiet'], { cwd: repository });
});
afterAll(async () => {
  await rm(repository, { recursive: true, force: true });
});

describe('runGit (through the host command server)', () => {
  it("returns git's stdout unstripped, with the isolated identity and the caller's env", async () => {
    expect(await runGit(['var', 'GIT_AUTHOR_IDENT'], { cwd: repository })).toMatch(
      /^shakedown <shakedown@localhost> \d+ [+-]\d{4}\n$/,
    );
    expect(
      await runGit(['var', 'GIT_COMMITTER_IDENT'], { cwd: repository, env: { GIT_COMMITTER_NAME: 'x' } }),
    ).toMatch(/^x <shakedown@localhost>/);
  });

  it('names the command, its exit code and git’s stderr when git fails', async () => {
    await expect(runGit(['rev-parse', '--verify', 'no-such-ref'], { cwd: repository })).rejects.toThrow(
      /^git rev-parse --verify no-such-ref failed \(exit 128\): fatal: /,
    );
  });
});
