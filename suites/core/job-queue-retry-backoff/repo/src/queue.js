import { Job } from './job.js';
import { realSleep } from './sleep.js';

/**
 * Runs jobs one at a time in the order they were added.
 * Options: `sleep(ms)` is how the queue waits (inject a fake one in tests).
 */
export class JobQueue {
  constructor({ sleep = realSleep } = {}) {
    this.sleep = sleep;
    this.pending = [];
    this.finished = [];
  }

  add(name, handler, payload) {
    const job = new Job(name, handler, payload);
    this.pending.push(job);
    return job;
  }

  /** Runs every pending job; resolves to `{ done, failed }` counts for this run. */
  async run() {
    const summary = { done: 0, failed: 0 };
    while (this.pending.length > 0) {
      const job = this.pending.shift();
      await this.execute(job);
      summary[job.status]++;
      this.finished.push(job);
    }
    return summary;
  }

  async execute(job) {
    job.status = 'running';
    job.attempts++;
    try {
      job.result = await job.handler(job.payload, job);
      job.status = 'done';
    } catch (error) {
      job.error = error;
      job.status = 'failed';
    }
  }
}
