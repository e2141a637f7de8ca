import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compare, parseVersion } from '../src/index.js';

describe('compare', () => {
  it('orders by major, minor and patch', () => {
    assert.deepEqual(['1.10.0', '1.2.0', '0.9.9', '1.2.10'].sort(compare), ['0.9.9', '1.2.0', '1.2.10', '1.10.0']);
  });

  it('sorts prereleases before the release', () => {
    assert.equal(compare('1.0.0-alpha', '1.0.0'), -1);
    assert.equal(compare('1.0.0-alpha.2', '1.0.0-alpha.10'), -1);
    assert.equal(compare('1.0.0-alpha.1', '1.0.0-beta'), -1);
  });

  it('rejects malformed versions', () => {
    assert.throws(() => parseVersion('1.2'), TypeError);
  });
});
