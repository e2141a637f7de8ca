import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * How long before a fingerprint is taken a change must have happened for the fingerprint to be trusted: file
 * times come from the kernel's coarse clock (a tick, at most 10 ms, behind), so a file written in the same tick as
 * an earlier version can keep its times. A generous margin over that tick.
 */
const settleMarginNs = 100_000_000n;

/** What a snapshot directory looks like on disk, without reading any file's content. */
export interface SnapshotFingerprint {
  /** Hash of every entry's path, type, mode, size, inode, modification and change time (never following links). */
  digest: string;
  /**
   * False when some entry changed within {@link settleMarginNs} of the fingerprint (or after it began): a later
   * change could then keep the same times ("racy" in git's words), so the fingerprint must not be reused.
   */
  settled: boolean;
}

/**
 * Fingerprints the directory tree under `root` from `lstat` alone, the way git's index decides a file is
 * unchanged: any write changes a file's change time (which no user can set back), a replaced file its inode. A
 * fingerprint equal to an earlier, settled one means the content is the same.
 */
export async function fingerprintSnapshot(root: string): Promise<SnapshotFingerprint> {
  const startedNs = BigInt(Date.now()) * 1_000_000n;
  const lines: string[] = [];
  let newestNs = 0n;
  const noteTimes = (info: BigIntStats) => {
    if (info.mtimeNs > newestNs) newestNs = info.mtimeNs;
    if (info.ctimeNs > newestNs) newestNs = info.ctimeNs;
  };
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(root, relative), { withFileTypes: true });
    const stats = await Promise.all(
      entries.map(async (entry) => {
        const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
        return { path, info: await lstat(join(root, path), { bigint: true }) };
      }),
    );
    for (const { path, info } of stats) {
      lines.push([path, info.mode, info.size, info.ino, info.dev, info.mtimeNs, info.ctimeNs].join('\0'));
      noteTimes(info);
    }
    await Promise.all(stats.filter(({ info }) => info.isDirectory()).map(({ path }) => walk(path)));
  };
  noteTimes(await lstat(root, { bigint: true }));
  await walk('');
  lines.sort();
  const digest = createHash('sha256').update(lines.join('\n')).digest('hex');
  return { digest, settled: newestNs < startedNs - settleMarginNs };
}
