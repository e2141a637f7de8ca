/**
 * Replays responses recorded from a real llama-server (test-support/fixtures/llamacpp/, provenance in
 * fixtures.json, refreshed by `npm run fixtures:llamacpp`) through the OpenAI-compatible client, and checks that
 * the simulated llama.cpp server speaks the same wire: the same kinds of events, in the same order, with the same
 * fields.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { rejectionOf, simulatedServersClosedAfterEach } from '../../../test-support/client-test-kit.ts';
import type { RecordedFixture } from '../../../test-support/llamacpp-recorded-requests.ts';
import { isRecord } from '../../shared/json-values.ts';
import { ContextLengthExceededError } from '../context-length-error.ts';
import type { SimulatedTurn } from '../simulated/script.ts';
import type { StepRequest, ToolDefinition } from '../types.ts';
import { createOpenAICompatibleClient } from './openai-compatible-client.ts';

const FIXTURES = resolve(import.meta.dirname, '../../../test-support/fixtures/llamacpp');
const MANIFEST = join(FIXTURES, 'fixtures.json');
/** Until `npm run fixtures:llamacpp` has recorded them, these tests are skipped with that reason in their name. */
const recorded = existsSync(MANIFEST);
const manifest = (
  recorded ? JSON.parse(readFileSync(MANIFEST, 'utf8')) : { llamaCppCommit: 'none', fixtures: [] }
) as { llamaCppCommit: string; fixtures: RecordedFixture[] };
const describeRecorded = (name: string, body: () => void) =>
  recorded
    ? describe(name, body)
    : describe.skip(`${name} [skipped: no recorded fixtures; run npm run fixtures:llamacpp]`, body);

function fixture(file: string): { recorded: RecordedFixture; bytes: Buffer } {
  const recorded = manifest.fixtures.find((each) => each.file === file);
  if (!recorded) throw new Error(`no fixture ${file} in fixtures.json`);
  return { recorded, bytes: readFileSync(join(FIXTURES, file)) };
}

/** A response carrying a fixture's bytes, streamed in small pieces so that events straddle reads. */
function replayed(file: string): Response {
  const { recorded, bytes } = fixture(file);
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + 7)));
      offset += 7;
    },
  });
  return new Response(body, { status: recorded.status, headers: { 'content-type': recorded.contentType } });
}

/** A client whose every request is answered by fixtures: chat by `chat`, GET routes by their recorded file. */
function replayClient(chat: string | null) {
  return createOpenAICompatibleClient({
    baseUrl: 'http://127.0.0.1:9',
    model: 'default',
    flavour: 'llamacpp',
    fetch: async (input) => {
      const path = new URL(String(input)).pathname;
      if (path === '/v1/chat/completions' && chat) return replayed(chat);
      const route = manifest.fixtures.find((each) => each.method === 'GET' && each.path === path);
      return route ? replayed(route.file) : new Response('not found', { status: 404 });
    },
  });
}

const TOOLS: ToolDefinition[] = [
  {
    name: 'get_weather',
    description: 'Get the current weather for a city.',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', enum: ['Paris', 'Oslo'] } },
      required: ['city'],
    },
  },
];
const REQUEST: StepRequest = {
  messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
  tools: TOOLS,
};

describeRecorded(
  `recorded llama-server responses (llama.cpp ${manifest.llamaCppCommit.slice(0, 10)}) through the client`,
  () => {
    it('describe(): per-slot context and slots from /props, name, trained context and size from /v1/models', async () => {
      const info = await replayClient(null).describe();
      expect(info).toMatchObject({
        reachable: true,
        // llama-server names a model started without --alias by its path.
        model: expect.stringMatching(/\/tiny-qwen-tools\.gguf$/),
        contextLength: 2048,
        maxContextLength: 4096,
        parallelSlots: 2,
        supportsTools: true,
        simulated: false,
      });
      expect(info.sizeBytes).toBeGreaterThan(0);
      expect(info.notes).toEqual([]);
    });

    it('a streamed text answer: usage and timings as the server reported them', async () => {
      const result = await replayClient('chat-stream-text.sse').step(REQUEST);
      expect(result.finishReason).toBe('length');
      expect(result.usage).toMatchObject({ outputTokens: 8, source: 'server' });
      expect(result.usage.inputTokens).toBeGreaterThan(20);
      expect(result.timings.sources).toMatchObject({ prefill: 'server', decode: 'server' });
      expect(result.timings.decodeTokensPerSecond).toBeGreaterThan(0);
      const again = await replayClient('chat-stream-text-again.sse').step(REQUEST);
      expect(again.usage.cachedInputTokens).toBeGreaterThan(0);
    });

    it('a grammar-forced tool call: one server-parsed call of the declared tool', async () => {
      const result = await replayClient('chat-stream-tool-call.sse').step(REQUEST);
      expect(result.toolCalls).toHaveLength(1);
      expect(result.toolCalls[0]).toMatchObject({ name: 'get_weather', origin: 'server-parsed' });
      expect(['Paris', 'Oslo']).toContain(result.toolCalls[0].arguments.city);
      expect(result.finishReason).toBe('tool-calls');
    });

    it('a tool call left in the text: recovered from the content', async () => {
      const result = await replayClient('chat-stream-leaked-tool-call.sse').step(REQUEST);
      expect(result.toolCalls).toHaveLength(1);
      expect(result.toolCalls[0]).toMatchObject({
        name: 'get_weather',
        arguments: { city: 'Paris' },
        origin: 'recovered',
        format: 'hermes-json',
      });
    });

    it('a prompt longer than a slot: ContextLengthExceededError with the per-slot context', async () => {
      const error = await rejectionOf(replayClient('chat-context-exceeded.json').step(REQUEST));
      expect(error).toBeInstanceOf(ContextLengthExceededError);
      expect((error as ContextLengthExceededError).contextLength).toBe(2048);
    });
  },
);

