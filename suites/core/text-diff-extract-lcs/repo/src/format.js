import { diffLines } from './line-diff.js';

const prefixes = { equal: ' ', delete: '-', insert: '+' };

/** `start,count` of a hunk side; `before` = lines before the hunk. GNU style: ",1" is left out, empty is "N,0". */
function hunkRange(before, count) {
  if (count === 0) return `${before},0`;
  return count === 1 ? `${before + 1}` : `${before + 1},${count}`;
}

/**
 * Renders line-diff operations as a unified diff with `options.context` unchanged lines around each change
 * (default 3); `options.oldName` / `options.newName` name the two sides (default a and b). No changes: ''.
 */
export function formatUnified(ops, options = {}) {
  const { oldName = 'a', newName = 'b', context = 3 } = options;
  let oldLine = 0;
  let newLine = 0;
  const rows = ops.map((op) => {
    const row = { ...op, oldBefore: oldLine, newBefore: newLine };
    if (op.type !== 'insert') oldLine++;
    if (op.type !== 'delete') newLine++;
    return row;
  });

  const groups = [];
  rows.forEach((row, index) => {
    if (row.type === 'equal') return;
    const group = groups.at(-1);
    if (group !== undefined && index - group.last - 1 <= 2 * context) group.last = index;
    else groups.push({ first: index, last: index });
  });
  if (groups.length === 0) return '';

  const lines = [`--- ${oldName}`, `+++ ${newName}`];
  for (const { first, last } of groups) {
    const hunk = rows.slice(Math.max(0, first - context), Math.min(rows.length, last + context + 1));
    const oldCount = hunk.filter((row) => row.type !== 'insert').length;
    const newCount = hunk.filter((row) => row.type !== 'delete').length;
    lines.push(`@@ -${hunkRange(hunk[0].oldBefore, oldCount)} +${hunkRange(hunk[0].newBefore, newCount)} @@`);
    for (const row of hunk) {
      lines.push(prefixes[row.type] + row.value.replace(/\n$/, ''));
      if (!row.value.endsWith('\n')) lines.push('\\ No newline at end of file');
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Renders word-diff operations inline: deletions as `[-old-]`, insertions as `{+new+}`. */
export function formatWordDiff(ops) {
  return ops
    .map(({ type, value }) => (type === 'delete' ? `[-${value}-]` : type === 'insert' ? `{+${value}+}` : value))
    .join('');
}

/** Diffs two texts by line and renders the result as a unified diff (options of both diffLines and formatUnified). */
export function createPatch(oldText, newText, options = {}) {
  return formatUnified(diffLines(oldText, newText, options), options);
}
