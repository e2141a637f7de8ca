import { afterEach, describe, expect, it } from 'vitest';
import { createScriptedClient, type ScriptedStep } from '../../test-support/scripted-client.ts';
import { InfrastructureError } from '../providers/infrastructure-error.ts';
import type { ModelClient, StepRequest } from '../providers/types.ts';
import type { TranscriptEventOf } from '../transcript/events.ts';
import { createTranscriptWriter, type TranscriptWriter } from '../transcript/transcript-writer.ts';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.ts';

/** Parsed wire JSON, inspected loosely. */
// biome-ignore lint/suspicious/noExplicitAny: arbitrary wire JSON under test
type Json = Record<string, any>;

let proxy: RecordingProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/**
 * A SCRIPTED model client that streams: it reports `deltas` through onDelta, then waits for `release()` before
 * answering with `final` (or failing with `fail`). The test reads what the agent has received in between.
 */
function gatedClient(deltas: string[], final: ScriptedStep) {
  const inner = createScriptedClient([{ ...final, text: final.text ?? '' }]);
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const client: ModelClient = {
    ...inner,
    async step(request: StepRequest) {
      for (const text of deltas) request.onDelta?.({ kind: 'text', text });
      await released;
      return inner.step({ ...request, onDelta: undefined });
    },
  };
  return { client, release };
}

async function start(client: ModelClient): Promise<{ transcript: TranscriptWriter; base: string }> {
  const transcript = createTranscriptWriter();
  proxy = await startRecordingProxy({ client, transcript });
  return { transcript, base: `${proxy.url}/v1` };
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Reads the stream until `done(text so far)` holds; returns the text read. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  done: (text: string) => boolean,
  soFar = '',
): Promise<string> {
  const decoder = new TextDecoder();
  let text = soFar;
  while (!done(text)) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

function dataOf(text: string): Json[] {
  return text
    .split('\n\n')
    .flatMap((event) => event.split('\n').filter((line) => line.startsWith('data: ')))
    .map((line) => line.slice('data: '.length))
    .filter((data) => data !== '[DONE]')
    .map((data) => JSON.parse(data) as Json);
}

const READ_FILE = {
  type: 'function',
  function: { name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } } } },
};

