import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JobQueue } from '../src/index.js';

describe('JobQueue', () => {
  it('runs jobs in order and keeps their results', async () => {
    const queue = new JobQueue();
    const order = [];
    const a = queue.add('a', async (payload) => { order.push('a'); return payload * 2; }, 21);
    queue.add('b', () => { order.push('b'); });
    assert.deepEqual(await queue.run(), { done: 2, failed: 0 });
    assert.deepEqual(order, ['a', 'b']);
    assert.equal(a.result, 42);
  });

  it('records a failing job without stopping the queue', async () => {
    const queue = new JobQueue();
    const bad = queue.add('bad', () => { throw new Error('boom'); });
    const good = queue.add('good', () => 'ok');
    assert.deepEqual(await queue.run(), { done: 1, failed: 1 });
    assert.equal(bad.status, 'failed');
    assert.equal(bad.error.message, 'boom');
    assert.equal(bad.attempts, 1);
    assert.equal(good.status, 'done');
  });

  it('serialises jobs as plain objects', () => {
    const job = new JobQueue().add('x', () => {});
    assert.deepEqual(Object.keys(job.toJSON()), ['id', 'name', 'status', 'attempts']);
  });
});
