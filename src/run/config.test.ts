import { mkdir, mkdtemp, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeAgent,
  findInstallation,
  parseAgentFlag,
  resolveExternalAgent,
} from '../external/agent-choice.ts';
import { PINNED_AGENT_INSTALLS } from '../external/agent-installs.ts';
import { ConfigError, configJsonSchema, loadConfig, normalizeModels, parseConfig } from './config.ts';
import { describeFingerprintChange, fingerprintHash, runFingerprintOf } from './run-fingerprint.ts';

describe('shakedown.yaml', () => {
  it('fills defaults and normalizes model entries', () => {
    const config = parseConfig(
      'models:\n  - ollama:qwen3.5:9b\n  - id: openai:o3-mini\n    apiKeyEnv: OPENAI_API_KEY\nattempts: 3\n',
    );
    expect(config.attempts).toBe(3);
    expect(config.limits.maxSteps).toBe(40);
    const models = normalizeModels(config);
    expect(models.map((model) => model.id)).toEqual(['ollama:qwen3.5:9b', 'openai:o3-mini']);
    expect(models[0].protocol).toBe('auto');
  });

  it('names the file and field of every problem', () => {
    expect(() => parseConfig('attempts: 0\nconcurency: 2\n', 'my.yaml')).toThrow(ConfigError);
    try {
      parseConfig('attempts: 0\nconcurency: 2\n', 'my.yaml');
    } catch (error) {
      expect((error as Error).message).toMatch(/my\.yaml: attempts: /);
      expect((error as Error).message).toMatch(/concurency/);
    }
    expect(() => parseConfig('models: [ {id: x, apiKeyEnv: "sk-abc123"} ]')).toThrow(
      /environment variable NAME/,
    );
    expect(() => parseConfig('models: [unclosed')).toThrow(/not valid YAML/);
  });

  it('refuses unknown keys at every level, one line each naming the nearest valid key', () => {
    const cases: Array<[string, string]> = [
      [
        'models:\n  - id: ollama:a\n    concurency: 2\n',
        'shakedown.yaml: models.0: unknown key "concurency" (did you mean "concurrency"?); valid keys: id, label,',
      ],
      [
        'atempts: 2\n',
        'shakedown.yaml: unknown key "atempts" (did you mean "attempts"?); valid keys: models,',
      ],
      ['limits:\n  maxStep: 3\n', 'shakedown.yaml: limits: unknown key "maxStep" (did you mean "maxSteps"?)'],
      [
        'models:\n  - id: ollama:a\n    localCost: { gpuHourlyRateUsd: 1, wats: 300 }\n',
        'shakedown.yaml: models.0.localCost: unknown key "wats" (did you mean "watts"?)',
      ],
      [
        'prices:\n  - { model: m, inputPerMillion: 1, outputPerMillion: 2, source: s, asOf: 2026-01-01, cache: 1 }\n',
        'shakedown.yaml: prices.0: unknown key "cache"; valid keys: model, inputPerMillion, outputPerMillion, cachedInputPerMillion',
      ],
    ];
    for (const [text, expected] of cases) {
      let message = '';
      try {
        parseConfig(text);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        message = (error as Error).message;
      }
      expect(message.startsWith(expected), `${JSON.stringify(text)} -> ${message}`).toBe(true);
      expect(message.split('\n')).toHaveLength(1);
    }
  });

  it('loads from a directory, and refuses a missing explicit file', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'shakedown-config-'));
    expect((await loadConfig({ directory })).file).toBeNull();
    await writeFile(path.join(directory, 'shakedown.yaml'), 'concurrency: 4\n');
    const loaded = await loadConfig({ directory });
    expect(loaded.config.concurrency).toBe(4);
    await expect(loadConfig({ file: path.join(directory, 'nope.yaml') })).rejects.toThrow(/not found/);
  });

  it('exports a JSON schema for editors', () => {
    const schema = configJsonSchema();
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties as object)).toContain('models');
  });
});

