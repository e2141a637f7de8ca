import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TopicBus } from '../src/index.js';

describe('TopicBus', () => {
  it('delivers to exact topic subscribers in order', () => {
    const bus = new TopicBus();
    const seen = [];
    bus.on('orders.created', (payload) => seen.push(`a:${payload.id}`));
    bus.on('orders.created', (payload, topic) => seen.push(`b:${topic}`));
    bus.on('orders.deleted', () => seen.push('wrong'));
    assert.equal(bus.emit('orders.created', { id: 7 }), 2);
    assert.deepEqual(seen, ['a:7', 'b:orders.created']);
  });

  it('unsubscribes and runs once listeners a single time', () => {
    const bus = new TopicBus();
    let count = 0;
    const off = bus.on('a', () => count++);
    bus.once('a', () => count++);
    bus.emit('a');
    bus.emit('a');
    off();
    bus.emit('a');
    assert.equal(count, 3);
  });

  it('rejects malformed topics', () => {
    const bus = new TopicBus();
    assert.throws(() => bus.on('a..b', () => {}), TypeError);
    assert.throws(() => bus.emit(''), TypeError);
  });
});
