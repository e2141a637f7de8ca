import { describe, expect, it } from 'vitest';
import { shakedownConfigSchema } from '../run/config.ts';
import { applyRunFlags, createRunCommand, DEFAULT_SUITE } from './run-command.ts';

describe('shakedown run flags', () => {
  it('override shakedown.yaml and default to the core suite', () => {
    const config = shakedownConfigSchema.parse({
      models: [{ id: 'ollama:a', concurrency: 3 }, 'ollama:b'],
      attempts: 2,
    });
    const plain = applyRunFlags(config, {});
    expect(plain.config.suites).toEqual([DEFAULT_SUITE]);
    expect(plain.models.map((model) => model.id)).toEqual(['ollama:a', 'ollama:b']);
    const flagged = applyRunFlags(config, {
      model: ['ollama:a', 'openai:o3-mini'],
      k: 5,
      tasks: ['t1'],
      sandbox: 'none',
    });
    expect(flagged.models).toMatchObject([{ id: 'ollama:a', concurrency: 3 }, { id: 'openai:o3-mini' }]);
    expect(flagged.config).toMatchObject({ attempts: 5, suites: [], tasks: ['t1'], sandbox: 'none' });
  });

  it('--agent overrides the configured agent; bad values are refused', async () => {
    const config = shakedownConfigSchema.parse({ agent: { preset: 'aider' } });
    expect(applyRunFlags(config, {}).config.agent).toEqual({ preset: 'aider' });
    expect(applyRunFlags(config, { agent: 'built-in' }).config.agent).toBe('built-in');
    const command = createRunCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => undefined });
    command.action(() => undefined);
    await command.parseAsync(['--agent', 'command:my-agent --model {model}'], { from: 'user' });
    expect(command.opts().agent).toEqual({ command: 'my-agent --model {model}' });
    await expect(command.parseAsync(['--agent', 'cursor'], { from: 'user' })).rejects.toThrow(
      /expected built-in, aider/,
    );
  });
});
