import { splitTopic } from './topic.js';

let nextId = 1;

/** A listener registered for a topic. */
export class Subscription {
  constructor(topic, listener, { once = false } = {}) {
    this.id = nextId++;
    this.topic = topic;
    this.segments = splitTopic(topic);
    this.listener = listener;
    this.once = once;
  }

  /** Whether this subscription receives events published on `segments`. */
  matches(segments) {
    return this.segments.length === segments.length && this.segments.every((segment, index) => segment === segments[index]);
  }
}
