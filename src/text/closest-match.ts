/** Edit distance (insertions, deletions, substitutions and swaps of neighbours count 1) between two strings. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const distance: number[][] = Array.from({ length: rows }, (_, row) =>
    Array.from({ length: columns }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)),
  );
  for (let row = 1; row < rows; row++) {
    for (let column = 1; column < columns; column++) {
      const cost = a[row - 1] === b[column - 1] ? 0 : 1;
      let best = Math.min(
        distance[row - 1]![column]! + 1,
        distance[row]![column - 1]! + 1,
        distance[row - 1]![column - 1]! + cost,
      );
      if (row > 1 && column > 1 && a[row - 1] === b[column - 2] && a[row - 2] === b[column - 1]) {
        best = Math.min(best, distance[row - 2]![column - 2]! + 1);
      }
      distance[row]![column] = best;
    }
  }
  return distance[a.length]![b.length]!;
}

/**
 * The candidate closest to `word` (case-insensitive), or null when none is close enough to be a likely typo: at
 * most a third of the longer word's length (and at least 1) edits away, the way commander suggests commands.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | null {
  const lower = word.toLowerCase();
  let best: { candidate: string; distance: number } | null = null;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    const limit = Math.max(1, Math.floor(Math.max(lower.length, candidate.length) / 3));
    if (distance > limit) continue;
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best?.candidate ?? null;
}

/** ` (did you mean "x"?)` when a candidate is close to `word`, else an empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closestMatch(word, candidates);
  return match === null ? '' : ` (did you mean ${JSON.stringify(match)}?)`;
}
