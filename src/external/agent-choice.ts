import { accessSync, constants, realpathSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  AGENT_PRESETS,
  agentPreset,
  agentsCacheDirectory,
  findPinnedInstall,
  PINNED_AGENT_INSTALLS,
  renderCommandTemplate,
  renderEnvironmentTemplate,
  shellQuote,
} from './index.ts';

/** Names of the known external agents (`agent: { preset }`, `--agent NAME`). */
export const AGENT_PRESET_NAMES = ['aider', 'qwen-code', 'opencode', 'codex'] as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DUMMY_TEMPLATE_VALUES = { instructionFile: '/f', instruction: 'i', model: 'm', workspace: '/w' };

const presetAgentSchema = z.object({ preset: z.enum(AGENT_PRESET_NAMES) }).strict();

const commandAgentSchema = z
  .object({
    /** Command template run with `bash -c` in the sandbox (placeholders: see src/external/command-template.ts). */
    command: z.string().trim().min(1, 'agent.command must not be empty'),
    /** Extra environment templates, merged over the OpenAI-client variables pointing at the proxy. */
    env: z
      .record(z.string().regex(ENV_NAME, 'agent.env keys must be environment variable names'), z.string())
      .optional(),
    /** Absolute host directories the agent needs (its installation), exposed read-only in the sandbox. */
    readOnlyPaths: z
      .array(
        z.string().refine((value) => path.isAbsolute(value), 'agent.readOnlyPaths must be absolute paths'),
      )
      .optional(),
  })
  .strict()
  .superRefine((agent, context) => {
    try {
      renderCommandTemplate(agent.command, DUMMY_TEMPLATE_VALUES);
      if (agent.env) renderEnvironmentTemplate(agent.env, DUMMY_TEMPLATE_VALUES);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

/**
 * The agent under test: the built-in agent, a known external agent, or any command speaking the OpenAI API.
 * External agents run through the recording proxy (src/external) and are graded exactly like the built-in agent.
 */
export const agentConfigSchema = z.union([z.literal('built-in'), presetAgentSchema, commandAgentSchema], {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? `agent must be 'built-in', { preset: ${AGENT_PRESET_NAMES.join(' | ')} } or { command: '…', env?, readOnlyPaths? }` +
        unionDetail(issue)
      : undefined,
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

function unionDetail(issue: { errors?: unknown }): string {
  // Name the problem of the branch the value was clearly meant for (an object with `preset` or `command`).
  const branches = Array.isArray(issue.errors) ? (issue.errors as Array<Array<{ message: string }>>) : [];
  const detail = branches
    .slice(1)
    .map((issues) => issues.map((item) => item.message).join('; '))
    .filter((message) => message.length > 0 && !message.startsWith('Invalid input: expected object'));
  const specific = detail.find((message) => !message.includes('Unrecognized key') || detail.length === 1);
  return specific ? ` (${specific})` : '';
}

/** An external agent, resolved to what runExternalAgent and the sandbox need. */
export interface ExternalAgentSpec {
  /** For people: `external (preset aider)`, `external (command …)`. */
  label: string;
  command: string;
  env?: Record<string, string>;
  /** Configuration files written into the agent's private HOME (a preset's). */
  homeFiles?: Record<string, string>;
  /** Host directories exposed read-only in the sandbox (besides the bridge directory). */
  readOnlyPaths: string[];
  /** Set when a preset's executable is neither on PATH nor pinned-installed: the one-line error with its fix. */
  notInstalled?: string;
}

/** Where {@link resolveExternalAgent} looks for a preset's executable. */
export interface AgentLookup {
  /** PATH to search first (default process.env.PATH; '' to use only the pinned installs). */
  searchPath?: string;
  /** Directory of the pinned installs (default: agentsCacheDirectory()). */
  agentsDirectory?: string;
}

/** `built-in`, `external (preset aider)` or `external (command …)`. */
export function describeAgent(agent: AgentConfig | undefined): string {
  if (agent === undefined || agent === 'built-in') return 'built-in';
  if ('preset' in agent) return `external (preset ${agent.preset})`;
  return `external (command ${agent.command})`;
}

/** The agent label of a stored run config (`{ fingerprint: { agent } }`); `built-in` when none is stored. */
export function agentLabelOfStoredConfig(config: unknown): string {
  const fingerprint = (config as { fingerprint?: { agent?: unknown } } | null)?.fingerprint;
  const parsed = agentConfigSchema.safeParse(fingerprint?.agent ?? 'built-in');
  return parsed.success ? describeAgent(parsed.data) : 'external (unrecognized)';
}

/** Parses `--agent`: `built-in`, a preset name, or `command:<command template>`. Throws with the accepted forms. */
export function parseAgentFlag(value: string): AgentConfig {
  const text = value.trim();
  if (text === 'built-in' || text === 'builtin') return 'built-in';
  if ((AGENT_PRESET_NAMES as readonly string[]).includes(text)) {
    return { preset: text as (typeof AGENT_PRESET_NAMES)[number] };
  }
  if (text.startsWith('command:')) {
    const parsed = commandAgentSchema.safeParse({ command: text.slice('command:'.length) });
    if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => issue.message).join('; '));
    return parsed.data;
  }
  throw new Error(`expected built-in, ${AGENT_PRESET_NAMES.join(', ')} or "command:<command template>"`);
}

/**
 * Parses `--agent` with one agent or several side by side (`built-in,qwen-code,opencode`; `builtin` is accepted
 * too). A `command:<template>` takes the rest of the value, commas included, so it comes last.
 */
export function parseAgentsFlag(value: string): AgentConfig[] {
  const agents: AgentConfig[] = [];
  let rest = value.trim();
  while (rest.length > 0) {
    if (rest.startsWith('command:')) {
      agents.push(parseAgentFlag(rest));
      break;
    }
    const comma = rest.indexOf(',');
    agents.push(parseAgentFlag(comma === -1 ? rest : rest.slice(0, comma)));
    rest = comma === -1 ? '' : rest.slice(comma + 1).trim();
  }
  if (agents.length === 0) throw new Error('expected at least one agent');
  return agents;
}

/**
 * Resolves an external agent (null for the built-in one): a preset's command line, configuration and installation
 * paths. A preset's executable is looked up on PATH, then in the pinned installs of
 * `scripts/install-external-agents.sh`. When neither has it, the command names the bare executable and the first
 * run fails before calling the model: an infrastructure error whose message says the command was not found.
 */
export function resolveExternalAgent(
  agent: AgentConfig | undefined,
  lookup: AgentLookup = {},
): ExternalAgentSpec | null {
  if (agent === undefined || agent === 'built-in') return null;
  if ('preset' in agent) {
    const preset = agentPreset(agent.preset);
    const executable = preset.command.split(/\s+/, 1)[0] ?? '';
    const installation =
      findInstallation(executable, lookup.searchPath) ??
      findPinnedInstall(agent.preset, lookup.agentsDirectory);
    return {
      label: describeAgent(agent),
      // Run the executable by its host path: the sandbox's PATH may not include where it was installed.
      command: installation
        ? `${shellQuote(installation.executable)}${preset.command.slice(executable.length)}`
        : preset.command,
      env: preset.env,
      ...(preset.homeFiles ? { homeFiles: preset.homeFiles } : {}),
      readOnlyPaths: installation?.readOnlyPaths ?? [],
      ...(installation ? {} : { notInstalled: notInstalledMessage(agent.preset, executable) }),
    };
  }
  return {
    label: describeAgent(agent),
    command: agent.command,
    ...(agent.env ? { env: agent.env } : {}),
    readOnlyPaths: agent.readOnlyPaths ?? [],
  };
}

function notInstalledMessage(preset: string, executable: string): string {
  const pinned = PINNED_AGENT_INSTALLS[preset];
  const fix = pinned
    ? `install it (npm install -g ${pinned.package}@${pinned.version}) or run scripts/install-external-agents.sh`
    : `install it so that \`${executable}\` is on PATH`;
  return `--agent ${preset}: \`${executable}\` is not on PATH nor in ${agentsCacheDirectory()}: ${fix}`;
}

/** System directories the sandbox already shows; never worth exposing again. */
const SYSTEM_PREFIXES = ['/usr/', '/bin/', '/sbin/', '/lib/', '/lib64/', '/etc/'];

/**
 * Where an executable found on PATH is installed, for the sandbox to expose read-only: the directory of the
 * PATH entry and, through its symlinks, the npm package folder (`…/node_modules/<package>`) or the virtual
 * environment (the parent of `bin/`) it belongs to (system directories left out: the sandbox shows them). Null
 * when the executable is not on PATH (the agent's first run then fails as an infrastructure error, never as a
 * model failure).
 */
export function findInstallation(
  executable: string,
  searchPath = process.env.PATH ?? '',
): { executable: string; readOnlyPaths: string[] } | null {
  if (!executable || executable.includes('/')) return null;
  for (const directory of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(directory, executable);
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    const target = realpathSync(candidate);
    const parts = target.split(path.sep);
    const modules = parts.indexOf('node_modules');
    let root: string;
    if (modules > 0 && modules + 1 < parts.length - 1) {
      const scoped = parts[modules + 1]?.startsWith('@') ? 2 : 1;
      root = parts.slice(0, modules + 1 + scoped).join(path.sep);
    } else {
      const parent = path.dirname(target);
      root = path.basename(parent) === 'bin' ? path.dirname(parent) : parent;
    }
    const paths = [...new Set([realpathSync(directory), root])];
    return {
      executable: target,
      readOnlyPaths: paths.filter(
        (entry) => !SYSTEM_PREFIXES.some((prefix) => `${entry}/`.startsWith(prefix)),
      ),
    };
  }
  return null;
}

/** Every preset name with its description, for help texts. */
export function describePresets(): string {
  return AGENT_PRESET_NAMES.map((name) => `${name}: ${AGENT_PRESETS[name]?.description ?? ''}`).join('\n');
}
