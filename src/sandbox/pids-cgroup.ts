import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/**
 * A cgroup whose `pids.max` bounds the number of processes/threads of one command.
 *
 * Why: RLIMIT_NPROC does not apply to uid 0 (the kernel exempts the root user even inside a user
 * namespace bwrap creates as root), so when shakedown runs as root a fork bomb is contained by the pids
 * controller instead. Works with cgroup v2 (pids enabled in the root's subtree_control) and v1 (a pids
 * hierarchy), both needing a writable /sys/fs/cgroup, i.e. a real root on the host.
 */
export interface PidsCgroup {
  /** Absolute path of the cgroup directory. */
  readonly directory: string;
  /** File a wrapper shell writes its pid to, to move itself (and so every descendant) into the cgroup. */
  readonly processesFile: string;
  /** Removes the cgroup (retrying while its last processes die). */
  remove(): Promise<void>;
}

const CGROUP_MOUNT = '/sys/fs/cgroup';

/** Finds a writable cgroup directory with the pids controller, or undefined when there is none. */
export function findPidsCgroupParent(): string | undefined {
  const candidates: string[] = [];
  const unifiedControllers = path.join(CGROUP_MOUNT, 'cgroup.subtree_control');
  if (
    existsSync(unifiedControllers) &&
    readFileSync(unifiedControllers, 'utf8').split(/\s+/).includes('pids')
  ) {
    candidates.push(CGROUP_MOUNT);
  }
  candidates.push(path.join(CGROUP_MOUNT, 'pids'));
  for (const candidate of candidates) {
    try {
      if (!existsSync(path.join(candidate, 'cgroup.procs'))) continue;
      accessSync(candidate, constants.W_OK);
      // A read-only cgroupfs (containers) passes access(2) for root; try for real.
      const probe = path.join(candidate, `shakedown-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
      mkdirSync(probe);
      const usable = existsSync(path.join(probe, 'pids.max'));
      rmdirSync(probe);
      if (usable) return candidate;
    } catch {
      // Not writable here; try the next one.
    }
  }
  return undefined;
}

/** Creates a fresh cgroup under `parent` with `pids.max` set to `maximumProcesses`. */
export function createPidsCgroup(parent: string, maximumProcesses: number): PidsCgroup {
  const directory = path.join(parent, `shakedown-${process.pid}-${randomBytes(6).toString('hex')}`);
  mkdirSync(directory);
  writeFileSync(path.join(directory, 'pids.max'), String(Math.floor(maximumProcesses)));
  return {
    directory,
    processesFile: path.join(directory, 'cgroup.procs'),
    async remove() {
      const killFile = path.join(directory, 'cgroup.kill');
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          rmdirSync(directory);
          return;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
          if (existsSync(killFile)) {
            try {
              writeFileSync(killFile, '1');
            } catch {
              // Nothing left to kill.
            }
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    },
  };
}
