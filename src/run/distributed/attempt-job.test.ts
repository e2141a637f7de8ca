import { describe, expect, it } from 'vitest';
import { checkAttemptJobAgent } from './attempt-job.ts';

describe('checkAttemptJobAgent', () => {
  const installed = new Set(['/opt/aider', '/opt/aider/bin/aider']);
  const exists = (entry: string) => installed.has(entry);

  it('accepts the built-in agent and an external agent installed at the same paths', () => {
    expect(() => checkAttemptJobAgent(null, exists)).not.toThrow();
    expect(() =>
      checkAttemptJobAgent(
        {
          label: 'external (preset aider)',
          command: "'/opt/aider/bin/aider' --yes",
          readOnlyPaths: ['/opt/aider'],
        },
        exists,
      ),
    ).not.toThrow();
  });

  it('refuses a malformed agent and names what is missing on the worker', () => {
    expect(() => checkAttemptJobAgent(undefined, exists)).toThrow(/no valid agent/);
    expect(() => checkAttemptJobAgent({ label: 'x', command: 'a', readOnlyPaths: ['rel'] }, exists)).toThrow(
      /no valid agent/,
    );
    expect(() =>
      checkAttemptJobAgent(
        {
          label: 'external (preset aider)',
          command: "'/usr/local/bin/aider' --yes",
          readOnlyPaths: ['/opt/aider'],
        },
        exists,
      ),
    ).toThrow("not installed on this worker at the coordinator's path (missing: /usr/local/bin/aider)");
  });
});
