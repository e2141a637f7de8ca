import { describe, expect, it } from 'vitest';
import { modelConfigSchema } from './config.ts';
import { createRunProgressDisplay } from './run-progress-display.ts';

describe('run progress display (plain lines)', () => {
  it('labels simulated models on the banner and on every attempt line', async () => {
    const lines: string[] = [];
    const display = createRunProgressDisplay({ interactive: false, write: (line) => lines.push(line) });
    const models = [
      modelConfigSchema.parse({ id: 'simulated:oracle' }),
      modelConfigSchema.parse({ id: 'ollama:qwen3.5:9b' }),
    ];
    display.onProgress({
      type: 'run-started',
      runId: 'run-1',
      resumed: false,
      total: 2,
      pending: 2,
      models,
      simulatedModels: ['simulated:oracle'],
    });
    const attempt = { taskId: 'fix-bug', attemptIndex: 0 };
    display.onProgress({
      type: 'attempt-finished',
      attemptId: 'a',
      modelId: 'simulated:oracle',
      ...attempt,
      outcome: 'resolved',
    });
    display.onProgress({
      type: 'attempt-finished',
      attemptId: 'b',
      modelId: 'ollama:qwen3.5:9b',
      ...attempt,
      outcome: 'unresolved',
    });
    display.onProgress({ type: 'run-finished', runId: 'run-1', status: 'completed' });
    await display.stop();
    expect(lines[0]).toBe('starting run run-1: 2 of 2 attempts to run');
    expect(lines[1]).toMatch(/^SIMULATED: simulated:oracle answers from a simulated model/);
    expect(lines).toContain('[1/2] simulated:oracle [SIMULATED] fix-bug #0: resolved');
    expect(lines).toContain('[2/2] ollama:qwen3.5:9b fix-bug #0: unresolved');
  });
});
