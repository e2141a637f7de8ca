/**
 * The model server of `npm run bench`, in its own process: the simulated llama.cpp wire (src/providers/simulated, so
 * every answer carries the simulated header and shakedown labels it simulated) behind N enforced slots. A chat
 * request waits for a free slot (first come, first served), holds it for `--latency-ms` before the first byte and
 * until its answer is sent. The server records how many chat requests it held at once (in slots and in all, queued
 * included: more than N means the harness overran the endpoint) and each slot's busy time.
 *
 * What the model answers is read from the task instruction (the first user message):
 * - `bench-steps: S`: S - 1 calls of `run_command` with `true`, then `finish`;
 * - `Make add add` (the synthetic calc task): `write_file` with the fix, then `finish`.
 *
 * Usage: `tsx scripts/bench-model-server.ts --slots 4 --latency-ms 300`; prints one JSON line `{"url": ...}` when it
 * listens. `GET /bench/stats` answers the counters; `POST /bench/reset` zeroes them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import PQueue from 'p-queue';
import { handleOpenAIChat, handleOpenAIInfo } from '../src/providers/simulated/openai-wire.ts';
import type { RecordedRequest, SimulatedEndpoint, SimulatedTurn } from '../src/providers/simulated/script.ts';
import { FIXED_SOURCE } from '../test-support/synthetic-suite.ts';

/** Counters of the server since start or the last reset. */
export interface BenchServerStats {
  slots: number;
  latencyMs: number;
  chatRequests: number;
  /** Most chat requests held in slots at once (never above `slots`). */
  maxInSlots: number;
  /** Most chat requests received and not yet answered at once, queued ones included. */
  maxInFlight: number;
  /** Sum over chat requests of the time each held a slot. */
  busyMs: number;
  /** First slot taken and last slot freed since the reset (ms on the server's clock), null before any request. */
  firstStartMs: number | null;
  lastEndMs: number | null;
  /** Per chat request: received, slot taken, slot freed (ms on the server's clock), in the order they ended. */
  requests: Array<{ receivedMs: number; startMs: number; endMs: number }>;
  /** performance.timeOrigin of the server: its ms plus this are Unix epoch ms (to line them up with transcripts). */
  timeOrigin: number;
}

const { values } = parseArgs({
  options: {
    slots: { type: 'string', default: '4' },
    'latency-ms': { type: 'string', default: '0' },
  },
});
const slots = Number(values.slots);
const latencyMs = Number(values['latency-ms']);
if (!Number.isInteger(slots) || slots < 1 || !Number.isFinite(latencyMs) || latencyMs < 0) {
  console.error('bench-model-server: --slots must be a positive integer and --latency-ms a number >= 0');
  process.exit(2);
}

const endpoint: SimulatedEndpoint = {
  model: 'bench-model',
  contextLength: 32768,
  maxContextLength: 131072,
  quantization: 'Q4_K_M',
  parameterSize: '9B',
  sizeBytes: 6_000_000_000,
  sizeVramBytes: 6_000_000_000,
  totalSlots: slots,
  supportsTools: true,
};

const queue = new PQueue({ concurrency: slots });
let stats: BenchServerStats;
let inSlots = 0;
let inFlight = 0;
function reset(): void {
  stats = {
    slots,
    latencyMs,
    chatRequests: 0,
    maxInSlots: inSlots,
    maxInFlight: inFlight,
    busyMs: 0,
    firstStartMs: null,
    lastEndMs: null,
    requests: [],
    timeOrigin: performance.timeOrigin,
  };
}
reset();

interface Message {
  role?: string;
  content?: unknown;
}

/** The scripted answer to one chat request (see the file comment). */
function turnOf(body: unknown): SimulatedTurn {
  const messages = ((body as { messages?: Message[] } | null)?.messages ?? []) as Message[];
  const instruction = messages.find((message) => message.role === 'user');
  const text = typeof instruction?.content === 'string' ? instruction.content : JSON.stringify(instruction);
  const toolResults = messages.filter((message) => message.role === 'tool').length;
  const finish: SimulatedTurn = { toolCalls: [{ name: 'finish', arguments: { summary: 'done' } }] };
  const steps = /bench-steps: (\d+)/.exec(text);
  if (steps) {
    if (toolResults + 1 >= Number(steps[1])) return finish;
    return { toolCalls: [{ name: 'run_command', arguments: { command: 'true' } }] };
  }
  if (text.includes('Make add add')) {
    if (toolResults > 0) return finish;
    return { toolCalls: [{ name: 'write_file', arguments: { path: 'src/calc.js', content: FIXED_SOURCE } }] };
  }
  return { content: 'bench-model-server: unknown instruction', ...finish };
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length === 0 ? null : JSON.parse(text);
}

function sendJson(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function answerChat(recorded: RecordedRequest, response: ServerResponse): Promise<void> {
  const received = performance.now();
  inFlight += 1;
  stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
  try {
    await queue.add(async () => {
      inSlots += 1;
      stats.maxInSlots = Math.max(stats.maxInSlots, inSlots);
      const start = performance.now();
      stats.firstStartMs ??= start;
      try {
        const turn = { ...turnOf(recorded.body), firstTokenDelayMs: latencyMs };
        await handleOpenAIChat({ request: recorded, response, turn, flavour: 'llamacpp', endpoint });
        if (!response.writableFinished) await new Promise<void>((resolve) => response.once('close', resolve));
      } finally {
        const end = performance.now();
        inSlots -= 1;
        stats.chatRequests += 1;
        stats.busyMs += end - start;
        stats.lastEndMs = end;
        stats.requests.push({ receivedMs: received, startMs: start, endMs: end });
      }
    });
  } finally {
    inFlight -= 1;
  }
}

const server = createServer(async (request, response) => {
  response.setHeader('x-shakedown-simulated', '1');
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  try {
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      headers: request.headers,
      body: await readBody(request),
    };
    if (url.pathname === '/bench/stats') sendJson(response, stats);
    else if (url.pathname === '/bench/reset') {
      reset();
      sendJson(response, stats);
    } else if (recorded.method === 'POST' && url.pathname === '/v1/chat/completions')
      await answerChat(recorded, response);
    else await handleOpenAIInfo({ request: recorded, response, turn: {}, flavour: 'llamacpp', endpoint });
  } catch (error) {
    if (!response.headersSent) {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error) } }));
    } else response.destroy();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}` }));
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
