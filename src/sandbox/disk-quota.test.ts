import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../../test-support/until.ts';
import { DiskQuotaCheck, diskUsageBytes, watchDiskQuota } from './disk-quota.ts';

const MiB = 1024 * 1024;
/** A quota no statfs growth on a test machine reaches: the bound alone decides, nothing is walked. */
const HUGE_QUOTA = 1024 ** 4;

let workspace: string;
beforeEach(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'disk-quota-'));
});
afterEach(async () => {
  await rm(workspace, { recursive: true, force: true });
});

/** A check whose walks (`du`) and rounds are counted. */
class CountedCheck extends DiskQuotaCheck {
  walks = 0;
  rounds = 0;
  constructor(quotaBytes: number) {
    super(workspace, quotaBytes, (directory) => {
      this.walks += 1;
      return diskUsageBytes(directory);
    });
  }
  override async usageIfNearQuota(): Promise<number | undefined> {
    this.rounds += 1;
    return super.usageIfNearQuota();
  }
}

describe('disk quota', () => {
  it('walks the workspace once for a baseline, then only while the filesystem says the quota may be near', async () => {
    const check = new CountedCheck(HUGE_QUOTA);
    expect(await check.usageIfNearQuota()).toBeGreaterThanOrEqual(0);
    expect(check.walks).toBe(1);
    await writeFile(path.join(workspace, 'small'), Buffer.alloc(64 * 1024, 1));
    expect(await check.usageIfNearQuota()).toBeUndefined();
    expect(check.walks).toBe(1);
  });

  it('walks again when the filesystem grew past the quota, and reports the new usage', async () => {
    const baseline = await diskUsageBytes(workspace);
    const check = new CountedCheck(baseline + MiB);
    await check.usageIfNearQuota();
    await writeFile(path.join(workspace, 'big'), Buffer.alloc(4 * MiB, 1));
    const used = await check.usageIfNearQuota();
    expect(used).toBeGreaterThan(baseline + MiB);
    expect(check.walks).toBe(2);
  });

  it('a watch costs no walk while the workspace is far from its quota', async () => {
    const check = new CountedCheck(HUGE_QUOTA);
    await check.usageIfNearQuota();
    let exceeded = false;
    const watch = watchDiskQuota(check, () => (exceeded = true), 5);
    await writeFile(path.join(workspace, 'small'), Buffer.alloc(64 * 1024, 1));
    await until(() => check.rounds >= 6);
    await watch.stop();
    expect(check.walks).toBe(1);
    expect(exceeded).toBe(false);
  });

  it('a watch calls onExceeded once, with the walked usage, when a command writes past the quota', async () => {
    const baseline = await diskUsageBytes(workspace);
    const check = new CountedCheck(baseline + MiB);
    const calls: number[] = [];
    const watch = watchDiskQuota(check, (used) => calls.push(used), 5);
    await writeFile(path.join(workspace, 'big'), Buffer.alloc(4 * MiB, 1));
    await until(() => calls.length > 0);
    const rounds = check.rounds;
    await until(() => check.rounds >= rounds + 3);
    const last = await watch.stop();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toBeGreaterThan(baseline + MiB);
    expect(last).toBeGreaterThan(baseline + MiB);
  });
});