/** The data of each SSE event: parsed JSON, or the text (`[DONE]`). */
function sseEvents(text: string): unknown[] {
  const events: unknown[] = [];
  const parser = createParser({
    onEvent(event) {
      events.push(event.data === '[DONE]' ? '[DONE]' : JSON.parse(event.data));
    },
  });
  parser.feed(text);
  return events;
}

/** What kind of event it is, as a client sees it. */
function eventKind(event: unknown): string {
  if (event === '[DONE]') return 'done';
  if (!isRecord(event)) return 'other';
  if (event.error !== undefined) return 'error';
  const choices = Array.isArray(event.choices) ? event.choices : [];
  if (choices.length === 0) return event.usage ? 'usage' : 'empty';
  const choice = choices[0] as Record<string, unknown>;
  if (choice.finish_reason !== null && choice.finish_reason !== undefined) return 'finish';
  const delta = isRecord(choice.delta) ? choice.delta : {};
  if (delta.tool_calls) return 'tool-calls';
  if (typeof delta.content === 'string' && delta.content.length > 0) return 'content';
  return 'opening';
}

/** Consecutive repeats collapsed: `content content finish` -> `content finish`. */
function kindSequence(events: unknown[]): string[] {
  const kinds = events.map(eventKind);
  return kinds.filter((kind, index) => index === 0 || kind !== kinds[index - 1]);
}

/** Every key path of a JSON value, array items folded into `[]`. */
function keyPaths(value: unknown, prefix = ''): Set<string> {
  const paths = new Set<string>();
  const walk = (inner: unknown, path: string) => {
    if (Array.isArray(inner)) {
      for (const item of inner) walk(item, `${path}[]`);
    } else if (isRecord(inner)) {
      for (const [key, child] of Object.entries(inner)) {
        const next = path ? `${path}.${key}` : key;
        paths.add(next);
        walk(child, next);
      }
    }
  };
  walk(value, prefix);
  return paths;
}

/** The key paths of the events of one kind, all together. */
function pathsOfKind(events: unknown[], kind: string): string[] {
  const paths = new Set<string>();
  for (const event of events.filter((each) => eventKind(each) === kind)) {
    for (const path of keyPaths(event)) paths.add(path);
  }
  return [...paths].sort();
}

describeRecorded('the simulated llama.cpp server against the recorded real one', () => {
  const startServer = simulatedServersClosedAfterEach();

  /** The simulated server's raw answer to a recorded request, for a scripted turn. */
  async function simulatedAnswer(file: string, turn: SimulatedTurn, endpoint = {}): Promise<string> {
    const { recorded } = fixture(file);
    const server = await startServer({ script: [turn], flavour: 'llamacpp', endpoint });
    const response = await fetch(`${server.url}${recorded.path}`, {
      method: recorded.method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(recorded.body),
    });
    expect(response.status).toBe(recorded.status);
    return response.text();
  }

  const cases: Array<[string, SimulatedTurn]> = [
    ['chat-stream-text.sse', { content: 'some words here', finishReason: 'length' }],
    ['chat-stream-tool-call.sse', { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] }],
  ];
  for (const [file, turn] of cases) {
    it(`${file}: the same event kinds in the same order, each with the same fields`, async () => {
      const real = sseEvents(fixture(file).bytes.toString('utf8'));
      const simulated = sseEvents(await simulatedAnswer(file, turn));
      expect(kindSequence(simulated)).toEqual(kindSequence(real));
      for (const kind of new Set(real.map(eventKind))) {
        expect(pathsOfKind(simulated, kind), `fields of the ${kind} events`).toEqual(pathsOfKind(real, kind));
      }
    });
  }

  it('chat-context-exceeded.json: the same error fields', async () => {
    const real = JSON.parse(fixture('chat-context-exceeded.json').bytes.toString('utf8'));
    const simulated = JSON.parse(
      await simulatedAnswer('chat-context-exceeded.json', {}, { contextLength: 2048 }),
    );
    expect([...keyPaths(simulated)].sort()).toEqual([...keyPaths(real)].sort());
  });

  it('/v1/models and /props: every field the client reads, where the real server has it', async () => {
    const server = await startServer({ script: [], flavour: 'llamacpp' });
    for (const file of ['models.json', 'props.json']) {
      const { recorded, bytes } = fixture(file);
      const real = keyPaths(JSON.parse(bytes.toString('utf8')));
      const simulated = keyPaths(await (await fetch(`${server.url}${recorded.path}`)).json());
      const read = [
        'data[].id',
        'data[].aliases',
        'data[].meta.n_ctx_train',
        'data[].meta.size',
        'default_generation_settings.n_ctx',
        'total_slots',
        'chat_template',
        'chat_template_caps.supports_tool_calls',
      ].filter((path) => real.has(path));
      expect(
        read.filter((path) => !simulated.has(path)),
        `${file}: fields the simulation lacks`,
      ).toEqual([]);
      expect(
        [...simulated].filter((path) => !real.has(path)),
        `${file}: fields the real server lacks`,
      ).toEqual([]);
    }
  });
});
