import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as WorkspaceModule from '../src/workspace/index.ts';
import { againstFloor, type BenchFigure } from './bench-figure.ts';
import { importMeasured, median } from './bench-processes.ts';

// The measured checkout's workspace module (`--compare` with a commit of the older layout finds it under agent/).
const workspaceModule = await importMeasured<typeof WorkspaceModule>([
  'src/workspace/index.ts',
  'src/agent/workspace/index.ts',
]);
const { createWorkspace, createWorkspacePools, getCachedTemplate } = workspaceModule;

/** Options of the workspace setup benchmark. */
export interface WorkspaceSetupBenchOptions {
  files?: number;
  warmRuns?: number;
  coldRuns?: number;
  /** Sequential attempts served by the workspace pool. */
  pooledRuns?: number;
  /** Spares the pool keeps. */
  poolSize?: number;
  /** Overlay (copy-on-write) workspaces made and removed with the template ready. */
  overlayRuns?: number;
}

/**
 * Builds a repository of `files` small files with some history, then measures set-up and removal of a workspace:
 * cold with the template ready and no spare (an overlay over the template, as `shakedown run` makes them with
 * bubblewrap as root; see workspace-overlay.ts), the template build itself (once per task), the copy path (template
 * copied: where overlays are unavailable) and pooled (a ready copy renamed into place; between pooled attempts the
 * bench waits for the background refill, as an agent's work would, and reports the refill apart).
 * Floors, in the same run: `cp -a` of a plain checkout + `rm -rf`, and `git worktree add` + `git worktree remove`.
 */
