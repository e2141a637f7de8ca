import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { execa } from 'execa';
import { DEFAULT_DEMO_TASKS, type DemoResult, runDemo } from '../demo/index.ts';
import { createRunProgressDisplay } from '../report/run-progress-display.ts';
import { positiveInteger } from '../shared/positive-integer.ts';
import { DEFAULT_VIEWER_PORT } from '../viewer/server.ts';
import { createRunAbortController } from './run-abort-controller.ts';
import { runView } from './view-command.ts';

/** Where `shakedown demo` keeps its store and report unless told otherwise (apart from real runs' `.shakedown`). */
export const DEFAULT_DEMO_DATA_DIR = '.shakedown-demo';

/** Options of `shakedown demo`, as commander parses them. */
export interface DemoCommandOptions {
  tasks: number;
  k: number;
  concurrency?: number;
  dataDir: string;
  sandbox: 'auto' | 'bubblewrap' | 'docker' | 'podman' | 'none';
  /** true/false from --view/--no-view; undefined: decide from the terminal (see {@link shouldView}). */
  view?: boolean;
  port: number;
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535)
    throw new InvalidArgumentError('expected a port 0..65535');
  return parsed;
}

/**
 * Whether the demo starts the viewer when neither --view nor --no-view is given: only for a person at a terminal
 * with a desktop to open a browser on (stdin and stdout are TTYs, `CI` unset, and on Linux a display). Otherwise the
 * demo exits after printing where the report is, so that it never hangs in scripts or CI.
 */
export function shouldView(
  flag: boolean | undefined,
  environment: { stdinTty: boolean; stdoutTty: boolean; env: NodeJS.ProcessEnv; platform: NodeJS.Platform },
): boolean {
  if (flag !== undefined) return flag;
  if (!environment.stdinTty || !environment.stdoutTty || environment.env.CI) return false;
  if (environment.platform === 'linux')
    return Boolean(environment.env.DISPLAY || environment.env.WAYLAND_DISPLAY);
  return true;
}

/** Opens a URL in the desktop's browser; failures are ignored (the URL is printed anyway). */
function openInBrowser(url: string): void {
  const command =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '', url]
        : ['xdg-open', url];
  try {
    const child = execa(command[0]!, command.slice(1), { detached: true, stdio: 'ignore', reject: false });
    child.unref();
    child.catch(() => {});
  } catch {
    // No browser opener: the URL is printed.
  }
}

function percent(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 100)}%`;
}

/** The demo's closing table: each agent's known skill next to the measured pass rate. */
export function formatDemoSummary(result: DemoResult): string {
  const width = Math.max(...result.agents.map((entry) => entry.modelId.length));
  const lines = [
    'SIMULATED demo results (scripted agents of known skill, not real models):',
    `  ${'agent'.padEnd(width)}  known  measured`,
    ...result.agents.map(
      (entry) =>
        `  ${entry.modelId.padEnd(width)}  ${percent(entry.expectedRate).padStart(5)}  ${percent(entry.measuredRate).padStart(8)}`,
    ),
  ];
  return lines.join('\n');
}

/** Does the work of `shakedown demo`; returns the exit code (or never returns while the viewer serves). */
export async function demoCommand(options: DemoCommandOptions): Promise<number> {
  const errorLine = (line: string) => process.stderr.write(`${line}\n`);
  errorLine(
    'shakedown demo — SIMULATED: a built-in simulated model server with four scripted agents of known skill ' +
      `runs ${options.tasks} task(s) of the built-in suite through the real agent loop, sandbox, grading and store.`,
  );
  const controller = createRunAbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  const display = createRunProgressDisplay();
  let result: DemoResult;
  try {
    result = await runDemo({
      dataDir: options.dataDir,
      taskCount: options.tasks,
      attempts: options.k,
      sandbox: options.sandbox,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      onNotice: (line) => errorLine(`note: ${line}`),
      onProgress: (event) => display.onProgress(event),
      signal: controller.signal,
    });
  } finally {
    await display.stop();
    process.off('SIGINT', onSignal);
  }
  const relative = path.relative(process.cwd(), result.dataDir);
  const relativeDataDir = relative === '' ? '.' : relative.startsWith('..') ? result.dataDir : relative;
  process.stdout.write(`\n${formatDemoSummary(result)}\n\n`);
  process.stdout.write(`SIMULATED report: ${result.reportPath}\n`);
  if (result.status === 'interrupted') {
    errorLine(`demo run ${result.runId} interrupted`);
    return 130;
  }
  const mismatched = result.agents.filter(
    (entry) => entry.measuredRate === null || Math.abs(entry.measuredRate - entry.expectedRate) > 1e-9,
  );
  if (mismatched.length > 0) {
    errorLine(
      `error: measured pass rates differ from the known skills for ${mismatched.map((entry) => entry.modelId).join(', ')}: ` +
        `something on this machine breaks runs (see the report's failures, or \`shakedown view --data-dir ${relativeDataDir}\`)`,
    );
    return 1;
  }
  const view = shouldView(options.view, {
    stdinTty: process.stdin.isTTY === true,
    stdoutTty: process.stdout.isTTY === true,
    env: process.env,
    platform: process.platform,
  });
  if (!view) {
    process.stdout.write(
      `browse runs and transcripts: npx shakedown view --data-dir ${relativeDataDir}\n` +
        'next, a real model: npx shakedown doctor (finds local model servers), then npx shakedown run --model <id>\n',
    );
    return 0;
  }
  const server = await runView({ port: options.port, dataDir: result.dataDir, host: '127.0.0.1' }, (line) =>
    process.stdout.write(`${line}\n`),
  );
  openInBrowser(`${server.url}#/runs/${encodeURIComponent(result.runId)}`);
  // The viewer serves until Ctrl-C (runView exits the process then).
  await new Promise<never>(() => {});
  return 0;
}

/** `shakedown demo`: see {@link demoCommand}. */
export function createDemoCommand(): Command {
  return new Command('demo')
    .description(
      'See shakedown work without a model server: SIMULATED scripted agents of known skill on the built-in suite, ' +
        'then the HTML report and the viewer',
    )
    .option('--tasks <n>', 'how many tasks of the built-in suite to run', positiveInteger, DEFAULT_DEMO_TASKS)
    .option('-k, --k <n>', 'attempts per task and agent', positiveInteger, 1)
    .option('--concurrency <n>', 'attempts running at once', positiveInteger)
    .option('--data-dir <dir>', 'where the demo store and report go', DEFAULT_DEMO_DATA_DIR)
    .addOption(
      new Option('--sandbox <backend>', 'where commands run (auto: bubblewrap/docker/podman, else none)')
        .choices(['auto', 'bubblewrap', 'docker', 'podman', 'none'])
        .default('auto'),
    )
    .option(
      '--view',
      'start the viewer afterwards and open it in the browser (default: only at a desktop terminal)',
    )
    .option('--no-view', 'exit after writing the report, without starting the viewer')
    .option('--port <port>', 'viewer port (0: any free port)', port, DEFAULT_VIEWER_PORT)
    .action(async (options: DemoCommandOptions) => {
      process.exitCode = await demoCommand(options);
    });
}
