/**
 * Child process of the spawn-off-thread tests: starts one process through the spawner, prints the spawner's pid once
 * that process has closed, then either ends on its own (nothing may keep it alive) or, with `--stay`, waits.
 */
import { processSpawnerPid, spawnOffThread } from '../src/sandbox/spawn-off-thread.ts';

const started = await spawnOffThread('/bin/sh', ['-c', 'exec cat'], {
  env: { PATH: '/usr/bin:/bin' },
  pipes: 3,
});
started.stdout?.resume();
started.stdin?.end('x');
await new Promise((resolve) => started.once('close', resolve));
process.stdout.write(`${processSpawnerPid()}\n`);
if (process.argv.includes('--stay')) setInterval(() => {}, 60_000);
