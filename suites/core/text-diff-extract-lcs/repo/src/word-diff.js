/** Splits `text` into alternating runs of whitespace and non-whitespace characters. */
export function tokenizeWords(text) {
  return text.match(/\s+|\S+/g) ?? [];
}

/**
 * Diffs two texts word by word (whitespace runs are tokens too) and merges neighbouring tokens of the same kind,
 * so the result is a list of `{ type: 'equal' | 'delete' | 'insert', value }` operations like `diffLines` returns.
 * `options.ignoreCase` compares tokens case-insensitively; `equal` operations carry the old text.
 */
export function diffWords(oldText, newText, options = {}) {
  const left = tokenizeWords(oldText);
  const right = tokenizeWords(newText);
  const equals = options.ignoreCase ? (x, y) => x.toLowerCase() === y.toLowerCase() : (x, y) => x === y;
  const n = left.length;
  const m = right.length;

  // lengths[row][col]: how many tokens left.slice(row) and right.slice(col) have in common, in order
  const lengths = [];
  for (let row = n; row >= 0; row--) {
    lengths[row] = new Array(m + 1).fill(0);
    if (row === n) continue;
    for (let col = m - 1; col >= 0; col--) {
      if (equals(left[row], right[col])) lengths[row][col] = lengths[row + 1][col + 1] + 1;
      else lengths[row][col] = Math.max(lengths[row + 1][col], lengths[row][col + 1]);
    }
  }

  const ops = [];
  const push = (type, value) => {
    const last = ops.at(-1);
    if (last?.type === type) last.value += value;
    else ops.push({ type, value });
  };
  let row = 0;
  let col = 0;
  while (row < n || col < m) {
    if (row < n && col < m && equals(left[row], right[col])) {
      push('equal', left[row]);
      row++;
      col++;
    } else if (col === m || (row < n && lengths[row + 1][col] >= lengths[row][col + 1])) {
      push('delete', left[row++]);
    } else {
      push('insert', right[col++]);
    }
  }
  return ops;
}
