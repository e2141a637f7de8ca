import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { mineRepository } from '../src/task/mine/mine-repository.ts';
import { createGitHistory } from '../test-support/git-history.ts';
import { type BenchResult, summarize } from './bench-result.ts';

/** Options of the mining throughput benchmark. */
export interface MineThroughputBenchOptions {
  /** Test modules in the generated project (the whole suite). */
  modules?: number;
  /** Candidate commits (each changes one module and its tests). */
  candidates?: number;
  /** Seconds each test module spends importing (stands in for a real suite's weight). */
  moduleSeconds?: number;
  runs?: number;
  /** Candidates mined at the same time in the parallel rows (default: the number of cores, at least 2). */
  parallel?: number;
}

const pytest = 'python3 -m pytest -rA -p no:cacheprovider --continue-on-collection-errors';

/** Times one shell command in `cwd` (the bare test command, no workspace, no sandbox); milliseconds. */
async function timeCommand(command: string, cwd: string): Promise<number> {
  const start = performance.now();
  await execa('sh', ['-c', command], { cwd, reject: false });
  return performance.now() - start;
}

/**
 * The floor of one candidate, measured on plain checkouts of its base (parent + the commit's test files) and gold
 * (the commit): the bare test command run the number of times each strategy needs, nothing else (no workspace set-up,
 * no sandbox, no parsing). Changed test files first: `runs` times the changed test file a side + the whole suite once
 * a side; whole suite every run: the whole suite `runs` times a side. Each bare run is timed once and multiplied.
 */
async function measureFloor(
  repositoryDir: string,
  sha: string,
  testFile: string,
  runs: number,
  scratch: string,
): Promise<{ changedFirst: number; wholeSuite: number }> {
  const gold = path.join(scratch, `gold-${sha.slice(0, 10)}`);
  const base = path.join(scratch, `base-${sha.slice(0, 10)}`);
  await execa('git', ['clone', '--quiet', '--no-checkout', repositoryDir, gold]);
  await execa('git', ['checkout', '--quiet', sha], { cwd: gold });
  await execa('git', ['clone', '--quiet', '--no-checkout', repositoryDir, base]);
  await execa('git', ['checkout', '--quiet', `${sha}^`], { cwd: base });
  await execa('git', ['checkout', '--quiet', sha, '--', testFile], { cwd: base });
  const focused =
    (await timeCommand(`${pytest} ${testFile}`, base)) + (await timeCommand(`${pytest} ${testFile}`, gold));
  const whole = (await timeCommand(pytest, base)) + (await timeCommand(pytest, gold));
  return { changedFirst: runs * focused + whole, wholeSuite: runs * whole };
}

/**
 * Mines a generated pytest history of `candidates` fix commits in a project of `modules` test modules with both
 * strategies (changed test files first, then the whole suite once a side; the whole suite every run), each one
 * candidate at a time and `parallel` at a time, and measures in the same run the floor: the bare test command run as
 * many times as the strategy needs ({@link measureFloor}); for `parallel` at a time the floor is that divided by
 * min(parallel, cores) (ideal scaling, an estimate). Prints candidates per minute, the floor's candidates per
 * minute and the ratio of mining time to floor time (1.0 = no overhead at all).
 */
export async function runMineThroughputBench(
  options: MineThroughputBenchOptions = {},
): Promise<BenchResult[]> {
  const cores = availableParallelism();
  const {
    modules = 12,
    candidates = 4,
    moduleSeconds = 0.3,
    runs = 2,
    parallel = Math.max(2, cores),
  } = options;
  const root = await mkdtemp(path.join(tmpdir(), 'bench-mine-'));
  try {
    const history = await createGitHistory(path.join(root, 'project'));
    const files: Record<string, string> = {};
    for (let index = 0; index < modules; index++) {
      files[`pkg/m${index}.py`] = 'def f(x):\n    return x\n';
      files[`tests/test_m${index}.py`] =
        `import time\n\nfrom pkg.m${index} import f\n\ntime.sleep(${moduleSeconds})\n\n\n` +
        Array.from(
          { length: 5 },
          (_, test) => `def test_f_${test}():\n    assert f(${test}) == ${test}\n`,
        ).join('\n\n');
    }
    files['pkg/__init__.py'] = '';
    await history.commit('Initial project', files);
    const floors: { changedFirst: number; wholeSuite: number }[] = [];
    const floorScratch = path.join(root, 'floor');
    for (let index = 0; index < candidates; index++) {
      const testFile = `tests/test_m${index}.py`;
      const sha = await history.commit(
        `Add g to m${index}\n\ng(x) doubles its argument in module m${index} of the package.`,
        {
          [`pkg/m${index}.py`]: 'def f(x):\n    return x\n\n\ndef g(x):\n    return 2 * x\n',
          [testFile]: `${files[testFile].replace('import f', 'import f, g')}\n\ndef test_g_doubles():\n    assert g(2) == 4\n`,
        },
      );
      floors.push(await measureFloor(history.dir, sha, testFile, runs, floorScratch));
    }
    const strategies = [
      { name: 'changed test files first', key: 'changedFirst', command: `${pytest} {test_files}` },
      { name: 'whole suite every run', key: 'wholeSuite', command: pytest },
    ] as const;
    const results: BenchResult[] = [];
    for (const strategy of strategies) {
      const floor = floors.map((each) => each[strategy.key]);
      results.push(summarize(`${strategy.name}: floor ms per candidate (bare test runs)`, floor));
      for (const atOnce of [1, parallel]) {
        const start = performance.now();
        const mined = await mineRepository({
          repositoryDir: history.dir,
          outDir: path.join(root, `${strategy.key}-${atOnce}`),
          runs,
          jobs: 1,
          parallel: atOnce,
          testCommand: { command: strategy.command, format: 'pytest' },
          sandbox: { backend: 'none' },
        });
        const elapsed = performance.now() - start;
        if (mined.written.length !== candidates)
          throw new Error(`${strategy.name}: ${mined.written.length} of ${candidates} tasks written`);
        const floorTotal = floor.reduce((sum, each) => sum + each, 0) / Math.min(atOnce, cores);
        const label = `${strategy.name}, ${atOnce} at a time`;
        const perMinute = (milliseconds: number) => ((60_000 * candidates) / milliseconds).toFixed(2);
        console.log(
          `${label}: ${perMinute(elapsed)} candidates per minute; floor ${perMinute(floorTotal)} per minute` +
            `${atOnce > 1 ? ` (bare runs / min(${atOnce}, ${cores} cores): ideal scaling, an estimate)` : ' (bare runs)'}` +
            `; time / floor ${(elapsed / floorTotal).toFixed(2)}`,
        );
        results.push(summarize(`${label}: ms per candidate (mean of ${candidates})`, [elapsed / candidates]));
      }
    }
    return results;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export default function run(): Promise<BenchResult[]> {
  return runMineThroughputBench();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(await runMineThroughputBench());
}
