import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../src/router.js';

describe('Router', () => {
  it('dispatches to the matching handler with params', () => {
    const router = new Router().get('/users/:id', (request) => ({ status: 200, body: `user ${request.params.id}` }));
    assert.deepEqual(router.handle({ method: 'GET', path: '/users/5' }), { status: 200, body: 'user 5' });
  });

  it('answers 404 when nothing matches', () => {
    const router = new Router().get('/a', () => ({ status: 200 }));
    assert.equal(router.handle({ method: 'POST', path: '/a' }).status, 404);
  });

  it('serves repeated lookups from the cache', () => {
    const router = new Router().get('/a', () => ({ status: 200 }));
    router.lookup('GET', '/a');
    router.lookup('GET', '/a');
    assert.deepEqual(router.stats, { hits: 1, misses: 1 });
  });
});
