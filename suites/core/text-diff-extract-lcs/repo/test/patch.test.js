import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyDiff, createPatch, diffLines, PatchError, reverseDiff } from '../src/index.js';

const before = 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n';
const after = 'one\ntwo\nTHREE\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven';

describe('patches', () => {
  it('applies a diff to the old text', () => {
    assert.equal(applyDiff(before, diffLines(before, after)), after);
    assert.equal(applyDiff('', diffLines('', 'x\ny')), 'x\ny');
  });

  it('applies a reversed diff to the new text', () => {
    const reversed = reverseDiff(diffLines(before, after));
    assert.equal(applyDiff(after, reversed), before);
    assert.deepEqual(reverseDiff(diffLines('a\nb\n', 'a\nc\n')).map((op) => op.type), ['equal', 'delete', 'insert']);
  });

  it('rejects a diff that does not fit the text', () => {
    const ops = diffLines('a\nb\n', 'a\nc\n');
    assert.throws(() => applyDiff('a\nx\n', ops), PatchError);
    assert.throws(() => applyDiff('a\nb\nextra\n', ops), /covers 2 lines/);
  });

  it('renders unified hunks with context', () => {
    assert.equal(
      createPatch(before, after, { oldName: 'old.txt', newName: 'new.txt' }),
      [
        '--- old.txt',
        '+++ new.txt',
        '@@ -1,6 +1,6 @@',
        ' one',
        ' two',
        '-three',
        '+THREE',
        ' four',
        ' five',
        ' six',
        '@@ -8,3 +8,4 @@',
        ' eight',
        ' nine',
        ' ten',
        '+eleven',
        '\\ No newline at end of file',
        '',
      ].join('\n'),
    );
  });

  it('merges nearby changes into one hunk and handles empty sides', () => {
    const patch = createPatch(before, after, { context: 4 });
    assert.equal(patch.split('\n').filter((line) => line.startsWith('@@')).length, 1);
    assert.match(patch, /^@@ -1,10 \+1,11 @@$/m);
    assert.equal(createPatch('', 'x\n'), '--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n');
    assert.equal(createPatch('x\n', 'x\n'), '');
  });
});
