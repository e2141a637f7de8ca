let nextId = 1;

/** One unit of work: `handler(payload, job)` may be async; status goes pending -> running -> done | failed. */
export class Job {
  constructor(name, handler, payload) {
    this.id = nextId++;
    this.name = name;
    this.handler = handler;
    this.payload = payload;
    this.status = 'pending';
    this.attempts = 0;
    this.result = undefined;
    this.error = undefined;
  }

  toJSON() {
    return { id: this.id, name: this.name, status: this.status, attempts: this.attempts };
  }
}
