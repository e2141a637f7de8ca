/** How a fuzzy edit matched: ignoring trailing whitespace, or ignoring indentation too. */
export type FuzzyStrategy = 'trailing-whitespace' | 'indentation';

/** A unique fuzzy match: the file lines [startLine, endLine) and the replacement re-indented to fit. */
export interface FuzzyMatch {
  strategy: FuzzyStrategy;
  startLine: number;
  endLine: number;
  /** How many places matched with this strategy (the edit is applied only when exactly 1). */
  count: number;
}

function toLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const normalizers: Record<FuzzyStrategy, (line: string) => string> = {
  'trailing-whitespace': (line) => line.replace(/[ \t\r]+$/, ''),
  indentation: (line) => line.trim().replace(/[ \t]+/g, ' '),
};

/** Finds where `oldText` matches `fileText` line by line once whitespace is normalized, trying stricter strategies first. */
export function findFuzzyMatch(fileText: string, oldText: string): FuzzyMatch | undefined {
  const fileLines = fileText.split('\n');
  const oldLines = toLines(oldText);
  if (oldLines.every((line) => line.trim() === '')) return undefined;
  for (const strategy of ['trailing-whitespace', 'indentation'] as const) {
    const normalize = normalizers[strategy];
    const wanted = oldLines.map(normalize);
    const normalizedFile = fileLines.map(normalize);
    const starts: number[] = [];
    for (let start = 0; start + wanted.length <= normalizedFile.length; start++) {
      if (wanted.every((line, offset) => normalizedFile[start + offset] === line)) starts.push(start);
    }
    if (starts.length > 0) {
      return { strategy, startLine: starts[0]!, endLine: starts[0]! + wanted.length, count: starts.length };
    }
  }
  return undefined;
}

function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** Replaces the matched file lines with `newText`, shifting its indentation by the difference the match revealed. */
export function applyFuzzyMatch(
  fileText: string,
  match: FuzzyMatch,
  oldText: string,
  newText: string,
): string {
  const fileLines = fileText.split('\n');
  const oldLines = toLines(oldText);
  let newLines = newText === '' ? [] : toLines(newText);
  if (match.strategy === 'indentation') {
    const firstIndex = oldLines.findIndex((line) => line.trim() !== '');
    const fileIndent = leadingWhitespace(fileLines[match.startLine + firstIndex]!);
    const oldIndent = leadingWhitespace(oldLines[firstIndex]!);
    newLines = newLines.map((line) => {
      if (line.trim() === '') return line;
      if (line.startsWith(oldIndent)) return fileIndent + line.slice(oldIndent.length);
      return fileIndent + line.trimStart();
    });
  }
  fileLines.splice(match.startLine, match.endLine - match.startLine, ...newLines);
  return fileLines.join('\n');
}

function bigrams(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (let index = 0; index < text.length - 1; index++) {
    const pair = text.slice(index, index + 2);
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  return counts;
}

function similarity(left: string, right: string): number {
  if (left === right) return 1;
  if (left.length < 2 || right.length < 2) return 0;
  const leftPairs = bigrams(left);
  let shared = 0;
  for (const [pair, count] of bigrams(right)) shared += Math.min(count, leftPairs.get(pair) ?? 0);
  return (2 * shared) / (left.length + right.length - 2);
}

/** The file lines most similar to the first non-blank line of `oldText`, as `line: text`, best first. */
export function nearMissLines(fileText: string, oldText: string, limit = 3): string[] {
  const target =
    toLines(oldText)
      .find((line) => line.trim() !== '')
      ?.trim() ?? '';
  return fileText
    .split('\n')
    .map((line, index) => ({ line, index, score: similarity(line.trim(), target) }))
    .filter((candidate) => candidate.score >= 0.4)
    .sort((left, right) => right.score - left.score || left.index - right.index)
    .slice(0, limit)
    .map((candidate) => `${candidate.index + 1}: ${candidate.line}`);
}
