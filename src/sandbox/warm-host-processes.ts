import { warmHostCommandServer } from './host-command.ts';
import { warmProcessSpawner } from './spawn-off-thread.ts';

/**
 * Starts shakedown's helper processes (the host command server and the process spawner) in the background at the
 * start of a run, so that their one-time start (a Node start each) is not paid inside the first attempts' steps.
 */
export function warmHostProcesses(): void {
  warmHostCommandServer();
  warmProcessSpawner();
}
