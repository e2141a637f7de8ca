import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../test-support/git-fixed-identity.ts';
import { createWorkspace } from './create-workspace.ts';
import { createWorkspacePools, WorkspacePool } from './workspace-pool.ts';
import { getCachedTemplate, type WorkspaceTemplate } from './workspace-template.ts';

let root: string;
let repositoryDir: string;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'workspace-pool-test-'));
  repositoryDir = path.join(root, 'repository');
  await mkdir(path.join(root, 'workspaces'));
  git(root, 'init', '--quiet', '--initial-branch=trunk', repositoryDir);
  await writeFile(path.join(repositoryDir, 'README.md'), 'base\n');
  await mkdir(path.join(repositoryDir, 'src'));
  await writeFile(path.join(repositoryDir, 'src', 'main.js'), 'console.log(1);\n');
  git(repositoryDir, 'add', '.');
  git(repositoryDir, 'commit', '--quiet', '-m', 'base');
  await writeFile(path.join(repositoryDir, 'README.md'), 'second\n');
  git(repositoryDir, 'commit', '--quiet', '-am', 'second');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh cache with the template of `commit`. */
async function freshTemplate(commit = 'HEAD~1'): Promise<WorkspaceTemplate> {
  return getCachedTemplate({ repositoryDir, baseCommit: commit }, path.join(root, `cache-${counter++}`));
}

function destination(): string {
  return path.join(root, 'workspaces', `w${counter++}`);
}

/** Spare directories in the pool. */
async function spareNames(pool: WorkspacePool): Promise<string[]> {
  return existsSync(pool.poolDir) ? (await readdir(pool.poolDir)).sort() : [];
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync('true');
  return child.pid!;
}

