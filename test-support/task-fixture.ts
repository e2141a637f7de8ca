import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';

/** Files by relative path; null deletes. */
export type FileSet = Record<string, string | null>;

/** Creates a temporary directory; remove it with {@link removeTemporaryDirectories}. */
const created: string[] = [];
export async function temporaryDirectory(prefix = 'shakedown-task-'): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), prefix));
  created.push(directory);
  return directory;
}

/** Deletes every directory made by {@link temporaryDirectory}. */
export async function removeTemporaryDirectories(): Promise<void> {
  await Promise.all(created.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
}

/** Writes (or deletes, for null) files under `root`. */
export async function writeFiles(root: string, files: FileSet): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, path);
    if (content === null) {
      await rm(target, { force: true, recursive: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

/** Runs git with a fixed identity, failing loudly. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await execa(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
    {
      cwd,
    },
  );
  return result.stdout;
}

/** Makes `directory` a git repository with everything committed; returns the commit sha. */
export async function commitAll(directory: string, message = 'base'): Promise<string> {
  await git(directory, 'init', '--quiet');
  await git(directory, 'add', '-A');
  await git(directory, 'commit', '--quiet', '-m', message);
  return git(directory, 'rev-parse', 'HEAD');
}

/** The diff (as `git diff` prints it) that turns `base` files into `base` + `changes`. */
export async function makePatch(base: FileSet, changes: FileSet): Promise<string> {
  const directory = await temporaryDirectory('shakedown-patch-');
  await writeFiles(directory, base);
  await commitAll(directory);
  await writeFiles(directory, changes);
  await git(directory, 'add', '-A');
  return `${await git(directory, 'diff', '--cached', '--binary')}\n`;
}

/** What a task folder is built from. */
export interface TaskFixture {
  base: FileSet;
  gold: FileSet;
  tests: FileSet;
  yaml: Record<string, unknown>;
  /** `snapshot`: repo/ directory without git; `git`: a sibling git repository with base_commit. */
  repositoryKind: 'snapshot' | 'git';
}

/** Writes a task folder (task.yaml, instruction.md, gold.patch, tests.patch and the repository). */
export async function createTaskFolder(fixture: TaskFixture): Promise<string> {
  const root = await temporaryDirectory();
  const taskDirectory = join(root, 'task');
  await mkdir(taskDirectory);
  const repository: Record<string, unknown> = {};
  if (fixture.repositoryKind === 'snapshot') {
    await writeFiles(join(taskDirectory, 'repo'), fixture.base);
    repository.repo = { path: 'repo' };
  } else {
    const repositoryDirectory = join(root, 'source');
    await writeFiles(repositoryDirectory, fixture.base);
    repository.base_commit = await commitAll(repositoryDirectory);
    await writeFiles(repositoryDirectory, {
      'LATER.md': 'a later commit that must not leak into the base\n',
    });
    await git(repositoryDirectory, 'add', '-A');
    await git(repositoryDirectory, 'commit', '--quiet', '-m', 'later');
    repository.repo = { git: '../source' };
  }
  await writeFiles(taskDirectory, {
    'task.yaml': stringify({ ...repository, ...fixture.yaml }),
    'instruction.md': 'Fix the bug.\n',
    'gold.patch': await makePatch(fixture.base, fixture.gold),
    'tests.patch': await makePatch(fixture.base, fixture.tests),
  });
  return taskDirectory;
}

/** A workspace as an attempt gets it: the base files, committed in a fresh repository. */
export async function createWorkspace(base: FileSet): Promise<string> {
  const workspace = await temporaryDirectory('shakedown-workspace-');
  await writeFiles(workspace, base);
  await commitAll(workspace);
  return workspace;
}

/** Applies a patch to a workspace as an agent would have edited it. */
export async function applyToWorkspace(workspace: string, patch: string): Promise<void> {
  await execa('git', ['apply', '-'], { cwd: workspace, input: patch });
}

/** Copies a directory tree. */
export async function copyTree(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
}
