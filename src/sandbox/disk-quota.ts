import { statfs } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { runHostCommand } from './host-command.ts';

/** Bytes the files under `directory` occupy on disk (allocated blocks, hard links once, one filesystem). */
export async function diskUsageBytes(directory: string): Promise<number> {
  const result = await runHostCommand('du', ['-s', '-x', '-B1', '--', directory]);
  const bytes = Number(/^(\d+)/.exec(String(result.stdout))?.[1]);
  if (!Number.isFinite(bytes)) {
    throw new Error(`du could not measure ${directory}: ${String(result.stderr).trim()}`);
  }
  return bytes;
}

/** Shortest pause between two measurements while a command runs. */
const minimumIntervalMs = 500;
/** A measurement may take at most this share of the time (so a huge workspace is measured less often). */
const measuringShare = 0.1;

/**
 * Checks the workspace of `check` over and over while a command runs and calls `onExceeded` (once) as soon as it
 * uses more than its quota; `stop()` ends the watch and returns the last walked figure. Each round is the check's
 * bound (one statfs; the workspace is walked only when the quota may be near, see DiskQuotaCheck), so a watch costs
 * no process while the workspace stays well within its quota. The pause between rounds adapts to how long one
 * takes, so a command can overshoot the quota by what it writes within one pause; RLIMIT_FSIZE still bounds every
 * single file.
 */
export function watchDiskQuota(
  check: DiskQuotaCheck,
  onExceeded: (usedBytes: number) => void,
  intervalMs = minimumIntervalMs,
): { stop(): Promise<number | undefined> } {
  let stopped = false;
  let exceeded = false;
  let last: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const measure = async () => {
    const started = performance.now();
    try {
      const used = await check.usageIfNearQuota();
      if (used !== undefined) last = used;
    } catch {
      // The workspace may be mid-change; the next round measures again.
    }
    if (last !== undefined && last > check.quotaBytes && !exceeded) {
      exceeded = true;
      onExceeded(last);
    }
    if (stopped) return;
    const took = performance.now() - started;
    timer = setTimeout(tick, Math.max(intervalMs, took / measuringShare));
  };
  const tick = () => {
    running = measure();
  };
  timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      return last;
    },
  };
}

/** Bytes in use on the whole filesystem holding `directory` (statfs: one system call). */
async function filesystemUsedBytes(directory: string): Promise<number | undefined> {
  try {
    const stats = await statfs(directory);
    return (stats.blocks - stats.bfree) * stats.bsize;
  } catch {
    return undefined;
  }
}

/**
 * Checks a workspace against its quota after each command without walking it each time. The workspace can have
 * grown since the last walk (`du`) by at most what its whole filesystem grew since (statfs, one system call), so
 * while the last walk's figure plus that growth stays within the quota nothing is walked; beyond it (the quota is
 * near, or much was written anywhere on the filesystem) the workspace is walked again and that becomes the new
 * baseline. The bound fails only where something else frees space on the same filesystem while the workspace
 * grows by as much; the watch during long commands (watchDiskQuota) and the next walk still measure it then.
 * The filesystem is read before the walk, so what is written during the walk counts twice, never not at all.
 */
export class DiskQuotaCheck {
  private baseline: { workspaceBytes: number; filesystemBytes: number } | undefined;

  constructor(
    private readonly directory: string,
    readonly quotaBytes: number,
    /** How the workspace is walked (`du` by default; tests count the walks). */
    private readonly walk: (directory: string) => Promise<number> = diskUsageBytes,
  ) {}

  /** The workspace's usage when it was walked, undefined when the filesystem shows it is within the quota. */
  async usageIfNearQuota(): Promise<number | undefined> {
    const filesystemBytes = await filesystemUsedBytes(this.directory);
    if (this.baseline && filesystemBytes !== undefined) {
      const growth = Math.max(0, filesystemBytes - this.baseline.filesystemBytes);
      if (this.baseline.workspaceBytes + growth <= this.quotaBytes) return undefined;
    }
    const workspaceBytes = await this.walk(this.directory);
    this.baseline = filesystemBytes === undefined ? undefined : { workspaceBytes, filesystemBytes };
    return workspaceBytes;
  }
}
