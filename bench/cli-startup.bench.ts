/**
 * CLI start-up: `shakedown --version` and `shakedown --help` as a user runs them (bin/shakedown.js), on the compiled
 * JavaScript in lib/ (built first with `npm run build`'s script) and on the TypeScript sources through tsx, against a
 * bare `node -e 0`: median wall time and median peak resident memory of each over the same rounds, the commands
 * taking turns so that a change in the machine's load reaches all of them alike.
 */
import { againstFloor, type BenchFigure } from './bench-figure.ts';
import { type CliMode, ensureBuilt, median, runShakedown, timeProcess } from './bench-processes.ts';

/** Options of the CLI start-up benchmark. */
export interface CliStartupBenchOptions {
  rounds?: number;
}

/** Measures CLI start-up; see the file comment. */
export default async function cliStartupBench(options: CliStartupBenchOptions = {}): Promise<BenchFigure[]> {
  const { rounds = 7 } = options;
  await ensureBuilt();
  const cases: Array<{ name: string; mode: CliMode; args: string[] }> = [];
  for (const mode of ['compiled', 'tsx'] as const)
    for (const args of [['--version'], ['--help']])
      cases.push({ name: `shakedown ${args[0]} (${mode})`, mode, args });
  const bare = { wall: [] as number[], rss: [] as number[] };
  const samples = cases.map(() => ({ wall: [] as number[], rss: [] as number[] }));
  for (let round = -1; round < rounds; round++) {
    const node = await timeProcess(process.execPath, ['-e', '0']);
    if (round >= 0) {
      bare.wall.push(node.wallMs);
      bare.rss.push(node.peakRssMb);
    }
    for (const [index, entry] of cases.entries()) {
      const sample = await runShakedown(entry.args, { mode: entry.mode });
      if (round < 0) continue;
      samples[index]!.wall.push(sample.wallMs);
      samples[index]!.rss.push(sample.peakRssMb);
    }
  }
  const floorWall = { what: 'node -e 0', value: median(bare.wall) };
  const floorRss = { what: 'node -e 0', value: median(bare.rss) };
  return cases.flatMap((entry, index) => [
    againstFloor(`${entry.name}: time`, median(samples[index]!.wall), 'ms', floorWall, 'target <= 4x'),
    againstFloor(`${entry.name}: peak RSS`, median(samples[index]!.rss), 'MB', floorRss, 'target < 100 MB'),
  ]);
}
