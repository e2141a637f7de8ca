import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isProcessAlive } from './is-process-alive.ts';

/**
 * The cgroups of one sandbox (one attempt), bounding its commands' processes (`pids`) and memory (`memory`).
 * They are created once, before the sandbox's first command, and removed when the sandbox is disposed; each
 * command's processes are moved in before the command starts (see BubblewrapSandbox), so the limits bind every
 * command of the attempt, and the commands running at the same time together.
 *
 * Why pids: RLIMIT_NPROC does not apply to uid 0 (the kernel exempts the root user even inside a user
 * namespace bwrap creates as root), so when shakedown runs as root a fork bomb is contained by the pids
 * controller instead.
 *
 * Why memory: an address-space limit (RLIMIT_AS) is the wrong bound for modern runtimes: V8 reserves
 * ~10 GiB of virtual address space for every WebAssembly memory (Node's fetch/undici uses one), the JVM and
 * Go reserve large heaps up front, so a few GiB of RLIMIT_AS makes them fail while they use little real
 * memory. The memory controller bounds what a command actually uses and has the kernel OOM-kill it beyond.
 *
 * Layout: cgroup v2 (a unified hierarchy at /sys/fs/cgroup or /sys/fs/cgroup/unified whose root enables the
 * controller in cgroup.subtree_control) puts both limits in one cgroup; cgroup v1 uses one cgroup per
 * controller hierarchy (/sys/fs/cgroup/pids, /sys/fs/cgroup/memory). A v1 cgroup is created under
 * shakedown's own cgroup of that hierarchy when it is writable (so limits the host put on shakedown still
 * bind the command), else under the hierarchy's root. All of it needs a writable cgroupfs (in practice root
 * on the host); each controller falls back independently when it is unavailable.
 */
export type CgroupController = 'pids' | 'memory';

/** Where each controller's sandbox cgroups are created (undefined: not usable on this host). */
export interface CgroupParents {
  pids?: string;
  memory?: string;
}

/** The cgroups of one sandbox. */
export interface CommandCgroup {
  /** Whether a memory limit is enforced by a cgroup for this sandbox. */
  readonly limitsMemory: boolean;
  /**
   * Moves process `pid` into every cgroup (its later children follow it); rejects when the cgroupfs refuses. The
   * writes run off the main thread: moving a process between cgroups takes the kernel a few milliseconds.
   */
  join(pid: number): Promise<void>;
  /**
   * How many processes the kernel has OOM-killed in the cgroup so far (read it before and after a command: an
   * increase means the command ran out of memory). 0 where the kernel does not count them.
   */
  oomKills(): number;
  /** Kills every process in the cgroups (cgroup.kill, or one by one on cgroup v1). */
  killAll(): void;
  /** Removes the cgroups (killing and retrying while their last processes die). */
  remove(): Promise<void>;
}

const CGROUP_MOUNT = '/sys/fs/cgroup';
const UNIFIED_ROOTS = [CGROUP_MOUNT, path.join(CGROUP_MOUNT, 'unified')];
/** The file whose presence in a fresh child proves the controller is active there. */
const V2_LIMIT_FILE: Record<CgroupController, string> = { pids: 'pids.max', memory: 'memory.max' };
const V1_LIMIT_FILE: Record<CgroupController, string> = { pids: 'pids.max', memory: 'memory.limit_in_bytes' };

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** shakedown's own cgroup directory in the v1 hierarchy of `controller`, from /proc/self/cgroup. */
function ownV1Directory(controller: CgroupController): string | undefined {
  for (const line of (readText('/proc/self/cgroup') ?? '').split('\n')) {
    const [, controllers, cgroupPath] = line.split(':');
    if (controllers?.split(',').includes(controller) && cgroupPath && cgroupPath !== '/') {
      return path.join(CGROUP_MOUNT, controller, cgroupPath);
    }
  }
  return undefined;
}

