import { Command } from 'commander';

/** A subcommand as the command list shows it, and how to load it (its module and dependencies load only then). */
interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'demo',
    summary:
      'See shakedown work without a model server: SIMULATED scripted agents of known skill on the built-in suite, ' +
      'then the HTML report and the viewer',
    load: async () => (await import('./demo-command.ts')).createDemoCommand(),
  },
  {
    name: 'doctor',
    summary:
      'Check a model endpoint: reachable, context length, offload, tool calling round trip, latency (without --model: every local model server found)',
    load: async () => (await import('./doctor-command.ts')).createDoctorCommand(),
  },
  {
    name: 'fit',
    summary:
      'Will the model fit the GPU? Weights + KV cache (per layer kind) + recurrent state at a context length vs GPU memory',
    load: async () => (await import('./fit-command.ts')).createFitCommand(),
  },
  {
    name: 'task',
    summary: 'Work with task folders',
    load: async () => (await import('./task-command.ts')).createTaskCommand(),
  },
  {
    name: 'mine',
    summary:
      'Mine tasks from a git history: commits that change code and tests, validated by running the tests',
    load: async () => (await import('./mine-command.ts')).createMineCommand(),
  },
  {
    name: 'import',
    summary: 'Import tasks from other benchmarks',
    load: async () => (await import('./import-command.ts')).createImportCommand(),
  },
  {
    name: 'run',
    summary: 'Run models on coding tasks with hidden tests and record every attempt',
    load: async () => (await import('./run-command.ts')).createRunCommand(),
  },
  {
    name: 'config',
    summary: 'shakedown.yaml helpers',
    load: async () => (await import('./run-command.ts')).createConfigCommand(),
  },
  {
    name: 'probe',
    summary: 'Probe a model endpoint: tool-calling reliability, context retention by depth, throughput',
    load: async () => (await import('./probe-command.ts')).createProbeCommand(),
  },
  {
    name: 'view',
    summary: 'browse runs, model comparisons and attempt transcripts in a local web app',
    load: async () => (await import('./view-command.ts')).createViewCommand(),
  },
  {
    name: 'report',
    summary: 'Report a run: pass rate, pass@k, tool-call validity, latency, cost (default: the newest run)',
    load: async () => (await import('./report-command.ts')).createReportCommand(),
  },
  {
    name: 'rescore',
    summary: 'Recompute the metrics of a stored run from its transcripts (no model calls)',
    load: async () => (await import('./rescore-command.ts')).createRescoreCommand(),
  },
  {
    name: 'worker',
    summary: 'Run queued attempts of a distributed run (shakedown run --queue) for the models served here',
    load: async () => (await import('./worker-command.ts')).createWorkerCommand(),
  },
  {
    name: 'merge',
    summary: 'Merge shard stores (shakedown run --shard i/n) into one store',
    load: async () => (await import('./merge-command.ts')).createMergeCommand(),
  },
];

/** The subcommand the arguments (without `node` and the script) invoke, or that `help NAME` asks about. */
export function invokedCommandName(args: readonly string[]): string | undefined {
  const words = args.filter((argument) => !argument.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * The `shakedown` command line. Each subcommand lives in its own file (`<name>-command.ts`); only the one that
 * `args` invoke is loaded (`--version` and `--help` load none), the others stand in the list by name and summary.
 * `args: 'all'` loads every one.
 */
export async function createProgram(
  args: readonly string[] | 'all' = process.argv.slice(2),
): Promise<Command> {
  const program = new Command();
  program
    .name('shakedown')
    .description(
      'Can this model do agentic coding on my codebase? Pass rate, tool-call reliability, latency, cost.',
    )
    .version('0.1.0');
  const invoked = args === 'all' ? undefined : invokedCommandName(args);
  for (const entry of COMMANDS) {
    const load = args === 'all' || entry.name === invoked;
    program.addCommand(load ? await entry.load() : new Command(entry.name).description(entry.summary));
  }
  withOneLineErrors(program, 'shakedown');
  return program;
}

/**
 * Usage errors on one line with the fix (`error: unknown command 'rnu' (did you mean run?); see npx shakedown
 * --help`), for `command` and every subcommand, instead of commander's suggestion on a line of its own followed by
 * the whole help.
 */
function withOneLineErrors(command: Command, path: string): void {
  const help = `npx ${path} --help`;
  command.configureOutput({
    // Commander's own usage errors start with `error:`; a command's own errors already carry their fix.
    outputError: (text, write) =>
      write(
        text.startsWith('error:')
          ? `${text.trimEnd().replace(/\n\(Did you mean (.*)\?\)$/, ' (did you mean $1?)')}; see ${help}\n`
          : text,
      ),
  });
  for (const sub of command.commands) withOneLineErrors(sub, `${path} ${sub.name()}`);
}
