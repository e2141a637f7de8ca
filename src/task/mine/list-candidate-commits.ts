import { runGit } from '../../workspace/run-git.ts';
import { isDocumentationFile, isTestFile, languageOfFile, type TestFileLanguage } from '../is-test-file.ts';

/** One first-parent commit of the mined history and whether it can become a task. */
export interface HistoryCommit {
  sha: string;
  /** The first parent; null for a root commit. */
  parent: string | null;
  /** A merge commit: its change is the diff against the first parent (the merged branch as one unit, as SWE-bench). */
  merge?: boolean;
  subject: string;
  body: string;
  /** Changed test files (by the language's test-file conventions). */
  testFiles: string[];
  /** Changed non-test files (code and others). */
  sourceFiles: string[];
  /** The language of the changed test files, else of the changed source files, when known. */
  language?: TestFileLanguage;
  /** Why the commit cannot be a task; absent for a candidate. */
  skipReason?: string;
}

/** Options of {@link listHistoryCommits}. */
export interface ListHistoryCommitsOptions {
  /** Only commits after this ref (`REF..HEAD`). */
  since?: string;
  /** Test-file conventions of this language only. */
  language?: TestFileLanguage;
  /** A commit changing more lines than this is skipped (default 2000). */
  maxChangedLines?: number;
  /** A commit changing more files than this is skipped (default 100). */
  maxChangedFiles?: number;
}

/**
 * Walks `HEAD`'s first-parent history, newest first, and classifies each commit: root commits, commits that do not
 * change both code and test files, and huge diffs get a `skipReason`; the rest are mining candidates. A merge commit
 * is judged by its diff against the first parent (everything the merged pull request brought in).
 * Yields lazily so that a long history is not read up front.
 */
export async function* listHistoryCommits(
  repositoryDir: string,
  options: ListHistoryCommitsOptions = {},
): AsyncGenerator<HistoryCommit> {
  const range = options.since ? `${options.since}..HEAD` : 'HEAD';
  const lines = (await runGit(['rev-list', '--first-parent', '--parents', range], { cwd: repositoryDir }))
    .split('\n')
    .filter(Boolean);
  for (const line of lines) {
    const [sha, ...parents] = line.split(' ');
    const message = await runGit(['log', '-1', '--format=%B', sha], { cwd: repositoryDir });
    const [subject = '', ...rest] = message.trim().split('\n');
    const commit: HistoryCommit = {
      sha,
      parent: parents[0] ?? null,
      subject: subject.trim(),
      body: rest.join('\n').trim(),
      testFiles: [],
      sourceFiles: [],
    };
    if (parents.length > 1) commit.merge = true;
    if (commit.parent === null) {
      commit.skipReason = 'root commit (no parent to start from)';
      yield commit;
      continue;
    }
    const numstat = await runGit(['diff', '--numstat', '--no-renames', commit.parent, sha], {
      cwd: repositoryDir,
    });
    let changedLines = 0;
    for (const entry of numstat.split('\n').filter(Boolean)) {
      const [added, deleted, ...pathParts] = entry.split('\t');
      const path = pathParts.join('\t');
      changedLines += (Number(added) || 0) + (Number(deleted) || 0);
      if (isTestFile(path, options.language)) commit.testFiles.push(path);
      else commit.sourceFiles.push(path);
    }
    commit.language =
      options.language ??
      commit.testFiles.map(languageOfFile).find((language) => language !== undefined) ??
      commit.sourceFiles.map(languageOfFile).find((language) => language !== undefined);
    const codeFiles = commit.sourceFiles.filter(
      (path) =>
        !isDocumentationFile(path) &&
        (options.language === undefined || languageOfFile(path) === options.language),
    );
    const changedFiles = commit.testFiles.length + commit.sourceFiles.length;
    if (commit.testFiles.length === 0 || codeFiles.length === 0) {
      commit.skipReason = commit.testFiles.length === 0 ? 'changes no test file' : 'changes no source file';
    } else if (
      changedLines > (options.maxChangedLines ?? 2000) ||
      changedFiles > (options.maxChangedFiles ?? 100)
    ) {
      commit.skipReason = `diff too large (${changedFiles} files, ${changedLines} lines)`;
    }
    yield commit;
  }
}
