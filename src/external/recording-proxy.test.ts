import { afterEach, describe, expect, it } from 'vitest';
import { createScriptedClient, type Script } from '../../test-support/scripted-client.ts';
import { InfrastructureError } from '../providers/infrastructure-error.ts';
import { createTranscriptWriter } from '../transcript/transcript-writer.ts';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.ts';

/** Parsed wire JSON, inspected loosely. */
// biome-ignore lint/suspicious/noExplicitAny: arbitrary wire JSON under test
type Json = Record<string, any>;

const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'read_file',
      parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
    },
  },
];

let proxy: RecordingProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function start(script: Script) {
  const transcript = createTranscriptWriter();
  // A SCRIPTED model client: the proxy's wire format is under test, not a model.
  proxy = await startRecordingProxy({ client: createScriptedClient(script), transcript });
  return { transcript, url: `${proxy.url}/v1/chat/completions` };
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function sseData(text: string): unknown[] {
  return text
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length))
    .map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}

describe('startRecordingProxy (OpenAI wire format)', () => {
  it('streams tool_calls deltas, the finish reason and a usage chunk when include_usage', async () => {
    const { url } = await start([
      {
        text: 'Reading.',
        toolCalls: [{ name: 'read_file', arguments: { path: 'a.txt' }, id: 'call_7' }],
        usage: { inputTokens: 12, outputTokens: 4 },
      },
    ]);
    const response = await post(url, {
      model: 'whatever',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'go' }],
      tools: TOOLS,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const chunks = sseData(await response.text()) as Array<Json>;
    expect(chunks.at(-1)).toBe('[DONE]');
    expect(chunks[0]?.choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.map((chunk) => chunk.choices?.[0]?.delta?.content).join('')).toBe('Reading.');
    const callChunk = chunks.find((chunk) => chunk.choices?.[0]?.delta?.tool_calls);
    expect(callChunk?.choices[0].delta.tool_calls).toEqual([
      {
        index: 0,
        id: 'call_7',
        type: 'function',
        function: { name: 'read_file', arguments: '{"path":"a.txt"}' },
      },
    ]);
    expect(chunks.find((chunk) => chunk.choices?.[0]?.finish_reason)?.choices[0].finish_reason).toBe(
      'tool_calls',
    );
    const usageChunk = chunks.at(-2) as Json;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
    expect(chunks.every((chunk) => (chunk as unknown) === '[DONE]' || chunk.model === 'whatever')).toBe(true);
  });

  it('sends no usage chunk without include_usage, and answers whole completions when not streaming', async () => {
    const { url } = await start([
      { text: 'one' },
      { text: '', toolCalls: [{ name: 'read_file', arguments: '{"path":' }] },
    ]);
    const streamed = sseData(
      await (await post(url, { stream: true, messages: [{ role: 'user', content: 'hi' }] })).text(),
    );
    expect(streamed.some((chunk) => typeof chunk === 'object' && (chunk as { usage?: unknown }).usage)).toBe(
      false,
    );

    const whole = (await (
      await post(url, { messages: [{ role: 'user', content: 'hi' }], tools: TOOLS })
    ).json()) as Json;
    expect(whole.object).toBe('chat.completion');
    // Malformed arguments reach the agent exactly as the model wrote them.
    expect(whole.choices[0].message).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: expect.any(String), type: 'function', function: { name: 'read_file', arguments: '{"path":' } },
      ],
    });
    expect(whole.choices[0].finish_reason).toBe('tool_calls');
  });

  it('turns a later error-looking tool result into an execution-error and records the result', async () => {
    const { url, transcript } = await start([
      { toolCalls: [{ name: 'read_file', arguments: { path: 'x' }, id: 'c1' }] },
      { text: 'done' },
    ]);
    await (await post(url, { messages: [{ role: 'user', content: 'go' }], tools: TOOLS })).json();
    await (
      await post(url, {
        messages: [
          { role: 'user', content: 'go' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'c1', type: 'function', function: { name: 'read_file', arguments: '{"path":"x"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'Error: ENOENT: no such file x' },
        ],
        tools: TOOLS,
      })
    ).json();
    const call = transcript.events.find((event) => event.type === 'tool-call');
    expect(call).toMatchObject({ validity: 'execution-error', name: 'read_file', step: 0 });
    expect(transcript.events.find((event) => event.type === 'tool-result')).toMatchObject({
      isError: true,
      content: 'Error: ENOENT: no such file x',
    });
  });

  it('answers 502 for infrastructure failures, 400 for bad requests, 404 for unknown routes, and lists models', async () => {
    const { url, transcript } = await start([
      { throw: new InfrastructureError('connection', 'connect ECONNREFUSED') },
    ]);
    const failed = await post(url, { messages: [{ role: 'user', content: 'hi' }] });
    expect(failed.status).toBe(502);
    expect(((await failed.json()) as Json).error.message).toContain('ECONNREFUSED');
    expect(transcript.events.map((event) => event.type)).toEqual(['model-request', 'infrastructure-error']);
    expect(proxy!.stats()).toMatchObject({
      modelCalls: 1,
      infrastructureErrors: 1,
      lastOutcome: 'infrastructure-error',
    });

    const bad = await fetch(url, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
    expect((await post(url, { messages: [] })).status).toBe(400);
    expect((await fetch(`${proxy!.url}/v1/embeddings`)).status).toBe(404);
    const models = (await (await fetch(`${proxy!.url}/v1/models`)).json()) as Json;
    expect(models.data[0].id).toBe(createScriptedClient([]).model);
  });
});