describe('WorkspacePool', () => {
  it('fills ahead of time and hands out independent copies; edits reach neither spares nor the template', async () => {
    const template = await freshTemplate();
    const pool = new WorkspacePool({ template, size: 2 });
    try {
      await pool.whenIdle();
      expect(pool.spareCount).toBe(2);
      expect(path.dirname(pool.poolDir)).toBe(path.dirname(template.dir));
      const first = destination();
      const second = destination();
      expect(await pool.acquire(first)).toBe('pool');
      expect(await pool.acquire(second)).toBe('pool');
      await writeFile(path.join(first, 'README.md'), 'edited\n');
      await writeFile(path.join(first, 'new.txt'), 'new\n');
      expect(await readFile(path.join(second, 'README.md'), 'utf8')).toBe('base\n');
      expect(await readFile(path.join(template.dir, 'README.md'), 'utf8')).toBe('base\n');
      await pool.whenIdle();
      expect(pool.spareCount).toBe(2);
      const third = destination();
      expect(await pool.acquire(third)).toBe('pool');
      expect(await readFile(path.join(third, 'README.md'), 'utf8')).toBe('base\n');
      expect(existsSync(path.join(third, 'new.txt'))).toBe(false);
      expect(git(third, 'status', '--porcelain')).toBe('');
      expect(git(third, 'log', '--format=%s').trim()).toBe('base');
      expect(pool.hits).toBe(3);
      expect(pool.misses).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('never keeps more than size spares', async () => {
    const template = await freshTemplate();
    const pool = new WorkspacePool({ template, size: 3 });
    try {
      for (let index = 0; index < 4; index++) await pool.acquire(destination());
      await pool.whenIdle();
      expect(pool.spareCount).toBe(3);
      expect(await spareNames(pool)).toHaveLength(3);
    } finally {
      await pool.close();
    }
  });

  it('falls back to a direct copy when the pool is empty', async () => {
    const template = await freshTemplate();
    const pool = new WorkspacePool({ template, size: 1 });
    try {
      const first = destination();
      expect(await pool.acquire(first)).toBe('copy');
      expect(await readFile(path.join(first, 'README.md'), 'utf8')).toBe('base\n');
      expect(git(first, 'status', '--porcelain')).toBe('');
      await pool.whenIdle();
      expect(await pool.acquire(destination())).toBe('pool');
      expect(await pool.acquire(destination())).toBe('copy');
      expect(pool.misses).toBe(2);
      const unpooled = new WorkspacePool({
        template,
        size: 0,
        poolDir: path.join(root, `none-${counter++}`),
      });
      expect(await unpooled.acquire(destination())).toBe('copy');
      await unpooled.close();
      expect(existsSync(unpooled.poolDir)).toBe(false);
    } finally {
      await pool.close();
    }
  });

  it('serves concurrent acquires: three at once with two spares', async () => {
    const template = await freshTemplate();
    const pool = new WorkspacePool({ template, size: 2 });
    try {
      await pool.whenIdle();
      const destinations = [destination(), destination(), destination()];
      const sources = await Promise.all(destinations.map((dir) => pool.acquire(dir)));
      expect([...sources].sort()).toEqual(['copy', 'pool', 'pool']);
      for (const [index, dir] of destinations.entries())
        await writeFile(path.join(dir, 'own.txt'), `${index}`);
      for (const [index, dir] of destinations.entries()) {
        expect(await readFile(path.join(dir, 'own.txt'), 'utf8')).toBe(`${index}`);
        expect(await readFile(path.join(dir, 'README.md'), 'utf8')).toBe('base\n');
      }
      await pool.whenIdle();
      expect(pool.spareCount).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('discards a spare that was touched', async () => {
    const template = await freshTemplate();
    const pool = new WorkspacePool({ template, size: 1 });
    try {
      await pool.whenIdle();
      const [name] = await spareNames(pool);
      await writeFile(path.join(pool.poolDir, name!, 'checkout', 'intruder.txt'), 'x');
      const dir = destination();
      expect(await pool.acquire(dir)).toBe('copy');
      expect(existsSync(path.join(dir, 'intruder.txt'))).toBe(false);
      await pool.whenIdle();
      expect(await spareNames(pool)).not.toContain(name);
    } finally {
      await pool.close();
    }
  });

  it('reuses spares of a dead process only when their marker matches the template', async () => {
    const template = await freshTemplate();
    const first = new WorkspacePool({ template, size: 2 });
    await first.whenIdle();
    // Simulate a crash: the spares stay, owned by a process that is gone.
    const pid = deadPid();
    const names = await spareNames(first);
    for (const name of names) {
      await rename(
        path.join(first.poolDir, name),
        path.join(first.poolDir, `${pid}-dead-${name.split('-')[2]}`),
      );
    }
    const [goodName, staleName] = await spareNames(first);
    // One spare claims another template identity; one is half-copied (no marker); one is garbage.
    const markerPath = path.join(first.poolDir, staleName!, 'ready.json');
    const marker = JSON.parse(await readFile(markerPath, 'utf8'));
    marker.identity.rootCommit = '0'.repeat(40);
    await writeFile(markerPath, JSON.stringify(marker));
    await mkdir(path.join(first.poolDir, `${pid}-dead-abc`, 'checkout'), { recursive: true });
    await mkdir(path.join(first.poolDir, 'garbage'));
    const goodInode = execFileSync('stat', ['-c', '%i', path.join(first.poolDir, goodName!, 'checkout')]);

    const second = new WorkspacePool({ template, size: 2 });
    try {
      await second.whenIdle();
      expect(second.spareCount).toBe(2);
      const left = await spareNames(second);
      expect(left).toHaveLength(2);
      expect(left.every((name) => name.startsWith(`${process.pid}-`))).toBe(true);
      // The matching spare was adopted (the same directory), the others were deleted.
      const inodes = left.map((name) =>
        execFileSync('stat', ['-c', '%i', path.join(second.poolDir, name, 'checkout')]).toString(),
      );
      expect(inodes).toContain(goodInode.toString());
      const dir = destination();
      expect(await second.acquire(dir)).toBe('pool');
      expect(git(dir, 'status', '--porcelain')).toBe('');
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('discards every spare when the template changed', async () => {
    const template = await freshTemplate();
    const first = new WorkspacePool({ template, size: 1 });
    await first.whenIdle();
    const pid = deadPid();
    const [name] = await spareNames(first);
    await rename(path.join(first.poolDir, name!), path.join(first.poolDir, `${pid}-dead-1`));
    await utimes(template.dir, new Date(), new Date(Date.now() - 60_000));
    const second = new WorkspacePool({ template, size: 1 });
    try {
      expect(await second.acquire(destination())).toBe('copy');
      await second.whenIdle();
      expect(await spareNames(second)).toHaveLength(1);
      expect((await spareNames(second))[0]).toMatch(new RegExp(`^${process.pid}-`));
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('leaves the spares of another live pool alone', async () => {
    const template = await freshTemplate();
    const first = new WorkspacePool({ template, size: 1 });
    await first.whenIdle();
    const [name] = await spareNames(first);
    const second = new WorkspacePool({ template, size: 1 });
    try {
      await second.whenIdle();
      expect(second.spareCount).toBe(1);
      expect(await spareNames(second)).toContain(name);
      expect(await first.acquire(destination())).toBe('pool');
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('reports a refill error on the next acquire, then carries on', async () => {
    const template = await freshTemplate();
    const pool = new WorkspacePool({ template, size: 1 });
    try {
      await pool.whenIdle();
      // Break the pool directory so the refill after the next acquire fails.
      const spareDir = path.join(pool.poolDir, (await spareNames(pool))[0]!);
      await rename(spareDir, `${pool.poolDir}-kept`);
      await rm(pool.poolDir, { recursive: true });
      await writeFile(pool.poolDir, 'not a directory');
      expect(await pool.acquire(destination())).toBe('copy');
      await pool.whenIdle();
      await rm(pool.poolDir);
      await expect(pool.acquire(destination())).rejects.toThrow(/failed to refill/);
      await pool.whenIdle();
      expect(await pool.acquire(destination())).toBe('pool');
    } finally {
      await pool.close();
    }
  });

  it('close() stops refilling and removes the spares', async () => {
    const template = await freshTemplate();
    const pool = new WorkspacePool({ template, size: 2 });
    const kept = destination();
    expect(await pool.acquire(kept)).toBe('copy');
    await pool.close();
    expect(existsSync(pool.poolDir)).toBe(false);
    expect(existsSync(path.join(kept, 'README.md'))).toBe(true);
    expect(existsSync(path.join(template.dir, 'README.md'))).toBe(true);
    await expect(pool.acquire(destination())).rejects.toThrow(/closed/);
  });
});

describe('createWorkspace with a pool', () => {
  it('uses the pool of the cached template and still diffs against the base', async () => {
    const cacheDir = path.join(root, `cache-${counter++}`);
    const pools = createWorkspacePools({ size: 1 });
    let poolDir = '';
    try {
      const options = { repositoryDir, baseCommit: 'HEAD~1', cacheDir, pool: pools, exclude: ['src'] };
      const first = await createWorkspace({ ...options, destination: destination() });
      const template = await getCachedTemplate(options, cacheDir);
      const pool = pools.get(template, ['src']);
      poolDir = pool.poolDir;
      expect(pool.misses).toBe(1);
      await pool.whenIdle();
      const second = await createWorkspace({ ...options, destination: destination() });
      expect(pool.hits).toBe(1);
      expect(existsSync(path.join(second.dir, 'src'))).toBe(false);
      await writeFile(path.join(second.dir, 'README.md'), 'changed\n');
      expect(await second.changedFiles()).toEqual(['README.md']);
      expect(await first.changedFiles()).toEqual([]);
      expect(second.rootCommit).toBe(first.rootCommit);
      await first.dispose();
      await second.dispose();
    } finally {
      await pools.close();
    }
    expect(existsSync(poolDir)).toBe(false);
  });
});
