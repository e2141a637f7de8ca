import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffWords, tokenizeWords } from '../src/word-diff.js';
import { formatWordDiff } from '../src/format.js';

describe('diffWords', () => {
  it('tokenizes words and whitespace runs', () => {
    assert.deepEqual(tokenizeWords('the  quick\tfox'), ['the', '  ', 'quick', '\t', 'fox']);
    assert.deepEqual(tokenizeWords(''), []);
  });

  it('merges neighbouring tokens of the same kind', () => {
    assert.deepEqual(diffWords('the quick brown fox', 'the slow brown dog'), [
      { type: 'equal', value: 'the ' },
      { type: 'delete', value: 'quick' },
      { type: 'insert', value: 'slow' },
      { type: 'equal', value: ' brown ' },
      { type: 'delete', value: 'fox' },
      { type: 'insert', value: 'dog' },
    ]);
  });

  it('renders inline markers', () => {
    assert.equal(formatWordDiff(diffWords('one two three', 'one three four')), 'one [-two -]three{+ four+}');
    assert.equal(formatWordDiff(diffWords('same', 'same')), 'same');
  });

  it('compares case-insensitively on request, keeping the old text', () => {
    assert.equal(formatWordDiff(diffWords('Hello World', 'hello there world', { ignoreCase: true })), 'Hello {+there +}World');
    assert.equal(formatWordDiff(diffWords('Hello', 'hello')), '[-Hello-]{+hello+}');
  });
});
