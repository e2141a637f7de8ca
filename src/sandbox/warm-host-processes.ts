import { warmBubblewrapProbes } from './bubblewrap-sandbox.ts';
import { findExecutable } from './find-executable.ts';
import { warmHostCommandServer } from './host-command.ts';
import { warmProcessSpawner } from './spawn-off-thread.ts';

/**
 * Starts shakedown's helper processes (the host command server and the process spawner) in the background at the
 * start of a run, so that their one-time start (a Node start each) is not paid inside the first attempts' steps;
 * with `bubblewrap` (the run's sandboxes may be bubblewrap), also the once-per-process bubblewrap probes.
 */
export function warmHostProcesses(options: { bubblewrap?: boolean } = {}): void {
  warmHostCommandServer();
  warmProcessSpawner();
  const bwrapPath = options.bubblewrap && process.platform === 'linux' ? findExecutable('bwrap') : undefined;
  if (bwrapPath) warmBubblewrapProbes(bwrapPath);
}
