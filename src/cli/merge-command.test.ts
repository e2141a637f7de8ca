import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.ts';
import { mergeCommand } from './merge-command.ts';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'shakedown-merge-command-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function writeShard(name: string, attemptIndex: number) {
  const store = openStore(path.join(directory, name));
  const runId = 'run-20260101-000000-abcd';
  store.createRun({
    id: runId,
    config: null,
    configHash: 'same',
    simulated: true,
    models: [{ modelId: 'simulated:alpha', provider: 'simulated', simulated: true }],
    tasks: [{ taskId: 'task-a', taskHash: 'task' }],
  });
  store.ensureAttempts(runId, [{ modelId: 'simulated:alpha', taskId: 'task-a', attemptIndex }]);
  const [attempt] = store.attempts(runId);
  store.claimAttempt(attempt!.id, name);
  store.finishAttempt(attempt!.id, { agentStatus: 'submitted', grade: { status: 'resolved' } });
  store.close();
}

describe('shakedown merge', () => {
  it('merges shard stores into one run and prints a summary; merging again copies nothing', () => {
    writeShard('shard-1', 0);
    writeShard('shard-2', 1);
    let output = '';
    const shards = [path.join(directory, 'shard-1'), path.join(directory, 'shard-2')];
    expect(mergeCommand(path.join(directory, 'out'), shards, (text) => (output += text))).toBe(0);
    expect(output).toContain('runs added: 1');
    expect(output).toContain('attempts copied: 2');
    expect(output).toContain('run run-20260101-000000-abcd: 2 finished attempts, 2 resolved');

    output = '';
    expect(mergeCommand(path.join(directory, 'out'), shards, (text) => (output += text))).toBe(0);
    expect(output).toContain('attempts copied: 0');
    expect(output).toContain('attempts already present: 2');
  });

  it('fails on a missing input store', () => {
    expect(mergeCommand(path.join(directory, 'out'), [path.join(directory, 'missing')], () => {})).toBe(1);
  });
});
