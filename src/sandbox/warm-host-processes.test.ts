import { describe, expect, it } from 'vitest';
import { hostCommandServerPids } from './host-command.ts';
import { isProcessAlive } from './is-process-alive.ts';
import { processSpawnerPid } from './spawn-off-thread.ts';
import { warmHostProcesses } from './warm-host-processes.ts';

describe('warmHostProcesses', () => {
  it('starts the host command server and the process spawner before any command needs them', async () => {
    expect(hostCommandServerPids()).toEqual([]);
    expect(processSpawnerPid()).toBeUndefined();
    warmHostProcesses();
    while (hostCommandServerPids().length === 0 || processSpawnerPid() === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(hostCommandServerPids().every(isProcessAlive)).toBe(true);
    expect(isProcessAlive(processSpawnerPid()!)).toBe(true);
    // Warming again starts nothing more.
    const before = [hostCommandServerPids(), processSpawnerPid()];
    warmHostProcesses();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([hostCommandServerPids(), processSpawnerPid()]).toEqual(before);
  });
});
