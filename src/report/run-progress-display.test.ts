import { describe, expect, it } from 'vitest';
import { modelConfigSchema } from '../run/config.ts';
import { createRunProgressDisplay } from './run-progress-display.ts';

describe('run progress display (plain lines)', () => {
  it('labels simulated models on the banner and on every attempt line', async () => {
    const lines: string[] = [];
    let clock = 0;
    const display = createRunProgressDisplay({
      interactive: false,
      write: (line) => lines.push(line),
      now: () => clock,
    });
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
      pendingByModel: { 'simulated:oracle': 1, 'ollama:qwen3.5:9b': 1 },
      simulatedModels: ['simulated:oracle'],
    });
    clock = 30_000;
    const attempt = { taskId: 'fix-bug', attemptIndex: 0 };
    display.onProgress({
      type: 'attempt-finished',
      attemptId: 'a',
      modelId: 'simulated:oracle',
      ...attempt,
      outcome: 'resolved',
    });
    clock = 90_000;
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
    expect(lines).toContain(
      '[1/2] simulated:oracle [SIMULATED] fix-bug #0: resolved · elapsed 30s · ETA ~30s (estimate: pace so far)',
    );
    expect(lines).toContain('[2/2] ollama:qwen3.5:9b fix-bug #0: unresolved · elapsed 1m30s');
    // The closing lines: each model's progress and pass rate among graded attempts.
    expect(lines.slice(-2)).toEqual([
      'simulated:oracle [SIMULATED]: 1/1 · resolved 1 (100% of graded) · unresolved 0 · invalid 0 · infra 0',
      'ollama:qwen3.5:9b: 1/1 · resolved 0 (0% of graded) · unresolved 1 · invalid 0 · infra 0',
    ]);
  });
});
