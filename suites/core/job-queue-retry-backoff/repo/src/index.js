export { JobQueue } from './queue.js';
export { Job } from './job.js';
export { realSleep } from './sleep.js';
