/**
 * Line diff. A diff is a list of operations `{ type: 'equal' | 'delete' | 'insert', value }` that turns the old
 * text into the new one; between two `equal` operations the deleted lines come before the inserted ones.
 */

/** Splits `text` into lines that keep their terminating '\n' (the last line may lack one); '' has no lines. */
export function splitLines(text) {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const normalize = (line) => line.trim().replace(/\s+/g, ' ');

/**
 * Diffs two texts line by line, aligning them on a longest common subsequence of lines.
 * `options.ignoreWhitespace` compares lines with their ends trimmed and inner whitespace runs collapsed;
 * `equal` operations always carry the old line.
 */
export function diffLines(oldText, newText, options = {}) {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const same = options.ignoreWhitespace ? (x, y) => normalize(x) === normalize(y) : (x, y) => x === y;

  // table[i][j] = length of the longest common subsequence of a.slice(i) and b.slice(j)
  const table = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i][j] = same(a[i], b[j]) ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }

  const ops = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (same(a[i], b[j])) {
      ops.push({ type: 'equal', value: a[i] });
      i++;
      j++;
    } else if (table[i + 1][j] >= table[i][j + 1]) {
      ops.push({ type: 'delete', value: a[i++] });
    } else {
      ops.push({ type: 'insert', value: b[j++] });
    }
  }
  while (i < a.length) ops.push({ type: 'delete', value: a[i++] });
  while (j < b.length) ops.push({ type: 'insert', value: b[j++] });
  return ops;
}
