import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { AGENT_PRESET_NAMES, type AgentConfig, parseAgentsFlag } from '../external/agent-choice.ts';
import { API_KEY_VARIABLES } from '../providers/create-model-client.ts';
import {
  discoverLocalServers,
  type LocalServerCandidate,
  localServerCandidates,
  noModelServerHelp,
} from '../providers/discover-local-servers.ts';
import { createRunProgressDisplay } from '../report/run-progress-display.ts';
import { agentsOf, describeAgents } from '../run/agent-matrix.ts';
import { chooseRunTarget, type RunTarget } from '../run/choose-run-target.ts';
import {
  configJsonSchema,
  loadConfig,
  type ModelConfig,
  modelConfigSchema,
  normalizeModels,
  type ShakedownConfig,
} from '../run/config.ts';
import { executeDistributedRun } from '../run/distributed/execute-distributed-run.ts';
import { redisConnectionOf } from '../run/distributed/redis-connection.ts';
import { shardFilter } from '../run/distributed/shard-of.ts';
import { executeRun, type RunProgressEvent } from '../run/execute-run.ts';
import { formatRunSummary, summarizeRun } from '../run/run-summary.ts';
import { positiveInteger } from '../shared/positive-integer.ts';
import { redactSecrets } from '../shared/redact-secrets.ts';
import { loadRunTasks } from '../task/load-task-folders.ts';
import type { Task } from '../task/task.ts';
import { createRunAbortController } from './run-abort-controller.ts';

/**
 * The suite run when neither flags nor shakedown.yaml name one: `suites/core` relative to the config's folder when
 * there is one, else the core suite shipped with shakedown (see {@link resolveSuiteDirectory}).
 */
export const DEFAULT_SUITE = 'suites/core';

/** Options of `shakedown run`, as commander parses them. */
export interface RunCommandOptions {
  model?: string[];
  suite?: string[];
  tasks?: string[];
  k?: number;
  concurrency?: number;
  config?: string;
  sandbox?: ShakedownConfig['sandbox'];
  resume?: string | true;
  dataDir?: string;
  json?: boolean;
  keepWorkspaces?: boolean;
  /** Redis URL: queue the attempts for `shakedown worker`s instead of running them here. */
  queue?: string;
  /** `i/n`: run only this shard of the matrix (see `shardFilter`), in its own data folder. */
  shard?: string;
  /** Run id of a new run (shards of one sweep share it, so that `shakedown merge` joins them into one run). */
  runId?: string;
  /** `built-in`, a preset name or `command:<template>`, or several comma-separated (`parseAgentsFlag`); overrides the config. */
  agent?: AgentConfig[];
  /** Start a new run even when no model endpoint is reachable (default: refuse, exit code 1). */
  allowUnreachable?: boolean;
}

