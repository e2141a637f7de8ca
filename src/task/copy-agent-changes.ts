import { chmod, copyFile, lstat, readdir, readFile, readlink, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { type ChangedPathClass, type ClassifyContext, classifyChangedPath } from './classify-changed-path.ts';
import { mergePackageJson, mergePyproject } from './merge-runner-config.ts';
import { listPatchFiles } from './patch-files.ts';
import type { Task } from './task.ts';
import { replaceWorkspaceFile } from './workspace-files.ts';

/** One change of the agent that grading did not take. */
export interface DroppedChange {
  path: string;
  change: 'added' | 'modified' | 'deleted';
  class: Exclude<ChangedPathClass, 'source'> | 'special-file';
  reason: string;
  /** Whether this change is a sign of tampering (test infrastructure, or an edit of a graded test file). */
  tampering: boolean;
}

/** What {@link copyAgentChanges} did. */
export interface CopiedAgentChanges {
  /** Paths of the agent's source changes applied to the clean copy. */
  copied: string[];
  dropped: DroppedChange[];
}

interface Entry {
  /** `tree`: a folder compared as a whole (installed packages, caches), by its `fingerprint`. */
  kind: 'file' | 'symlink' | 'other' | 'tree';
  mode: number;
  fingerprint?: string;
}

/** Larger files are no source change anyone grades: dropped unread (a disk filler, a core dump). */
const largestCopiedFileBytes = 64 * 1024 * 1024;

/** The root folder never compared: git's own (each copy has its own history). */
const skippedAtRoot = new Set(['.git']);
/** Folders compared as a whole: never copied, possibly large. */
const wholeFolders =
  /^(node_modules|__pycache__|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.hypothesis|.+\.(dist|egg)-info)$/;

/**
 * Carries the agent's change onto a clean copy of the base: compares the agent's workspace with `cleanDir` (a fresh
 * workspace of the same base, setup already run) without following links, and applies every added, modified or
 * deleted path that is the agent's source change (see classify-changed-path.ts); test files, test infrastructure,
 * caches, special files and links leaving the workspace are dropped and listed. `package.json` and
 * `pyproject.toml` keep the agent's change except their runner parts. Nothing of the agent's is executed.
 */
export async function copyAgentChanges(
  task: Task,
  agentDir: string,
  cleanDir: string,
): Promise<CopiedAgentChanges> {
  const [agent, clean] = await Promise.all([listEntries(agentDir), listEntries(cleanDir)]);
  const baseDirectories = new Set<string>();
  for (const file of clean.keys()) {
    const parts = file.split('/');
    for (let index = 1; index < parts.length; index++) baseDirectories.add(parts.slice(0, index).join('/'));
  }
  const declared = new Set(task.testFiles);
  for (const file of listPatchFiles(task.testsPatch)) {
    declared.add(file.path);
    if (file.previousPath) declared.add(file.previousPath);
  }
  const graded = gradedTestFiles(task, declared);
  const context: ClassifyContext = {
    testCommand: task.testCommand,
    declaredTestFiles: declared,
    baseHas: (relative) => clean.has(relative) || baseDirectories.has(relative),
  };
  const result: CopiedAgentChanges = { copied: [], dropped: [] };
  const drop = (
    file: string,
    change: DroppedChange['change'],
    kind: DroppedChange['class'],
    reason: string,
  ) => {
    const tampering =
      kind === 'test-infrastructure' || (kind === 'test-file' && change !== 'added' && graded.has(file));
    result.dropped.push({
      path: file,
      change,
      class: kind,
      reason: kind === 'test-file' && tampering ? `${reason}; a graded test file` : reason,
      tampering,
    });
  };

  const deleted = [...clean.keys()].filter((file) => !agent.has(file)).sort();
  for (const file of deleted) {
    const classified = classifyChangedPath(file, 'deleted', context);
    if (classified.class !== 'source') {
      drop(file, 'deleted', classified.class, classified.reason);
      continue;
    }
    await replaceWorkspaceFile(cleanDir, file, null);
    result.copied.push(file);
  }

  for (const [file, entry] of [...agent.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const before = clean.get(file);
    const change = before ? 'modified' : 'added';
    if (before && (await sameEntry(agentDir, cleanDir, file, entry, before))) continue;
    const classified = classifyChangedPath(file, change, context);
    if (classified.class !== 'source') {
      drop(file, change, classified.class, classified.reason);
      continue;
    }
    if (entry.kind === 'other' || entry.kind === 'tree') {
      drop(file, change, 'special-file', 'not a regular file or link (a FIFO, socket or device)');
      continue;
    }
    if (file.split('/').includes('.git')) {
      drop(file, change, 'special-file', 'inside a nested git repository');
      continue;
    }
    if ((await lstat(path.join(cleanDir, file)).catch(() => null))?.isDirectory()) {
      drop(file, change, 'special-file', 'would replace a folder of the base');
      continue;
    }
    if (entry.kind === 'symlink') {
      const target = await readlink(path.join(agentDir, file));
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
      if (path.isAbsolute(target) || resolved === '..' || resolved.startsWith('../')) {
        drop(file, change, 'special-file', `a link leaving the workspace (-> ${target})`);
        continue;
      }
      await replaceWorkspaceFile(cleanDir, file, Buffer.alloc(0));
      await rm(path.join(cleanDir, file), { force: true });
      await symlink(target, path.join(cleanDir, file));
      result.copied.push(file);
      continue;
    }
    const size = Number(entry.fingerprint ?? 0);
    if (size > largestCopiedFileBytes) {
      drop(
        file,
        change,
        'special-file',
        `${size} bytes, over the ${largestCopiedFileBytes}-byte limit of a graded file`,
      );
      continue;
    }
    const name = path.posix.basename(file);
    if (name === 'package.json' || name === 'pyproject.toml') {
      const content = await readFile(path.join(agentDir, file));
      const baseContent = before?.kind === 'file' ? await readFile(path.join(cleanDir, file), 'utf8') : null;
      const merge = name === 'package.json' ? mergePackageJson : mergePyproject;
      const merged = merge(baseContent, content.toString('utf8'));
      if (merged.dropped.length > 0) {
        drop(
          file,
          change,
          'test-infrastructure',
          `${name}: ${merged.dropped.join(', ')} (test-runner settings)`,
        );
      }
      if (merged.content === null) continue;
      await replaceWorkspaceFile(cleanDir, file, Buffer.from(merged.content));
    } else {
      // Creates the folders on the way (never through a link), then copies without reading the file into memory.
      await replaceWorkspaceFile(cleanDir, file, Buffer.alloc(0));
      await copyFile(path.join(agentDir, file), path.join(cleanDir, file));
    }
    await chmod(path.join(cleanDir, file), entry.mode & 0o777);
    result.copied.push(file);
  }
  return result;
}

/** Test files whose tests are graded: hidden and declared test files, and the files pytest-style ids name. */
function gradedTestFiles(task: Task, declared: ReadonlySet<string>): Set<string> {
  const graded = new Set(declared);
  for (const id of [...task.failToPass, ...task.passToPass]) {
    const file = /^([^\s:]+\.[a-z]+)::/.exec(id)?.[1];
    if (file) graded.add(file);
  }
  return graded;
}

/** Every non-directory entry under `root`, by relative `/` path; links are listed, never followed. */
async function listEntries(root: string): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  const walk = async (relative: string): Promise<void> => {
    const directory = relative ? path.join(root, relative) : root;
    let children: import('node:fs').Dirent[];
    try {
      children = await readdir(directory, { withFileTypes: true });
    } catch {
      return;
    }
    for (const child of children) {
      if (!relative && skippedAtRoot.has(child.name)) continue;
      const childPath = relative ? `${relative}/${child.name}` : child.name;
      if (child.isDirectory()) {
        if (wholeFolders.test(child.name)) {
          const inner = await listEntries(path.join(root, childPath));
          const fingerprint = [...inner.entries()]
            .map(([file, entry]) => `${file}:${entry.kind}:${entry.fingerprint ?? entry.mode}`)
            .sort()
            .join('\n');
          entries.set(childPath, { kind: 'tree', mode: 0, fingerprint });
        } else await walk(childPath);
        continue;
      }
      const stats = await lstat(path.join(root, childPath));
      const kind = stats.isSymbolicLink() ? 'symlink' : stats.isFile() ? 'file' : 'other';
      entries.set(childPath, {
        kind,
        mode: stats.mode,
        fingerprint: kind === 'file' ? String(stats.size) : undefined,
      });
    }
  };
  await walk('');
  return entries;
}

async function sameEntry(
  agentDir: string,
  cleanDir: string,
  file: string,
  agent: Entry,
  clean: Entry,
): Promise<boolean> {
  if (agent.kind !== clean.kind) return false;
  if (agent.kind === 'tree') return agent.fingerprint === clean.fingerprint;
  if (agent.kind === 'symlink') {
    return (await readlink(path.join(agentDir, file))) === (await readlink(path.join(cleanDir, file)));
  }
  if (agent.kind !== 'file') return true;
  if ((agent.mode & 0o111) !== (clean.mode & 0o111) || agent.fingerprint !== clean.fingerprint) return false;
  const [left, right] = await Promise.all([
    readFile(path.join(agentDir, file)),
    readFile(path.join(cleanDir, file)),
  ]);
  return left.equals(right);
}
