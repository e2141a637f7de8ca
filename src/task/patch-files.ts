/** How a patch changes one file. */
export type PatchFileChange = 'added' | 'modified' | 'deleted' | 'renamed';

/** One file a patch touches. */
export interface PatchFile {
  /** Path after the patch (before it, for a deleted file), relative to the repository root. */
  path: string;
  change: PatchFileChange;
  /** The path before the patch, for a rename. */
  previousPath?: string;
}

/** A patch that cannot be read. */
export class PatchParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchParseError';
  }
}

const hunkHeaderPattern = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;

/**
 * Lists the files a unified diff (`git diff` or plain `diff -u`) touches, in order, with whether each is added,
 * modified, deleted or renamed. Hunk bodies are skipped by their line counts, so content lines that look like
 * headers are not mistaken for them. Throws {@link PatchParseError} for a malformed hunk or an unsafe path
 * (absolute, or climbing out with `..`).
 */
export function listPatchFiles(patch: string): PatchFile[] {
  const lines = patch.split('\n');
  const files: PatchFile[] = [];
  let current:
    | {
        oldPath?: string | null;
        newPath?: string | null;
        change?: PatchFileChange;
        gitPaths?: [string, string];
      }
    | undefined;

  const finish = () => {
    if (!current) return;
    const oldPath = current.oldPath !== undefined ? current.oldPath : current.gitPaths?.[0];
    const newPath = current.newPath !== undefined ? current.newPath : current.gitPaths?.[1];
    let change = current.change;
    if (!change)
      change =
        oldPath === null
          ? 'added'
          : newPath === null
            ? 'deleted'
            : oldPath !== newPath
              ? 'renamed'
              : 'modified';
    const path = change === 'deleted' ? oldPath : newPath;
    if (!path) throw new PatchParseError('a file header names no path');
    const file: PatchFile = { path: safePath(path), change };
    if (change === 'renamed' && oldPath) file.previousPath = safePath(oldPath);
    files.push(file);
    current = undefined;
  };

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const gitHeader = /^diff --git (?:"?a\/(.+?)"?) (?:"?b\/(.+?)"?)$/.exec(line);
    if (gitHeader) {
      finish();
      current = { gitPaths: [unquote(gitHeader[1]), unquote(gitHeader[2])] };
      continue;
    }
    if (line.startsWith('--- ') && lines[index + 1]?.startsWith('+++ ')) {
      if (!current || current.oldPath !== undefined) {
        finish();
        current = {};
      }
      current.oldPath = headerPath(line.slice(4));
      current.newPath = headerPath(lines[index + 1].slice(4));
      index++;
      continue;
    }
    if (!current) continue;
    if (line.startsWith('new file mode')) current.change = 'added';
    else if (line.startsWith('deleted file mode')) current.change = 'deleted';
    else if (line.startsWith('rename from ')) {
      current.change = 'renamed';
      current.oldPath = unquote(line.slice('rename from '.length));
    } else if (line.startsWith('rename to ')) current.newPath = unquote(line.slice('rename to '.length));
    else {
      const hunk = hunkHeaderPattern.exec(line);
      if (hunk) index = skipHunk(lines, index, Number(hunk[1] ?? 1), Number(hunk[2] ?? 1));
    }
  }
  finish();
  return files;
}

function skipHunk(lines: string[], headerIndex: number, oldCount: number, newCount: number): number {
  let oldLeft = oldCount;
  let newLeft = newCount;
  let index = headerIndex;
  while (oldLeft > 0 || newLeft > 0) {
    index++;
    if (index >= lines.length) throw new PatchParseError(`hunk at line ${headerIndex + 1} is truncated`);
    const line = lines[index];
    if (line.startsWith('\\')) continue;
    const marker = line[0] ?? ' ';
    if (marker === ' ' || line === '') {
      oldLeft--;
      newLeft--;
    } else if (marker === '-') oldLeft--;
    else if (marker === '+') newLeft--;
    else throw new PatchParseError(`unexpected line ${index + 1} inside the hunk at line ${headerIndex + 1}`);
  }
  if (lines[index + 1]?.startsWith('\\')) index++;
  return index;
}

function headerPath(text: string): string | null {
  const path = unquote(text.split('\t')[0].trim());
  if (path === '/dev/null') return null;
  return path.replace(/^[ab]\//, '');
}

function unquote(path: string): string {
  if (path.length >= 2 && path.startsWith('"') && path.endsWith('"')) {
    return path
      .slice(1, -1)
      .replace(/\\(["\\])/g, '$1')
      .replace(/\\t/g, '\t')
      .replace(/\\n/g, '\n');
  }
  return path;
}

function safePath(path: string): string {
  const normalized = path.replace(/^\.\//, '');
  if (normalized.startsWith('/') || normalized.split('/').includes('..')) {
    throw new PatchParseError(`unsafe path "${path}" (must stay inside the repository)`);
  }
  return normalized;
}
