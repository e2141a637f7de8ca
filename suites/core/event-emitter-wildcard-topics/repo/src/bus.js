import { Subscription } from './subscription.js';
import { splitTopic } from './topic.js';

/** Publish/subscribe over dotted topics. Listeners run synchronously in subscription order. */
export class TopicBus {
  constructor() {
    this.subscriptions = [];
  }

  /** Subscribes `listener(payload, topic)`; returns a function that unsubscribes. */
  on(topic, listener) {
    return this.add(new Subscription(topic, listener));
  }

  once(topic, listener) {
    return this.add(new Subscription(topic, listener, { once: true }));
  }

  add(subscription) {
    this.subscriptions.push(subscription);
    return () => this.remove(subscription);
  }

  remove(subscription) {
    this.subscriptions = this.subscriptions.filter((candidate) => candidate !== subscription);
  }

  /** Delivers `payload` to every matching listener; returns how many listeners ran. */
  emit(topic, payload) {
    const segments = splitTopic(topic);
    const matching = this.subscriptions.filter((subscription) => subscription.matches(segments));
    for (const subscription of matching) {
      if (subscription.once) this.remove(subscription);
      subscription.listener(payload, topic);
    }
    return matching.length;
  }

  listenerCount(topic) {
    const segments = splitTopic(topic);
    return this.subscriptions.filter((subscription) => subscription.matches(segments)).length;
  }
}
