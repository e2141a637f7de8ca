import { describe, expect, it } from 'vitest';
import { attemptIdOfJob, attemptQueueNameOf, jobIdOf, resultQueueNameOf } from './queue-names.ts';
import { redisConnectionOf } from './redis-connection.ts';

describe('queue names', () => {
  it('makes colon-free names and job ids that round-trip the attempt id', () => {
    const attemptId = 'run-20260101-000000-abcd/ollama:qwen3:8b@http://gpu-1:11434/task-a/0';
    expect(jobIdOf(attemptId)).not.toContain(':');
    expect(attemptIdOfJob(jobIdOf(attemptId))).toBe(attemptId);
    for (const name of [attemptQueueNameOf('ollama:qwen3:8b'), resultQueueNameOf('run-20260101-000000-abcd')])
      expect(name).not.toContain(':');
    expect(attemptQueueNameOf('ollama:a_b')).not.toBe(attemptQueueNameOf('ollama:a:b'));
    expect(attemptQueueNameOf('ollama:a')).toBe(attemptQueueNameOf('ollama:a'));
  });
});

describe('redisConnectionOf', () => {
  it('parses host, port, credentials, database and TLS', () => {
    expect(redisConnectionOf('redis://10.0.0.5:6380')).toEqual({ host: '10.0.0.5', port: 6380 });
    expect(redisConnectionOf('rediss://user:p%40ss@h/2')).toEqual({
      host: 'h',
      port: 6379,
      username: 'user',
      password: 'p@ss',
      db: 2,
      tls: {},
    });
    for (const bad of ['http://h:1', 'nonsense', 'redis://h/x'])
      expect(() => redisConnectionOf(bad), bad).toThrow();
  });
});