describe('recording proxy streaming', () => {
  it('forwards tokens before the answer is complete, holds back leaked-call text, and records TTFT at the proxy', async () => {
    const { client, release } = gatedClient(['Let me ', 'look. ', '<tool_call>{"name": "read_file"'], {
      text: 'Let me look. ',
      toolCalls: [{ name: 'read_file', arguments: { path: 'a.txt' } }],
    });
    const { transcript, base } = await start(client);
    const response = await post(`${base}/chat/completions`, {
      model: 'm',
      stream: true,
      messages: [{ role: 'user', content: 'go' }],
      tools: [READ_FILE],
    });
    const reader = response.body!.getReader();
    // The model has not finished: the agent already holds the text before the leaked call, and nothing of it.
    const early = await readUntil(reader, (text) => text.includes('look. '));
    expect(early).not.toContain('tool_call');
    expect(transcript.events.some((event) => event.type === 'model-response')).toBe(false);

    release();
    const all = await readUntil(reader, (text) => text.includes('[DONE]'), early);
    const chunks = dataOf(all);
    const content = chunks.map((chunk) => chunk.choices?.[0]?.delta?.content ?? '').join('');
    expect(content).toBe('Let me look. ');
    const calls = chunks.flatMap((chunk) => chunk.choices?.[0]?.delta?.tool_calls ?? []);
    expect(calls.map((call: Json) => call.function.name)).toEqual(['read_file']);

    const answer = transcript.events.find(
      (event): event is TranscriptEventOf<'model-response'> => event.type === 'model-response',
    );
    expect(answer?.proxy?.streamed).toBe(true);
    expect(answer?.proxy?.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(answer?.proxy?.divergedText).toBeUndefined();
    expect(answer?.result.timings.wallMs).toBeDefined();
  });

  it('turns a failure after the first token into an error inside the stream, recorded as infrastructure', async () => {
    const { client, release } = gatedClient(['partial '], {
      throw: new InfrastructureError('connection', 'socket hang up'),
    });
    const { transcript, base } = await start(client);
    const response = await post(`${base}/chat/completions`, {
      model: 'm',
      stream: true,
      messages: [{ role: 'user', content: 'go' }],
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const early = await readUntil(reader, (text) => text.includes('partial '));
    release();
    const all = await readUntil(reader, (text) => text.includes('[DONE]'), early);
    const error = dataOf(all).find((chunk) => chunk.error);
    expect(error?.error.type).toBe('shakedown_infrastructure_error');
    expect(transcript.events.map((event) => event.type)).toContain('infrastructure-error');
    expect(proxy?.stats().lastOutcome).toBe('infrastructure-error');
  });
});

describe('recording proxy, Responses API (Codex CLI)', () => {
  const request = (stream: boolean, input: unknown[]) => ({
    model: 'm',
    instructions: 'You are a coding agent.',
    stream,
    input,
    tools: [
      {
        type: 'function',
        name: 'exec_command',
        parameters: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] },
      },
      {
        type: 'custom',
        name: 'apply_patch',
        description: 'Apply a patch',
        format: { type: 'grammar', definition: 'start: ...' },
      },
      { type: 'web_search' },
    ],
  });

  it('translates input items and tools, answers function and custom tool calls, and settles results from function_call_output', async () => {
    const client = createScriptedClient([
      {
        text: 'Running.',
        toolCalls: [
          { name: 'exec_command', arguments: { cmd: 'ls' } },
          { name: 'apply_patch', arguments: { input: '*** Begin Patch' } },
        ],
      },
      { text: 'Done.' },
    ]);
    const { transcript, base } = await start(client);
    const first = await post(
      `${base}/responses`,
      request(true, [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix it' }] }]),
    );
    expect(first.headers.get('content-type')).toBe('text/event-stream');
    const events = dataOf(await first.text());
    expect(events[0]?.type).toBe('response.created');
    const completed = events.at(-1)!;
    expect(completed.type).toBe('response.completed');
    const output = completed.response.output as Json[];
    expect(output.map((item) => item.type)).toEqual(['message', 'function_call', 'custom_tool_call']);
    expect(output[0]?.content[0].text).toBe('Running.');
    expect(output[1]).toMatchObject({ name: 'exec_command', arguments: '{"cmd":"ls"}' });
    expect(output[2]).toMatchObject({ name: 'apply_patch', input: '*** Begin Patch' });
    expect(completed.response.usage.input_tokens).toBeGreaterThan(0);
    // What the model saw: the instructions as system prompt, the freeform tool as one string parameter, no hosted tool.
    const seen = client.requests[0]!;
    expect(seen.messages[0]).toEqual({ role: 'system', content: 'You are a coding agent.' });
    expect(seen.tools?.map((tool) => tool.name)).toEqual(['exec_command', 'apply_patch']);

    const second = await post(
      `${base}/responses`,
      request(false, [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix it' }] },
        output[0],
        {
          type: 'function_call',
          call_id: output[1]?.call_id,
          name: 'exec_command',
          arguments: '{"cmd":"ls"}',
        },
        { type: 'function_call_output', call_id: output[1]?.call_id, output: 'a.txt' },
        {
          type: 'custom_tool_call',
          call_id: output[2]?.call_id,
          name: 'apply_patch',
          input: '*** Begin Patch',
        },
        { type: 'custom_tool_call_output', call_id: output[2]?.call_id, output: 'Error: invalid patch' },
      ]),
    );
    const whole = (await second.json()) as Json;
    expect(whole.object).toBe('response');
    expect(whole.output[0].content[0].text).toBe('Done.');

    const calls = transcript.events.filter(
      (event) => event.type === 'tool-call',
    ) as TranscriptEventOf<'tool-call'>[];
    expect(calls.map((call) => [call.name, call.validity])).toEqual([
      ['exec_command', 'valid'],
      ['apply_patch', 'execution-error'],
    ]);
    const requests = transcript.events.filter(
      (event) => event.type === 'model-request',
    ) as TranscriptEventOf<'model-request'>[];
    expect(
      requests.map((event) => [event.wire?.route, event.wire?.stream, event.wire?.sharedPrefix]),
    ).toEqual([
      ['responses', true, 0],
      ['responses', false, 1],
    ]);
    // Settings (tools, instructions) are recorded again only when they change: here `stream` did.
    expect(requests[1]?.wire?.settings).toBeDefined();
    expect(requests[1]?.wire?.newMessages).toHaveLength(5);
  });

  it('answers a model-server failure before any token as HTTP 502', async () => {
    const { base } = await start(
      createScriptedClient([{ throw: new InfrastructureError('server-error', 'HTTP 500') }]),
    );
    const response = await post(`${base}/responses`, request(true, [{ role: 'user', content: 'go' }]));
    expect(response.status).toBe(502);
    expect(((await response.json()) as Json).error.type).toBe('shakedown_infrastructure_error');
  });
});
