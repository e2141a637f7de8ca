import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern } from '../src/route-pattern.js';

describe('compilePattern', () => {
  it('matches static paths', () => {
    assert.deepEqual(compilePattern('/health')('/health'), {});
    assert.equal(compilePattern('/health')('/healthz'), null);
  });

  it('captures named parameters', () => {
    assert.deepEqual(compilePattern('/users/:id/posts/:postId')('/users/42/posts/7'), { id: '42', postId: '7' });
  });

  it('captures the rest of the path with a trailing wildcard', () => {
    assert.deepEqual(compilePattern('/static/*')('/static/css/site.css'), { wildcard: 'css/site.css' });
  });

  it('ignores the query string', () => {
    assert.deepEqual(compilePattern('/search')('/search?q=x'), {});
  });
});
