import { splitLines } from './line-diff.js';

/** Thrown when a diff does not fit the text it is applied to. */
export class PatchError extends Error {
  name = 'PatchError';
}

/**
 * Applies line-diff operations to `source` and returns the new text. Every `equal` and `delete` line must match
 * the source exactly, and the diff must cover the whole source; otherwise a PatchError is thrown.
 */
export function applyDiff(source, ops) {
  const lines = splitLines(source);
  const output = [];
  let cursor = 0;
  for (const op of ops) {
    if (op.type === 'insert') {
      output.push(op.value);
      continue;
    }
    if (cursor >= lines.length || lines[cursor] !== op.value) {
      throw new PatchError(`line ${cursor + 1} does not match the diff`);
    }
    if (op.type === 'equal') output.push(op.value);
    cursor++;
  }
  if (cursor !== lines.length) {
    throw new PatchError(`the diff covers ${cursor} lines but the source has ${lines.length}`);
  }
  return output.join('');
}

/** Turns a diff of old -> new into a diff of new -> old (deleted lines still come before inserted ones). */
export function reverseDiff(ops) {
  const reversed = [];
  let deletes = [];
  let inserts = [];
  const flush = () => {
    reversed.push(...deletes, ...inserts);
    deletes = [];
    inserts = [];
  };
  for (const op of ops) {
    if (op.type === 'equal') {
      flush();
      reversed.push({ ...op });
    } else if (op.type === 'insert') {
      deletes.push({ type: 'delete', value: op.value });
    } else {
      inserts.push({ type: 'insert', value: op.value });
    }
  }
  flush();
  return reversed;
}
