import { describe, expect, it } from 'vitest';
import { shakedownConfigSchema } from '../run/config.ts';
import { applyRunFlags, DEFAULT_SUITE } from './run-command.ts';

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
});
