/**
 * Command templates for coding agents people actually use, run through the recording proxy by runExternalAgent.
 * Placeholders are described in command-template.ts. Qwen Code, OpenCode and Codex CLI are tested for real
 * (src/run/real-agents-run.test.ts) at the versions pinned in agent-installs.ts; Aider needs PyPI, which the test
 * environment cannot reach, so its preset is written from its documentation and is NOT tested. Each agent runs
 * with no network inside the sandbox: its `env` and `homeFiles` (written into a private, fresh HOME by the bridge)
 * point its provider at the proxy and turn off telemetry, update checks, model-catalogue downloads and login prompts.
 */

/** A known agent: how to run it non-interactively against an OpenAI-compatible endpoint. */
export interface AgentPreset {
  name: string;
  description: string;
  /** Command template. */
  command: string;
  /** Environment templates (merged over DEFAULT_AGENT_ENV). */
  env: Record<string, string>;
  /** Configuration files written into the agent's private HOME (path relative to HOME -> content template). */
  homeFiles?: Record<string, string>;
  /** Where the command line comes from. */
  documentation: string;
}

/** Presets by name. */
export const AGENT_PRESETS: Readonly<Record<string, AgentPreset>> = {
  aider: {
    name: 'aider',
    description:
      'Aider, one-shot: applies its edits to the workspace and exits (no git commits, no prompts).',
    command:
      'aider --yes-always --no-git --no-auto-commits --no-show-model-warnings --no-check-update --no-analytics ' +
      '--no-pretty --no-stream --model openai/{model} --message-file {instruction_file}',
    env: { OPENAI_API_BASE: '{base_url}' },
    documentation: 'https://aider.chat/docs/scripting.html, https://aider.chat/docs/llms/openai-compat.html',
  },
  'qwen-code': {
    name: 'qwen-code',
    description: 'Qwen Code in non-interactive mode with every tool call auto-approved (yolo).',
    command: 'qwen --yolo --model {model} --prompt "$(cat {instruction_file})"',
    env: {
      OPENAI_BASE_URL: '{base_url}',
      OPENAI_MODEL: '{model}',
      // shakedown's sandbox is the sandbox: the notice that Qwen Code's own is off is noise in every transcript.
      QWEN_CODE_SUPPRESS_YOLO_WARNING: '1',
    },
    homeFiles: {
      // OpenAI-compatible auth (no login prompt), no usage statistics, telemetry or update checks.
      '.qwen/settings.json': JSON.stringify({
        security: { auth: { selectedType: 'openai' } },
        model: { name: '{model}' },
        general: {
          enableAutoUpdate: false,
          disableAutoUpdate: true,
          disableUpdateNag: true,
          preventSystemSleep: false,
          showSessionRecap: false,
          chatRecording: false,
        },
        privacy: { usageStatisticsEnabled: false },
        telemetry: { enabled: false },
        ui: {
          hideTips: true,
          enableFollowupSuggestions: false,
          enableSpeculation: false,
          enableUserFeedback: false,
        },
      }),
    },
    documentation:
      'https://github.com/QwenLM/qwen-code (README: OpenAI-compatible API, headless mode); settings keys from the ' +
      "settings schema in the installed package's chunks",
  },
  opencode: {
    name: 'opencode',
    description:
      'OpenCode `run` with an OpenAI-compatible provider named shakedown, configured inline through OPENCODE_CONFIG_CONTENT.',
    command: 'opencode run --model shakedown/{model} "$(cat {instruction_file})"',
    env: {
      OPENCODE_CONFIG_CONTENT:
        '{"$schema":"https://opencode.ai/config.json","provider":{"shakedown":{"npm":"@ai-sdk/openai-compatible",' +
        '"name":"shakedown proxy","options":{"baseURL":"{base_url}","apiKey":"shakedown-proxy-no-key"},' +
        '"models":{"{model}":{"name":"{model}"}}}},"autoupdate":false,"share":"disabled"}',
      // No network in the sandbox: no models.dev catalogue, update check, LSP downloads, default plugins (npm).
      OPENCODE_DISABLE_AUTOUPDATE: 'true',
      OPENCODE_DISABLE_MODELS_FETCH: 'true',
      OPENCODE_DISABLE_LSP_DOWNLOAD: 'true',
      OPENCODE_DISABLE_DEFAULT_PLUGINS: 'true',
      OPENCODE_DISABLE_SHARE: 'true',
    },
    documentation: 'https://opencode.ai/docs/cli/, https://opencode.ai/docs/providers/ (custom provider)',
  },
  codex: {
    name: 'codex',
    description:
      'OpenAI Codex CLI `exec`, approvals and its own sandbox off (shakedown sandboxes it), provider shakedown pointing at the proxy.',
    command:
      'codex exec --skip-git-repo-check --dangerously-bypass-approvals-and-sandbox --ephemeral --color never ' +
      '--model {model} "$(cat {instruction_file})"',
    env: {},
    homeFiles: {
      '.codex/config.toml': [
        'model_provider = "shakedown"',
        'check_for_update_on_startup = false',
        '[analytics]',
        'enabled = false',
        '[model_providers.shakedown]',
        'name = "shakedown proxy"',
        'base_url = "{base_url}"',
        'env_key = "OPENAI_API_KEY"',
        'wire_api = "responses"',
        '',
      ].join('\n'),
    },
    documentation:
      'https://developers.openai.com/codex/config-reference (model_providers), `codex exec --help`',
  },
};

/** The preset of a name, or an error listing the known ones. */
export function agentPreset(name: string): AgentPreset {
  const preset = AGENT_PRESETS[name];
  if (!preset) {
    throw new Error(
      `unknown agent preset ${JSON.stringify(name)}; known: ${Object.keys(AGENT_PRESETS).join(', ')}`,
    );
  }
  return preset;
}