describe('agent', () => {
  it('defaults to the built-in agent and accepts presets and commands', () => {
    expect(parseConfig('{}').agent).toBe('built-in');
    expect(parseConfig('agent: { preset: aider }').agent).toEqual({ preset: 'aider' });
    expect(
      parseConfig(
        'agent: { command: "my-agent --model {model}", env: { FOO: bar }, readOnlyPaths: [/opt/a] }',
      ).agent,
    ).toEqual({ command: 'my-agent --model {model}', env: { FOO: 'bar' }, readOnlyPaths: ['/opt/a'] });
  });

  it('names what is wrong with a bad agent', () => {
    expect(() => parseConfig('agent: { preset: cursor }')).toThrow(/agent must be 'built-in'.*aider/);
    expect(() => parseConfig('agent: claude')).toThrow(/agent must be 'built-in'/);
    expect(() => parseConfig('agent: { command: "" }')).toThrow(/agent.command must not be empty/);
    expect(() => parseConfig('agent: { command: "x {nope}" }')).toThrow(/unknown placeholder \{nope\}/);
    expect(() => parseConfig('agent: { command: x, readOnlyPaths: [rel] }')).toThrow(/must be absolute/);
  });

  it('parses --agent and changes the run fingerprint only for external agents', () => {
    expect(parseAgentFlag('built-in')).toBe('built-in');
    expect(parseAgentFlag('qwen-code')).toEqual({ preset: 'qwen-code' });
    expect(parseAgentFlag('command:my-agent {instruction_file}')).toEqual({
      command: 'my-agent {instruction_file}',
    });
    expect(() => parseAgentFlag('cursor')).toThrow(/expected built-in, aider/);
    const base = parseConfig('{}');
    const builtIn = runFingerprintOf(base, [], []);
    expect(builtIn).not.toHaveProperty('agent');
    const external = runFingerprintOf({ ...base, agent: { preset: 'aider' } }, [], []);
    expect(fingerprintHash(external)).not.toBe(fingerprintHash(builtIn));
    expect(describeFingerprintChange(builtIn, external)).toEqual([
      'agent built-in -> external (preset aider)',
    ]);
    expect(describeAgent({ command: 'x' })).toBe('external (command x)');
  });

  it('resolves a preset to its command, exposing its installation when it is on PATH', async () => {
    const bin = await mkdtemp(path.join(tmpdir(), 'shakedown-agent-bin-'));
    await writeFile(path.join(bin, 'aider'), '#!/bin/sh\n', { mode: 0o755 });
    const found = findInstallation('aider', bin);
    expect(found?.readOnlyPaths).toContain(await realpath(bin));
    expect(
      resolveExternalAgent({ preset: 'opencode' }, { searchPath: bin, agentsDirectory: bin })?.command,
    ).toMatch(/^opencode run/);
    expect(resolveExternalAgent('built-in')).toBeNull();
  });

  it('finds a preset in the pinned installs when it is not on PATH, else says how to install it', async () => {
    const agents = await mkdtemp(path.join(tmpdir(), 'shakedown-agents-'));
    const missing = resolveExternalAgent(
      { preset: 'qwen-code' },
      { searchPath: '', agentsDirectory: agents },
    );
    expect(missing?.notInstalled).toMatch(
      /--agent qwen-code: `qwen` is not on PATH .*npm install -g @qwen-code\/qwen-code@\S+ .*scripts\/install-external-agents\.sh/,
    );
    const prefix = path.join(agents, `qwen-code@${PINNED_AGENT_INSTALLS['qwen-code']!.version}`);
    await mkdir(path.join(prefix, 'node_modules', '.bin'), { recursive: true });
    await writeFile(path.join(prefix, 'node_modules', '.bin', 'qwen'), '#!/bin/sh\n', { mode: 0o755 });
    await writeFile(path.join(prefix, '.installed'), '');
    const found = resolveExternalAgent({ preset: 'qwen-code' }, { searchPath: '', agentsDirectory: agents });
    expect(found?.notInstalled).toBeUndefined();
    expect(found?.command.startsWith(`'${await realpath(prefix)}/node_modules/.bin/qwen' --yolo`)).toBe(true);
    expect(found?.readOnlyPaths).toEqual([await realpath(prefix)]);
    expect(JSON.parse(found?.homeFiles?.['.qwen/settings.json'] ?? '{}')).toMatchObject({
      security: { auth: { selectedType: 'openai' } },
      privacy: { usageStatisticsEnabled: false },
    });
  });
});
