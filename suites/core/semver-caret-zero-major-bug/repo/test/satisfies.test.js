import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maxSatisfying, satisfies } from '../src/index.js';

describe('satisfies', () => {
  it('handles comparators and alternatives', () => {
    assert.equal(satisfies('1.5.0', '>=1.2.0 <2.0.0'), true);
    assert.equal(satisfies('2.0.0', '>=1.2.0 <2.0.0'), false);
    assert.equal(satisfies('3.1.0', '1.x || >=3.0.0'), true);
  });

  it('handles caret ranges for major versions above zero', () => {
    assert.equal(satisfies('1.9.9', '^1.2.3'), true);
    assert.equal(satisfies('2.0.0', '^1.2.3'), false);
    assert.equal(satisfies('1.2.2', '^1.2.3'), false);
  });

  it('handles tilde ranges', () => {
    assert.equal(satisfies('1.2.9', '~1.2.3'), true);
    assert.equal(satisfies('1.3.0', '~1.2.3'), false);
  });

  it('excludes prereleases unless the range names one', () => {
    assert.equal(satisfies('2.0.0-rc.1', '^1.0.0'), false);
    assert.equal(satisfies('1.3.0-beta.2', '>=1.3.0-beta.1 <2.0.0'), true);
  });
});

describe('maxSatisfying', () => {
  it('picks the highest matching version', () => {
    assert.equal(maxSatisfying(['1.0.0', '1.4.2', '2.1.0', '1.10.1'], '^1.0.0'), '1.10.1');
    assert.equal(maxSatisfying(['3.0.0'], '^1.0.0'), null);
  });
});