/** Whether a child cgroup can really be created under `parent` and gets `limitFile` (a real write probe). */
function canCreateChild(parent: string, limitFile: string): boolean {
  try {
    if (!existsSync(path.join(parent, 'cgroup.procs'))) return false;
    accessSync(parent, constants.W_OK);
    // A read-only cgroupfs (containers) passes access(2) for root; try for real.
    const probe = path.join(parent, `shakedown-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(probe);
    const usable = existsSync(path.join(probe, limitFile));
    rmdirSync(probe);
    return usable;
  } catch {
    return false;
  }
}

/** Finds a writable cgroup directory under which `controller` works, or undefined when there is none. */
export function findCgroupParent(controller: CgroupController): string | undefined {
  for (const root of UNIFIED_ROOTS) {
    const enabled = readText(path.join(root, 'cgroup.subtree_control'))?.split(/\s+/) ?? [];
    if (enabled.includes(controller) && canCreateChild(root, V2_LIMIT_FILE[controller])) return root;
  }
  const own = ownV1Directory(controller);
  for (const candidate of [own, path.join(CGROUP_MOUNT, controller)]) {
    if (candidate && canCreateChild(candidate, V1_LIMIT_FILE[controller])) return candidate;
  }
  return undefined;
}

/**
 * Finds the parents of every controller (see findCgroupParent), once per process: the probes create and remove a
 * cgroup each, a few milliseconds of the main thread, and every sandbox used to pay them. The first call also
 * removes stale cgroups there.
 */
export function findCgroupParents(): CgroupParents {
  if (!foundParents) {
    foundParents = { pids: findCgroupParent('pids'), memory: findCgroupParent('memory') };
    for (const parent of new Set([foundParents.pids, foundParents.memory])) {
      if (parent) void removeStaleCgroups(parent);
    }
  }
  return { ...foundParents };
}

let foundParents: CgroupParents | undefined;

/**
 * Removes the sandbox cgroups (`shakedown-<pid>-<random>`) under `parent` that a crashed shakedown left
 * behind: those whose creating process is gone. Cgroups of running shakedown processes are kept. Returns the
 * names removed.
 */
export async function removeStaleCgroups(parent: string): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const stale = names.filter((name) => {
    const match = /^shakedown-(\d+)-[0-9a-f]+$/.exec(name);
    return match !== null && Number(match[1]) !== process.pid && !isProcessAlive(Number(match[1]));
  });
  await Promise.all(stale.map((name) => removeDirectory(path.join(parent, name))));
  return stale.filter((name) => !existsSync(path.join(parent, name)));
}

/** Whether `directory` is in a cgroup v2 hierarchy. */
function isUnified(directory: string): boolean {
  return existsSync(path.join(directory, 'cgroup.controllers'));
}

function writeIfPresent(file: string, value: string): void {
  if (existsSync(file)) writeFileSync(file, value);
}

/** A `key value` line of a cgroup stat file (memory.events, memory.oom_control). */
function statValue(text: string | undefined, key: string): number | undefined {
  const match = new RegExp(`^${key} (\\d+)$`, 'm').exec(text ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Kills every process in the cgroup `directory`: cgroup.kill (v2), else one by one (v1). */
function killCgroup(directory: string): void {
  const killFile = path.join(directory, 'cgroup.kill');
  if (existsSync(killFile)) {
    try {
      writeFileSync(killFile, '1');
    } catch {
      // Nothing left to kill.
    }
    return;
  }
  // cgroup v1 has no cgroup.kill: kill what is left one by one (a daemon that left the process group).
  for (const pid of (readText(path.join(directory, 'cgroup.procs')) ?? '').split('\n')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

async function removeDirectory(directory: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      rmdirSync(directory);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      killCgroup(directory);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/**
 * Creates the cgroups of one sandbox under `parents`: `pids.max` = `processes` and, for memory,
 * `memory.max` (v2, with `memory.swap.max` 0) or `memory.limit_in_bytes` (v1, with
 * `memory.memsw.limit_in_bytes` when swap accounting exists) = `memoryBytes`, so swap cannot extend it.
 * Returns undefined when no controller is usable. Throws when the cgroupfs refuses a write; whatever was
 * created by then is removed.
 */
export function createCommandCgroup(
  parents: CgroupParents,
  limits: { processes: number; memoryBytes: number },
): CommandCgroup | undefined {
  const name = `shakedown-${process.pid}-${randomBytes(6).toString('hex')}`;
  const directories: string[] = [];
  const ensure = (parent: string): string => {
    const directory = path.join(parent, name);
    if (!directories.includes(directory)) {
      mkdirSync(directory);
      directories.push(directory);
    }
    return directory;
  };
  let memoryDirectory: string | undefined;
  try {
    if (parents.pids) {
      writeFileSync(path.join(ensure(parents.pids), 'pids.max'), String(Math.floor(limits.processes)));
    }
    if (parents.memory) {
      memoryDirectory = ensure(parents.memory);
      const bytes = String(Math.floor(limits.memoryBytes));
      if (isUnified(memoryDirectory)) {
        writeFileSync(path.join(memoryDirectory, 'memory.max'), bytes);
        writeIfPresent(path.join(memoryDirectory, 'memory.swap.max'), '0');
        // One OOM kill takes every process in the cgroup down instead of leaving the rest stalled or limping on.
        writeIfPresent(path.join(memoryDirectory, 'memory.oom.group'), '1');
      } else {
        writeFileSync(path.join(memoryDirectory, 'memory.limit_in_bytes'), bytes);
        // memory+swap must be >= memory: set after memory.limit_in_bytes.
        writeIfPresent(path.join(memoryDirectory, 'memory.memsw.limit_in_bytes'), bytes);
      }
    }
  } catch (error) {
    for (const directory of directories) {
      try {
        rmdirSync(directory);
      } catch {
        // Best effort: nothing ran in it yet.
      }
    }
    throw error;
  }
  if (directories.length === 0) return undefined;

  const processesFiles = directories.map((directory) => path.join(directory, 'cgroup.procs'));
  // `oom_kill` exists since Linux 4.13 (v1: memory.oom_control); before, it is not detectable (memory.failcnt also
  // counts the page-cache reclaims that merely hit the limit: false OOMs). Read at every exec and every OOM poll.
  const memoryEventsFile =
    memoryDirectory &&
    path.join(memoryDirectory, isUnified(memoryDirectory) ? 'memory.events' : 'memory.oom_control');
  return {
    limitsMemory: memoryDirectory !== undefined,
    async join(pid) {
      for (const file of processesFiles) await writeFile(file, String(pid));
    },
    oomKills() {
      if (!memoryEventsFile) return 0;
      return statValue(readText(memoryEventsFile), 'oom_kill') ?? 0;
    },
    killAll() {
      for (const directory of directories) killCgroup(directory);
    },
    async remove() {
      await Promise.all(directories.map(removeDirectory));
    },
  };
}
