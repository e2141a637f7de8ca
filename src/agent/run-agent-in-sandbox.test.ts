import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelClient } from '../providers/create-model-client.ts';
import type { RecordedRequest, SimulatedTurn } from '../providers/simulated/script.ts';
import { type SimulatedServer, startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import { createSandbox, detectSandboxSupport } from '../sandbox/index.ts';
import type { Sandbox } from '../sandbox/types.ts';
import { readTranscript } from '../transcript/transcript-reader.ts';
import { createTranscriptWriter } from '../transcript/transcript-writer.ts';
import { runAgent } from './run-agent.ts';
import { defaultTools } from './tools/index.ts';

const support = await detectSandboxSupport('bubblewrap');

/** Tool results the simulated model has seen so far, newest last (OpenAI wire: role "tool"). */
function toolResults(request: RecordedRequest): string[] {
  const body = request.body as { messages: { role: string; content: string }[] };
  return body.messages.filter((message) => message.role === 'tool').map((message) => message.content);
}

/**
 * A scripted coding session as a real server would stream it: explore, read, fix the bug (the edit arrives as a
 * Qwen XML call leaked into the content, as llama.cpp does when its parser fails), run the tests inside the
 * sandbox, and finish only once the test output says they pass.
 */
function codingSession(request: RecordedRequest, index: number): SimulatedTurn {
  const results = toolResults(request);
  const last = results.at(-1) ?? '';
  switch (index) {
    case 0:
      return {
        content: 'Let me look around.',
        toolCalls: [{ name: 'list_files', arguments: { path: '.' } }],
      };
    case 1:
      return { toolCalls: [{ name: 'read_file', arguments: { path: 'src/total.js' } }] };
    case 2:
      return {
        reasoning: 'The loop starts at 1, skipping the first price.',
        toolCallDelivery: 'leak-qwen-xml',
        toolCalls: [
          {
            name: 'edit_file',
            arguments: { path: 'src/total.js', old_string: 'let i = 1', new_string: 'let i = 0' },
          },
        ],
      };
    case 3:
      return { toolCalls: [{ name: 'run_command', arguments: { command: 'node --test test/' } }] };
    default:
      if (/# fail 0/.test(last))
        return { toolCalls: [{ name: 'finish', arguments: { summary: 'Fixed the loop.' } }] };
      return { content: `Tests still fail:\n${last.slice(0, 200)}` };
  }
}

describe.skipIf(!support.available)('the agent through a simulated server, in bubblewrap', () => {
  let server: SimulatedServer;
  let workspaceDir: string;
  let sandbox: Sandbox;

  beforeAll(async () => {
    server = await startSimulatedServer({ flavour: 'llamacpp', script: codingSession });
    workspaceDir = await mkdtemp(path.join(tmpdir(), 'shakedown-agent-bwrap-'));
    await mkdir(path.join(workspaceDir, 'src'));
    await mkdir(path.join(workspaceDir, 'test'));
    await writeFile(path.join(workspaceDir, 'package.json'), '{ "type": "module" }\n');
    await writeFile(
      path.join(workspaceDir, 'src', 'total.js'),
      'export function total(prices) {\n  let sum = 0;\n  for (let i = 1; i < prices.length; i++) sum += prices[i];\n  return sum;\n}\n',
    );
    await writeFile(
      path.join(workspaceDir, 'test', 'total.test.js'),
      "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { total } from '../src/total.js';\n\ntest('adds every price', () => assert.equal(total([1, 2, 3]), 6));\n",
    );
    sandbox = await createSandbox(workspaceDir, { backend: 'bubblewrap' });
  });

  afterAll(async () => {
    await sandbox?.dispose();
    await server?.close();
    await rm(workspaceDir, { recursive: true, force: true });
  });

  it('edits the file, runs the tests in the sandbox and submits', async () => {
    const transcriptPath = path.join(workspaceDir, '..', `${path.basename(workspaceDir)}.jsonl`);
    const transcript = createTranscriptWriter({ path: transcriptPath });
    const client = createModelClient(`llamacpp:${server.url}`, { retry: false });
    const result = await runAgent({
      client,
      instruction: 'total() ignores the first price. Fix it and make sure the tests pass.',
      tools: defaultTools(),
      toolContext: { workspaceDir, sandbox, maxOutputChars: 8000, commandTimeoutMs: 60_000 },
      protocol: 'native',
      limits: { maxSteps: 10, maxConsecutiveFormatErrors: 3 },
      transcript,
      attemptId: 'bwrap-1',
      taskId: 'total-skips-first',
    });
    transcript.close();

    expect(result.status).toBe('submitted');
    expect(await readFile(path.join(workspaceDir, 'src', 'total.js'), 'utf8')).toContain('let i = 0');

    const { events, problems } = await readTranscript(transcriptPath);
    expect(problems).toEqual([]);
    const calls = events.filter((event) => event.type === 'tool-call');
    expect(calls.map((call) => call.name)).toEqual([
      'list_files',
      'read_file',
      'edit_file',
      'run_command',
      'finish',
    ]);
    expect(calls.every((call) => call.validity === 'valid')).toBe(true);
    const edit = calls.find((call) => call.name === 'edit_file');
    expect(edit?.origin).toBe('recovered');
    expect(edit?.format).toBe('qwen-xml');
    const commandResult = events.find(
      (event) => event.type === 'tool-result' && event.name === 'run_command',
    );
    expect(commandResult?.type === 'tool-result' && commandResult.content).toMatch(/# pass 1/);
    const responses = events.filter((event) => event.type === 'model-response');
    expect(responses).toHaveLength(5);
    for (const response of responses) {
      if (response.type !== 'model-response') continue;
      expect(response.result.simulated).toBe(true);
      expect(response.result.timings.sources.decode).toBe('server');
    }
    expect(events.at(-1)?.type).toBe('attempt-finished');
  });
});
