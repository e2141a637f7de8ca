export { TopicBus } from './bus.js';
export { splitTopic } from './topic.js';