function agentFlag(value: string): AgentConfig[] {
  try {
    return parseAgentsFlag(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Applies command-line flags over shakedown.yaml. Flag models replace the config's (keeping its settings by id). */
export function applyRunFlags(
  config: ShakedownConfig,
  flags: RunCommandOptions,
): { config: ShakedownConfig; models: ModelConfig[] } {
  const merged: ShakedownConfig = {
    ...config,
    ...(flags.suite ? { suites: flags.suite } : {}),
    ...(flags.tasks ? { tasks: flags.tasks } : {}),
    ...(flags.k !== undefined ? { attempts: flags.k } : {}),
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
    ...(flags.sandbox ? { sandbox: flags.sandbox } : {}),
    ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
    ...(flags.keepWorkspaces ? { keepWorkspaces: true } : {}),
    ...(flags.agent !== undefined
      ? flags.agent.length === 1
        ? { agent: flags.agent[0] ?? 'built-in', agents: undefined }
        : { agent: flags.agent[0] ?? 'built-in', agents: flags.agent }
      : {}),
  };
  if (flags.suite || flags.tasks) {
    merged.suites = flags.suite ?? [];
    merged.tasks = flags.tasks ?? [];
  }
  if (merged.suites.length === 0 && merged.tasks.length === 0) merged.suites = [DEFAULT_SUITE];
  const configured = normalizeModels(config);
  const models = flags.model
    ? flags.model.map((id) => configured.find((model) => model.id === id) ?? modelConfigSchema.parse({ id }))
    : configured;
  return { config: merged, models };
}

/**
 * `shakedown run`: runs the models on the tasks k times each and records every attempt in the store; `--resume`
 * continues an interrupted run. Ctrl-C stops taking attempts, marks the run interrupted and exits non-zero with a
 * resume hint. No API key is ever printed.
 */
export function createRunCommand(): Command {
  return new Command('run')
    .description('Run models on coding tasks with hidden tests and record every attempt')
    .option('-m, --model <id>', 'model id (repeatable), e.g. ollama:qwen3.5:9b, openai:o3-mini', collect)
    .option('--suite <dir>', `suite folder (repeatable; default ${DEFAULT_SUITE})`, collect)
    .option('--tasks <dir>', 'single task folder (repeatable)', collect)
    .option('-k, --k <n>', 'attempts per task and model (k in pass@k)', positiveInteger)
    .option('--concurrency <n>', 'attempts running at once across all endpoints', positiveInteger)
    .option('--config <file>', 'shakedown.yaml to read (default: ./shakedown.yaml when present)')
    .addOption(
      new Option('--sandbox <backend>', 'where commands run').choices([
        'auto',
        'bubblewrap',
        'docker',
        'podman',
        'none',
      ]),
    )
    .option(
      '--resume [run]',
      'resume a run, running again its interrupted and infrastructure-error attempts (default: the latest one that did not complete or has infrastructure errors)',
    )
    .option('--data-dir <dir>', 'where the store, transcripts and workspaces live (default .shakedown)')
    .option('--keep-workspaces', 'keep the workspaces of attempts that were not resolved')
    .option('--allow-unreachable', 'start the run even when no model endpoint is reachable at its start')
    .option(
      '--agent <agent>',
      `agent under test: built-in (default), ${AGENT_PRESET_NAMES.join(', ')}, or "command:<template>" (any agent speaking the OpenAI API; placeholders {model}, {instruction_file}, …); several side by side, comma-separated: built-in,qwen-code,opencode`,
      agentFlag,
    )
    .option('--json', 'print the final summary as JSON')
    .option('--queue <url>', 'queue attempts on Redis for `shakedown worker`s, e.g. redis://10.0.0.5:6379')
    .option('--shard <i/n>', 'run only shard i of n of the matrix (merge shards with `shakedown merge`)')
    .option('--run-id <id>', 'id of the new run (default: a fresh one; derived from the config with --shard)')
    .action(async (options: RunCommandOptions) => {
      process.exitCode = await runCommand(options);
    });
}

/** `shakedown config schema`: prints the JSON schema of shakedown.yaml. */
export function createConfigCommand(): Command {
  const config = new Command('config').description('shakedown.yaml helpers');
  config
    .command('schema')
    .description('Print the JSON schema of shakedown.yaml (for editor completion)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });
  return config;
}

/**
 * Without --model or models in shakedown.yaml: the loaded (or first) model of every local server found, announced
 * on stderr; null, after printing the options, when none answers.
 */
async function modelsOfLocalServers(errorLine: (line: string) => void): Promise<ModelConfig[] | null> {
  let candidates: LocalServerCandidate[];
  try {
    candidates = localServerCandidates();
  } catch (error) {
    errorLine(`error: ${(error as Error).message}`);
    return null;
  }
  const servers = await discoverLocalServers({ candidates });
  const ids = servers.flatMap((server) => server.primaryModelIds);
  if (ids.length === 0) {
    errorLine(noModelServerHelp(candidates));
    return null;
  }
  errorLine(
    `no --model given: running the local models found: ${ids.join(', ')} (choose with --model <id>; \`shakedown doctor\` lists them all)`,
  );
  return ids.map((id) => modelConfigSchema.parse({ id }));
}

/** Does the work of `shakedown run`; returns the exit code. */
export async function runCommand(options: RunCommandOptions): Promise<number> {
  const secrets = Object.values(API_KEY_VARIABLES).map((variable) => process.env[variable]);
  const errorLine = (message: string) => process.stderr.write(`${redactSecrets(message, secrets)}\n`);
  const loaded = await loadConfig(options.config ? { file: options.config } : {});
  const baseDirectory = loaded.file ? path.dirname(path.resolve(loaded.file)) : process.cwd();
  const { config, models: given } = applyRunFlags(loaded.config, options);
  let models = given;
  if (models.length === 0) {
    const found = await modelsOfLocalServers(errorLine);
    if (found === null) return 2;
    models = found;
  }
  let tasks: Task[];
  try {
    tasks = await loadRunTasks(config, baseDirectory, (message) => errorLine(`warning: ${message}`));
  } catch (error) {
    errorLine(`error: ${(error as Error).message}`);
    return 2;
  }
  let target: RunTarget;
  try {
    target = chooseRunTarget({
      config,
      models,
      tasks,
      baseDirectory,
      ...(options.shard !== undefined ? { shard: options.shard } : {}),
      distributed: options.queue !== undefined,
      dataDirGiven: options.dataDir !== undefined,
      ...(options.runId !== undefined ? { runId: options.runId } : {}),
      ...(options.resume !== undefined ? { resume: options.resume } : {}),
    });
  } catch (error) {
    errorLine(`error: ${(error as Error).message}`);
    return 2;
  }
  const { store, dataDir, shard, runId, resume } = target;

  const controller = createRunAbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    errorLine(
      `\n${name}: finishing up (attempts in flight are cancelled and run again on resume); again to quit now`,
    );
    controller.abort(new Error(`interrupted by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const display = createRunProgressDisplay({ interactive: options.json ? false : undefined });
  try {
    const workers = new Map<string, number>();
    const common = {
      config,
      models,
      tasks,
      store,
      dataDir,
      resume,
      ...(runId ? { runId } : {}),
      signal: controller.signal,
      onProgress: (event: RunProgressEvent) => display.onProgress(event),
    };
    const result = options.queue
      ? await executeDistributedRun({
          ...common,
          connection: redisConnectionOf(options.queue),
          onResult: (entry) => {
            if (entry.status === 'recorded') workers.set(entry.worker, (workers.get(entry.worker) ?? 0) + 1);
          },
        })
      : await executeRun({
          ...common,
          ...(shard ? { attemptFilter: shardFilter(shard) } : {}),
          ...(options.allowUnreachable ? { allowUnreachable: true } : {}),
        });
    if (workers.size > 0) {
      errorLine(`attempts per worker: ${[...workers].map(([name, count]) => `${name} ${count}`).join(', ')}`);
    }
    await display.stop();
    const summaries = summarizeRun(store, result.runId);
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ runId: result.runId, status: result.status, agent: describeAgents(agentsOf(config)), models: summaries }, null, 2)}\n`,
      );
    } else {
      process.stdout.write(
        `\n${formatRunSummary(summaries)}\n\nrun ${result.runId} ${result.status} (agent: ${describeAgents(agentsOf(config))})\n`,
      );
    }
    if (result.status === 'interrupted') {
      errorLine(`run ${result.runId} interrupted; resume it with: shakedown run --resume ${result.runId}`);
      return 130;
    }
    // With --json, stdout is the JSON document alone.
    if (!options.json) process.stdout.write(`  shakedown report ${result.runId}\n  shakedown view\n`);
    return 0;
  } catch (error) {
    await display.stop();
    const message = error instanceof Error ? error.message : String(error);
    const demoHint =
      error instanceof Error && error.name === 'EndpointsUnreachableError'
        ? '; to see shakedown work without a model server: npx shakedown demo'
        : '';
    errorLine(`error: ${message}${demoHint}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    store.close();
  }
}
