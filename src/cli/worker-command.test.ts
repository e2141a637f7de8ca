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

  it('says in its help that an external agent must be installed at the same path on every worker', () => {
    let help = '';
    createWorkerCommand()
      .configureOutput({ writeOut: (text) => (help += text) })
      .outputHelp();
    expect(help).toContain('--agent');
    expect(help).toContain('install the agent on every worker at the same path');
  });

  it('refuses a queue that is not a Redis URL', async () => {
    expect(await workerCommand({ queue: 'http://example.com', serves: ['ollama:a'] })).toBe(1);
  });
});
