import { afterEach, describe, expect, it } from 'vitest';
import {
  referenceModel,
  referenceTurn,
  toolCaseOf,
  wireMessages,
} from '../../test-support/reference-model.ts';
import { createModelClient } from '../providers/create-model-client.ts';
import type { RecordedRequest, SimulatedTurn } from '../providers/simulated/script.ts';
import { type SimulatedServer, startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import { runToolCases, scoreToolCase, type ToolCaseResult } from './run-tool-cases.ts';
import { TOOL_CASE_CATEGORIES } from './tool-case.ts';
import { TOOL_CASES } from './tool-cases.ts';

let server: SimulatedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function probeWith(script: (request: RecordedRequest, index: number) => SimulatedTurn, repeat = 1) {
  server = await startSimulatedServer({ flavour: 'llamacpp', script });
  const client = createModelClient(`llamacpp:${server.url}`, { retry: false });
  return runToolCases(client, { repeat });
}

function byId(cases: ToolCaseResult[], id: string): ToolCaseResult {
  const found = cases.find((each) => each.id === id);
  if (!found) throw new Error(`no case ${id}`);
  return found;
}

describe('TOOL_CASES', () => {
  it('covers every category with unique ids and unique opening messages', () => {
    expect(TOOL_CASES.length).toBeGreaterThanOrEqual(16);
    expect(new Set(TOOL_CASES.map((each) => each.id)).size).toBe(TOOL_CASES.length);
    expect(new Set(TOOL_CASES.map((each) => each.messages[0].content)).size).toBe(TOOL_CASES.length);
    for (const category of TOOL_CASE_CATEGORIES) {
      expect(TOOL_CASES.filter((each) => each.category === category).length).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('runToolCases against a simulated llama.cpp server', () => {
  it('gives a model answering every case correctly 100%, consistent, all calls valid and parallel', async () => {
    const result = await probeWith(referenceModel(), 2);
    const { summary } = result;
    const failures = result.cases.flatMap((each) =>
      each.runs.filter((run) => !run.passed).map((run) => `${each.id}: ${run.reason}`),
    );
    expect(failures).toEqual([]);
    expect(summary.passRate).toBe(1);
    expect(summary.scored).toBe(TOOL_CASES.length * 2);
    expect(summary.consistency).toBe(1);
    expect(summary.passHatN).toBe(1);
    expect(summary.validity).toEqual({
      valid: summary.serverParsedCalls,
      format: 0,
      'unknown-tool': 0,
      schema: 0,
    });
    expect(summary.recoveredCalls).toBe(0);
    expect(summary.parallelTurns).toEqual({ parallel: 4, passing: 4 });
    expect(summary.infrastructureErrors).toBe(0);
    expect(result.cases[0].runs[0].turns[0].simulated).toBe(true);
  });

  it('reports the right failures and validity classes for a bad model', async () => {
    const bad: Record<string, SimulatedTurn> = {
      // Leaked in text but recovered by the client: passes, counted as recovered.
      'read-line-range': {
        toolCalls: [{ name: 'read_file', arguments: { path: 'src/app.ts', start_line: 10, end_line: 20 } }],
        toolCallDelivery: 'leak-hermes',
      },
      'search-usages': { toolCalls: [{ name: 'search', arguments: '{"pattern": "parseConfig", ' }] },
      'list-directory': { toolCalls: [{ name: 'ls', arguments: { path: 'src/utils' } }] },
      'create-file': { toolCalls: [{ name: 'write_file', arguments: { path: 'docs/CHANGELOG.md' } }] },
      'http-404': { toolCalls: [{ name: 'search', arguments: { pattern: '404' } }] },
      'save-without-name': {
        toolCalls: [
          { name: 'write_file', arguments: { path: 'snippet.ts', content: 'export const retries = 3;' } },
        ],
      },
      'change-port': {
        toolCalls: [{ name: 'run_command', arguments: { command: "sed -i 's/3000/8080/' src/server.ts" } }],
      },
    };
    const result = await probeWith((request) => {
      const testCase = toolCaseOf(request);
      if (!testCase) throw new Error('unknown request');
      if (testCase.id === 'read-two-files') {
        // One file per turn: passes, but not in parallel.
        const turn = wireMessages(request).filter((message) => message.role === 'assistant').length;
        const path = turn === 0 ? 'src/a.ts' : 'src/b.ts';
        return { toolCalls: [{ name: 'read_file', arguments: { path } }] };
      }
      return bad[testCase.id] ?? referenceTurn(testCase);
    });
    const { cases, summary } = result;
    const run = (id: string) => byId(cases, id).runs[0];

    expect(run('read-line-range').passed).toBe(true);
    expect(run('read-line-range').recoveredCalls).toBe(1);
    expect(run('search-usages')).toMatchObject({ passed: false });
    expect(run('search-usages').calls[0][0].validity).toBe('format');
    expect(run('list-directory').calls[0][0].validity).toBe('unknown-tool');
    expect(run('list-directory').passed).toBe(false);
    expect(run('create-file').calls[0][0].validity).toBe('schema');
    expect(run('create-file').reason).toMatch(/invalid call/);
    expect(run('http-404').reason).toMatch(/unneeded call/);
    expect(run('save-without-name').reason).toMatch(/invented/);
    expect(run('change-port').reason).toMatch(/wrong tool/);
    expect(run('read-two-files')).toMatchObject({ passed: true, parallel: false });
    expect(run('read-two-files').turns).toHaveLength(2);

    expect(summary.validity.format).toBe(1);
    expect(summary.validity['unknown-tool']).toBe(1);
    expect(summary.validity.schema).toBe(1);
    expect(summary.recoveredCalls).toBe(1);
    expect(summary.passes).toBe(TOOL_CASES.length - 6);
    expect(summary.parallelTurns).toEqual({ parallel: 1, passing: 2 });
    const noCall = summary.byCategory.find((each) => each.category === 'no-call');
    expect(noCall).toMatchObject({ passes: 2, scored: 3 });
  });

  it('counts infrastructure failures apart and measures consistency across repeats', async () => {
    const result = await probeWith((request, index) => {
      const testCase = toolCaseOf(request);
      if (!testCase) throw new Error('unknown request');
      if (testCase.id === 'http-404') return { fault: { kind: 'http-error', status: 500, body: 'boom' } };
      // explain-rebase alternates: right, then a needless call.
      if (testCase.id === 'explain-rebase' && index % 2 === 1) {
        return { toolCalls: [{ name: 'run_command', arguments: { command: 'git help rebase' } }] };
      }
      return referenceTurn(testCase);
    }, 2);
    const http404 = byId(result.cases, 'http-404');
    expect(http404.scored).toBe(0);
    expect(http404.runs.every((run) => run.status === 'infrastructure-error')).toBe(true);
    const rebase = byId(result.cases, 'explain-rebase');
    expect(rebase).toMatchObject({ passes: 1, scored: 2, consistent: false });
    expect(result.summary.infrastructureErrors).toBe(2);
    expect(result.summary.scored).toBe((TOOL_CASES.length - 1) * 2);
    expect(result.summary.passes).toBe(result.summary.scored - 1);
    expect(result.summary.consistency).toBeCloseTo((TOOL_CASES.length - 2) / (TOOL_CASES.length - 1));
  });
});

describe('scoreToolCase', () => {
  const turn = (text: string) => ({
    text,
    reasoning: '',
    toolCalls: [],
    finishReason: 'stop' as const,
    simulated: true,
  });

  it('flags text that holds a tool call the client could not parse as a format failure', () => {
    const testCase = TOOL_CASES.find((each) => each.id === 'read-line-range')!;
    const score = scoreToolCase(testCase, [turn('<tool_call>{"name": "read_file", "arguments": {"path": ')]);
    expect(score.passed).toBe(false);
    expect(score.unparsedCallTurns).toBe(1);
    expect(score.reason).toMatch(/format/);
  });

  it('accepts a clarifying question when a value is missing', () => {
    const testCase = TOOL_CASES.find((each) => each.id === 'update-key-without-value')!;
    expect(scoreToolCase(testCase, [turn('What is the new API key?')]).passed).toBe(true);
    expect(scoreToolCase(testCase, [turn('')]).passed).toBe(false);
  });
});
