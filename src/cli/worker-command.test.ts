import { describe, expect, it } from 'vitest';
import { createWorkerCommand, workerCommand } from './worker-command.ts';

describe('shakedown worker', () => {
  it('requires --queue and --serves', () => {
    const command = createWorkerCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => {} });
    expect(() => command.parse(['--serves', 'ollama:a'], { from: 'user' })).toThrow(/--queue/);
    expect(() =>
      createWorkerCommand()
        .exitOverride()
        .configureOutput({ writeErr: () => {} })
        .parse(['--queue', 'redis://h:1'], { from: 'user' }),
    ).toThrow(/--serves/);
  });

  it('refuses a queue that is not a Redis URL', async () => {
    expect(await workerCommand({ queue: 'http://example.com', serves: ['ollama:a'] })).toBe(1);
  });
});
