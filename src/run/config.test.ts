import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configJsonSchema, loadConfig, normalizeModels, parseConfig } from './config.ts';

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
