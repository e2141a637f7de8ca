import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createWorkspace, createWorkspacePools, getCachedTemplate } from '../src/agent/workspace/index.ts';
import { type BenchResult, summarize } from './bench-result.ts';

/** Options of the workspace setup benchmark. */
export interface WorkspaceSetupBenchOptions {
  files?: number;
  warmRuns?: number;
  coldRuns?: number;
  /** Sequential attempts served by the workspace pool. */
  pooledRuns?: number;
  /** Spares the pool keeps. */
  poolSize?: number;
}

/**
 * Builds a repository of `files` small files with some history, then measures, each ending when the workspace is
 * ready for the agent: a cold workspace (template built from git), warm workspaces (template copied), and pooled
 * workspaces (a ready copy renamed into place). Between pooled attempts the bench waits for the background refill,
 * as an agent's work would, and reports the refill time separately.
 */
export async function runWorkspaceSetupBench(
  options: WorkspaceSetupBenchOptions = {},
): Promise<BenchResult[]> {
  const { files = 10_000, warmRuns = 20, coldRuns = 5, pooledRuns = 20, poolSize = 2 } = options;
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
    const cold: number[] = [];
    for (let run = 0; run < coldRuns; run++) {
      const started = performance.now();
      const workspace = await createWorkspace({
        repositoryDir,
        baseCommit: 'HEAD~1',
        destination: path.join(root, `cold-${run}`),
        cacheDir: path.join(root, `cache-${run}`),
      });
      cold.push(performance.now() - started);
      await workspace.dispose();
    }
    const warm: number[] = [];
    const cacheDir = path.join(root, 'cache-0');
    for (let run = 0; run < warmRuns; run++) {
      const started = performance.now();
      const workspace = await createWorkspace({
        repositoryDir,
        baseCommit: 'HEAD~1',
        destination: path.join(root, `warm-${run}`),
        cacheDir,
      });
      warm.push(performance.now() - started);
      await workspace.dispose();
    }
    const pooled: number[] = [];
    const refill: number[] = [];
    const pools = createWorkspacePools({ size: poolSize });
    let hits = 0;
    try {
      const workspaceOptions = { repositoryDir, baseCommit: 'HEAD~1', cacheDir, pool: pools };
      const pool = pools.get(await getCachedTemplate(workspaceOptions, cacheDir));
      await pool.whenIdle();
      for (let run = 0; run < pooledRuns; run++) {
        const started = performance.now();
        const workspace = await createWorkspace({
          ...workspaceOptions,
          destination: path.join(root, `pooled-${run}`),
        });
        pooled.push(performance.now() - started);
        // The agent's turn: the pool refills meanwhile.
        const refillStarted = performance.now();
        await pool.whenIdle();
        refill.push(performance.now() - refillStarted);
        await workspace.dispose();
      }
      hits = pool.hits;
    } finally {
      await pools.close();
    }
    return [
      summarize(`workspace cold (template build, ${files} files)`, cold),
      summarize(`workspace warm (template copy, ${files} files)`, warm),
      summarize(`workspace pooled (${hits}/${pooledRuns} from pool of ${poolSize}, ${files} files)`, pooled),
      summarize(`pool refill in background (one copy, ${files} files)`, refill),
    ];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Entry point used by bench/index.ts. */
export default runWorkspaceSetupBench;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(await runWorkspaceSetupBench());
}
