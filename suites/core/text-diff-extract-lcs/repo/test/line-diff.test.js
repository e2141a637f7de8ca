import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffLines, splitLines } from '../src/line-diff.js';

const ops = (list) => list.map(([type, value]) => ({ type, value }));

describe('diffLines', () => {
  it('splits text into lines that keep their terminator', () => {
    assert.deepEqual(splitLines('a\nb'), ['a\n', 'b']);
    assert.deepEqual(splitLines('a\n\n'), ['a\n', '\n']);
    assert.deepEqual(splitLines(''), []);
  });

  it('keeps common lines and reports changed ones', () => {
    assert.deepEqual(
      diffLines('one\ntwo\nthree\n', 'one\n2\nthree\nfour\n'),
      ops([['equal', 'one\n'], ['delete', 'two\n'], ['insert', '2\n'], ['equal', 'three\n'], ['insert', 'four\n']]),
    );
  });

  it('handles empty and identical texts', () => {
    assert.deepEqual(diffLines('', ''), []);
    assert.deepEqual(diffLines('', 'x\n'), ops([['insert', 'x\n']]));
    assert.deepEqual(diffLines('x\ny\n', ''), ops([['delete', 'x\n'], ['delete', 'y\n']]));
    assert.deepEqual(diffLines('x\ny', 'x\ny'), ops([['equal', 'x\n'], ['equal', 'y']]));
  });

  it('treats a missing final newline as a change', () => {
    assert.deepEqual(diffLines('x\ny', 'x\ny\n'), ops([['equal', 'x\n'], ['delete', 'y'], ['insert', 'y\n']]));
  });

  it('picks the same alignment when several are equally long', () => {
    assert.deepEqual(diffLines('a\nb\n', 'b\na\n'), ops([['delete', 'a\n'], ['equal', 'b\n'], ['insert', 'a\n']]));
  });

  it('ignores whitespace differences on request, keeping the old line', () => {
    assert.deepEqual(
      diffLines('if (x) {\n  go();\n}\n', 'if (x)  {\n    go();\n}\n', { ignoreWhitespace: true }),
      ops([['equal', 'if (x) {\n'], ['equal', '  go();\n'], ['equal', '}\n']]),
    );
    assert.equal(diffLines('a b\n', 'a  b\n').length, 2);
  });
});
