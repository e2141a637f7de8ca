import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

/** A git repository being written commit by commit, for mining tests. */
export interface GitHistory {
  dir: string;
  /** Writes (or, for null, deletes) files, commits everything and returns the new commit's sha. */
  commit(message: string, files: Record<string, string | null>): Promise<string>;
  /** Runs git in the repository and returns its trimmed stdout. */
  git(...args: string[]): Promise<string>;
}

/** Creates an empty repository on branch `main` at `dir` with a fixed author (no user config needed). */
export async function createGitHistory(dir: string): Promise<GitHistory> {
  await mkdir(dir, { recursive: true });
  const env = {
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
  const git = async (...args: string[]) =>
    (await execa('git', ['-c', 'commit.gpgsign=false', ...args], { cwd: dir, env })).stdout.trim();
  await git('init', '--quiet', '--initial-branch=main');
  return {
    dir,
    git,
    async commit(message, files) {
      for (const [path, content] of Object.entries(files)) {
        const target = join(dir, path);
        if (content === null) {
          await rm(target, { force: true });
          continue;
        }
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
      await git('add', '--all');
      await git('commit', '--quiet', '-m', message);
      return git('rev-parse', 'HEAD');
    },
  };
}