export async function runWorkspaceSetupBench(
  options: WorkspaceSetupBenchOptions = {},
): Promise<BenchFigure[]> {
  const {
    files = 10_000,
    warmRuns = 3,
    coldRuns = 2,
    pooledRuns = 3,
    poolSize = 2,
    overlayRuns = 5,
  } = options;
  const root = await mkdtemp(path.join(tmpdir(), 'bench-workspace-'));
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'b',
    GIT_AUTHOR_EMAIL: 'b@b',
    GIT_COMMITTER_NAME: 'b',
    GIT_COMMITTER_EMAIL: 'b@b',
  };
  try {
    const repositoryDir = path.join(root, 'repository');
    await mkdir(repositoryDir);
    const perDirectory = 100;
    for (let directory = 0; directory < Math.ceil(files / perDirectory); directory++) {
      const dir = path.join(repositoryDir, `package${directory}`);
      await mkdir(dir);
      const count = Math.min(perDirectory, files - directory * perDirectory);
      await Promise.all(
        Array.from({ length: count }, (_, index) =>
          writeFile(
            path.join(dir, `module${index}.ts`),
            `export const value${index} = ${directory * index};\n`,
          ),
        ),
      );
    }
    execFileSync('git', ['init', '-q'], { cwd: repositoryDir, env });
    execFileSync('git', ['add', '-A'], { cwd: repositoryDir, env });
    execFileSync('git', ['commit', '-qm', 'base'], { cwd: repositoryDir, env });
    await writeFile(path.join(repositoryDir, 'package0', 'module0.ts'), 'export const later = 1;\n');
    execFileSync('git', ['commit', '-qam', 'later'], { cwd: repositoryDir, env });
    // Tasks name their base by commit id (a moving name like HEAD~1 is resolved by git at every set-up).
    const baseCommit = execFileSync('git', ['rev-parse', 'HEAD~1'], {
      cwd: repositoryDir,
      encoding: 'utf8',
    }).trim();
    const plainDir = path.join(root, 'plain');
    execFileSync('git', ['worktree', 'add', '-q', '--detach', plainDir, 'HEAD~1'], {
      cwd: repositoryDir,
      env,
    });
    await rm(path.join(plainDir, '.git'));
    execFileSync('git', ['worktree', 'prune'], { cwd: repositoryDir, env });
    const copyFloor: number[] = [];
    const worktreeFloor: number[] = [];
    for (let run = 0; run < coldRuns; run++) {
      let started = performance.now();
      execFileSync('cp', ['-a', plainDir, path.join(root, `copy-${run}`)]);
      execFileSync('rm', ['-rf', path.join(root, `copy-${run}`)]);
      copyFloor.push(performance.now() - started);
      started = performance.now();
      const worktree = path.join(root, `worktree-${run}`);
      execFileSync('git', ['worktree', 'add', '-q', '--detach', worktree, 'HEAD~1'], {
        cwd: repositoryDir,
        env,
      });
      execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: repositoryDir, env });
      worktreeFloor.push(performance.now() - started);
    }
    const cold: number[] = [];
    for (let run = 0; run < coldRuns; run++) {
      const started = performance.now();
      const workspace = await createWorkspace({
        repositoryDir,
        baseCommit,
        destination: path.join(root, `cold-${run}`),
        cacheDir: path.join(root, `cache-${run}`),
      });
      await workspace.dispose();
      cold.push(performance.now() - started);
    }
    const warm: number[] = [];
    const cacheDir = path.join(root, 'cache-0');
    for (let run = 0; run < warmRuns; run++) {
      const started = performance.now();
      const workspace = await createWorkspace({
        repositoryDir,
        baseCommit,
        destination: path.join(root, `warm-${run}`),
        cacheDir,
      });
      await workspace.dispose();
      warm.push(performance.now() - started);
    }
    const overlay: number[] = [];
    // Absent in commits before overlays (`--compare`): their figures are then left out.
    const probeOverlay = (
      workspaceModule as { overlayUnavailableReason?: (cacheDir: string) => Promise<string | undefined> }
    ).overlayUnavailableReason;
    const overlayUnavailable = probeOverlay
      ? await probeOverlay(cacheDir)
      : 'this commit has no overlay workspaces';
    let overlayFirst = 0;
    const bareMount: number[] = [];
    for (let run = -1; run < overlayRuns && overlayUnavailable === undefined; run++) {
      if (run >= 0) bareMount.push(bareOverlayMountAndUnmount(path.join(root, `bare-${run}`)));
      const started = performance.now();
      const workspace = await createWorkspace({
        repositoryDir,
        baseCommit,
        destination: path.join(root, `overlay-${run}`),
        cacheDir,
        copyOnWrite: true,
      });
      await workspace.dispose();
      // The first overlay of a task also hands its template to the sandbox user (once per task): reported apart.
      if (run < 0) overlayFirst = performance.now() - started;
      else overlay.push(performance.now() - started);
    }
    const pooled: number[] = [];
    const refill: number[] = [];
    const pools = createWorkspacePools({ size: poolSize });
    let hits = 0;
    try {
      const workspaceOptions = { repositoryDir, baseCommit, cacheDir, pool: pools };
      const pool = pools.get(await getCachedTemplate(workspaceOptions, cacheDir));
      await pool.whenIdle();
      for (let run = 0; run < pooledRuns; run++) {
        const started = performance.now();
        const workspace = await createWorkspace({
          ...workspaceOptions,
          destination: path.join(root, `pooled-${run}`),
        });
        const setUp = performance.now() - started;
        // The agent's turn: the pool refills meanwhile.
        const refillStarted = performance.now();
        await pool.whenIdle();
        refill.push(performance.now() - refillStarted);
        const removalStarted = performance.now();
        await workspace.dispose();
        pooled.push(setUp + performance.now() - removalStarted);
      }
      hits = pool.hits;
    } finally {
      await pools.close();
    }
    const copy = { what: 'cp -a + rm -rf', value: median(copyFloor) };
    const worktree = { what: 'git worktree add + remove', value: median(worktreeFloor) };
    const note = (samples: number[]) =>
      `${samples.length} runs, ${samples.map((value) => Math.round(value)).join('/')} ms`;
    const overlayFigures =
      overlayUnavailable === undefined
        ? [
            againstFloor(
              `workspace cold set-up + removal, overlay (${files} files, template ready)`,
              median(overlay),
              'ms',
              copy,
              note(overlay),
            ),
            againstFloor(
              `workspace cold set-up + removal, overlay (${files} files, template ready)`,
              median(overlay),
              'ms',
              worktree,
              'target <= 100 ms',
            ),
            againstFloor(
              `workspace cold set-up + removal, overlay (${files} files, template ready)`,
              median(overlay),
              'ms',
              { what: 'bare `mount` + `umount` of a 1-file overlay', value: median(bareMount) },
              note(bareMount),
            ),
            againstFloor(
              `first overlay of a task: template handed to the sandbox user once (${files} files)`,
              overlayFirst,
              'ms',
              copy,
            ),
          ]
        : [];
    if (overlayUnavailable !== undefined)
      console.error(`workspace-setup: no overlay figures: ${overlayUnavailable}`);
    return [
      ...overlayFigures,
      againstFloor(
        `workspace template build from git + first set-up + removal (once per task, ${files} files)`,
        median(cold),
        'ms',
        copy,
        note(cold),
      ),
      againstFloor(
        `workspace template build from git + first set-up + removal (once per task, ${files} files)`,
        median(cold),
        'ms',
        worktree,
      ),
      againstFloor(
        `workspace set-up + removal, copy of the template (no overlay, ${files} files)`,
        median(warm),
        'ms',
        copy,
        note(warm),
      ),
      againstFloor(
        `workspace pooled set-up + removal (${hits}/${pooledRuns} from the pool, ${files} files)`,
        median(pooled),
        'ms',
        copy,
        note(pooled),
      ),
      againstFloor(
        `pool refill in the background (${files} files)`,
        median(refill),
        'ms',
        copy,
        note(refill),
      ),
    ];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Entry point used by bench/index.ts. */
export default runWorkspaceSetupBench;

/** One `mount -t overlay` + `umount` of a one-file overlay, spawned as the workspace code does: ms. */
function bareOverlayMountAndUnmount(directory: string): number {
  for (const name of ['lower', 'upper', 'work', 'merged'])
    mkdirSync(path.join(directory, name), { recursive: true });
  writeFileSync(path.join(directory, 'lower', 'file'), 'x\n');
  const options = `lowerdir=${directory}/lower,upperdir=${directory}/upper,workdir=${directory}/work`;
  const started = performance.now();
  execFileSync('mount', ['-n', '-t', 'overlay', 'overlay', '-o', options, path.join(directory, 'merged')]);
  execFileSync('umount', ['-n', path.join(directory, 'merged')]);
  const elapsed = performance.now() - started;
  rmSync(directory, { recursive: true, force: true });
  return elapsed;
}
