import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
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
}

/**
 * Mines a generated pytest history of `candidates` fix commits in a project of `modules` test modules twice: with
 * the detected command (changed test files first, `runs` times a side, then the whole suite once a side) and with the
 * same command without `{test_files}` (the whole suite `runs` times a side, as mining did before). Reports the time
 * per candidate of each, and prints candidates per minute.
 */
export async function runMineThroughputBench(
  options: MineThroughputBenchOptions = {},
): Promise<BenchResult[]> {
  const { modules = 12, candidates = 3, moduleSeconds = 0.3, runs = 2 } = options;
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
    for (let index = 0; index < candidates; index++) {
      await history.commit(
        `Add g to m${index}\n\ng(x) doubles its argument in module m${index} of the package.`,
        {
          [`pkg/m${index}.py`]: 'def f(x):\n    return x\n\n\ndef g(x):\n    return 2 * x\n',
          [`tests/test_m${index}.py`]: `${files[`tests/test_m${index}.py`].replace('import f', 'import f, g')}\n\ndef test_g_doubles():\n    assert g(2) == 4\n`,
        },
      );
    }
    const pytest = 'python3 -m pytest -rA -p no:cacheprovider --continue-on-collection-errors';
    const strategies = [
      { name: 'changed test files first', command: `${pytest} {test_files}` },
      { name: 'whole suite every run', command: pytest },
    ];
    const results: BenchResult[] = [];
    for (const strategy of strategies) {
      const perCandidate: number[] = [];
      let last = performance.now();
      const mined = await mineRepository({
        repositoryDir: history.dir,
        outDir: path.join(root, strategy.name.replaceAll(' ', '-')),
        runs,
        jobs: 1,
        testCommand: { command: strategy.command, format: 'pytest' },
        sandbox: { backend: 'none' },
        onProgress: (event) => {
          if (event.kind === 'task' || (event.kind === 'skipped' && event.candidate)) {
            const now = performance.now();
            perCandidate.push(now - last);
            last = now;
          } else if (event.kind === 'candidate') {
            last = performance.now();
          }
        },
      });
      if (mined.written.length !== candidates)
        throw new Error(`${strategy.name}: ${mined.written.length} of ${candidates} tasks written`);
      const result = summarize(
        `${strategy.name}: ms per candidate (${modules} modules, runs ${runs})`,
        perCandidate,
      );
      console.log(`${strategy.name}: ${(60_000 / result.p50).toFixed(1)} candidates per minute (p50)`);
      results.push(result);
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
