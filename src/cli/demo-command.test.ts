import { describe, expect, it } from 'vitest';
import { DEMO_AGENTS, type DemoResult, expectedPassRate, solvesTask } from '../demo/index.ts';
import { formatDemoSummary, shouldView } from './demo-command.ts';

describe('shakedown demo', () => {
  it('starts the viewer only for a person at a desktop terminal, unless told', () => {
    const desktop = { stdinTty: true, stdoutTty: true, env: { DISPLAY: ':0' }, platform: 'linux' as const };
    expect(shouldView(undefined, desktop)).toBe(true);
    expect(shouldView(false, desktop)).toBe(false);
    expect(shouldView(undefined, { ...desktop, env: { DISPLAY: ':0', CI: '1' } })).toBe(false);
    expect(shouldView(undefined, { ...desktop, stdoutTty: false })).toBe(false);
    expect(shouldView(undefined, { ...desktop, stdinTty: false })).toBe(false);
    expect(shouldView(undefined, { ...desktop, env: {} })).toBe(false);
    expect(shouldView(undefined, { ...desktop, env: {}, platform: 'darwin' })).toBe(true);
    expect(shouldView(true, { ...desktop, stdoutTty: false, env: { CI: '1' } })).toBe(true);
  });

  it('gives its agents distinct known skills, spread evenly over the tasks', () => {
    expect(DEMO_AGENTS.map((agent) => expectedPassRate(agent, 4))).toEqual([1, 0.75, 0.5, 0]);
    expect(DEMO_AGENTS.map((agent) => expectedPassRate(agent, 8))).toEqual([1, 0.75, 0.5, 0]);
    expect([0, 1, 2, 3].map((index) => solvesTask(0.5, index))).toEqual([false, true, false, true]);
    expect([0, 1, 2, 3].map((index) => solvesTask(0.75, index))).toEqual([false, true, true, true]);
  });

  it('prints each agent known skill next to the measured rate, labelled SIMULATED', () => {
    const result = {
      agents: DEMO_AGENTS.map((agent, index) => ({
        agent,
        modelId: `simulated:${agent.name}`,
        expectedRate: expectedPassRate(agent, 4),
        measuredRate: index === 3 ? null : expectedPassRate(agent, 4),
      })),
    } as unknown as DemoResult;
    expect(formatDemoSummary(result).split('\n')).toEqual([
      'SIMULATED demo results (scripted agents of known skill, not real models):',
      '  agent                   known  measured',
      '  simulated:demo-solver    100%      100%',
      '  simulated:demo-leaky      75%       75%',
      '  simulated:demo-half       50%       50%',
      '  simulated:demo-breaker     0%         —',
    ]);
  });
});
