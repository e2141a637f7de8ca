import { describe, expect, it } from 'vitest';
import { parseAgentsFlag } from '../external/agent-choice.ts';
import {
  agentNamesOfStoredConfig,
  agentOfModel,
  agentsOf,
  baseModelOf,
  clientFactoryOfCells,
  expandAgentCells,
  splitCellId,
} from './agent-matrix.ts';
import { shakedownConfigSchema } from './config.ts';
import type { ClientFactory } from './execute-run.ts';
import { describeFingerprintChange, runFingerprintOf } from './run-fingerprint.ts';
import { endpointKeyOf, groupByEndpoint } from './run-matrix.ts';

const MODELS = [
  { id: 'ollama:qwen3.5:9b', protocol: 'auto' as const },
  { id: 'openai:o3-mini', label: 'o3', protocol: 'auto' as const },
];

describe('the agent as a matrix dimension', () => {
  it('leaves a run with one agent as older versions stored it', () => {
    expect(expandAgentCells(MODELS, ['built-in'])).toEqual(MODELS);
    expect(expandAgentCells(MODELS, [{ preset: 'qwen-code' }])).toEqual(MODELS);
    const config = shakedownConfigSchema.parse({ agents: [{ preset: 'opencode' }] });
    expect(agentsOf(config)).toEqual([{ preset: 'opencode' }]);
    // One listed agent fingerprints as `agent`, exactly like `agent: { preset: opencode }`.
    expect(runFingerprintOf(config, MODELS, [])).toEqual(
      runFingerprintOf(shakedownConfigSchema.parse({ agent: { preset: 'opencode' } }), MODELS, []),
    );
  });

  it('makes one cell per model × agent, labelled for people, whose client and endpoint are the model itself', () => {
    const cells = expandAgentCells(MODELS, ['built-in', { preset: 'qwen-code' }]);
    expect(cells.map((cell) => [cell.id, cell.label])).toEqual([
      ['ollama:qwen3.5:9b~built-in', "qwen3.5:9b in shakedown's agent"],
      ['ollama:qwen3.5:9b~qwen-code', 'qwen3.5:9b in Qwen Code'],
      ['openai:o3-mini~built-in', "o3 in shakedown's agent"],
      ['openai:o3-mini~qwen-code', 'o3 in Qwen Code'],
    ]);
    expect(cells.map((cell) => agentOfModel(cell, 'built-in'))).toEqual([
      'built-in',
      { preset: 'qwen-code' },
      'built-in',
      { preset: 'qwen-code' },
    ]);
    expect(baseModelOf(cells[3]!)).toEqual(MODELS[1]);
    const seen: string[] = [];
    const factory: ClientFactory = (model) => {
      seen.push(model.id);
      throw new Error('not needed');
    };
    expect(() =>
      clientFactoryOfCells(factory)(cells[1]!, {
        purpose: 'describe',
        taskId: null,
        attemptIndex: null,
        tryIndex: 0,
      }),
    ).toThrow();
    expect(seen).toEqual(['ollama:qwen3.5:9b']);
    // The cells of one model share its endpoint queue.
    expect(endpointKeyOf(cells[0]!)).toBe(endpointKeyOf(cells[1]!));
    expect(groupByEndpoint(cells).map((group) => group.modelIds)).toEqual([
      ['ollama:qwen3.5:9b~built-in', 'ollama:qwen3.5:9b~qwen-code'],
      ['openai:o3-mini~built-in', 'openai:o3-mini~qwen-code'],
    ]);
  });

  it('splits stored cell ids back into model and agent with the run config, and nothing else', () => {
    const config = { fingerprint: { agents: ['built-in', { preset: 'opencode' }] } };
    const names = agentNamesOfStoredConfig(config);
    expect(names).toEqual(['built-in', 'opencode']);
    expect(splitCellId('ollama:qwen3.5:9b~opencode', names)).toEqual({
      modelId: 'ollama:qwen3.5:9b',
      agentName: 'opencode',
    });
    expect(splitCellId('ollama:qwen3.5:9b', names)).toBeNull();
    expect(splitCellId('weird~model', names)).toBeNull();
    expect(agentNamesOfStoredConfig({ fingerprint: {} })).toEqual([]);
  });

  it('refuses an agent listed twice, and a resume with other agents says what changed', () => {
    expect(() => agentsOf({ agent: 'built-in', agents: ['built-in', 'built-in'] })).toThrow(
      /agents lists built-in twice/,
    );
    expect(parseAgentsFlag('builtin,codex')).toEqual(['built-in', { preset: 'codex' }]);
    expect(() => parseAgentsFlag('built-in,cursor')).toThrow(/expected built-in/);
    const before = runFingerprintOf(
      shakedownConfigSchema.parse({ agents: ['built-in', { preset: 'opencode' }] }),
      MODELS,
      [],
    );
    const after = runFingerprintOf(
      shakedownConfigSchema.parse({ agents: ['built-in', { preset: 'qwen-code' }] }),
      MODELS,
      [],
    );
    expect(describeFingerprintChange(before, after)).toEqual([
      'agents built-in, external (preset opencode) -> built-in, external (preset qwen-code)',
    ]);
  });
});
