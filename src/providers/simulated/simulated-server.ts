import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAnthropicMessages } from './anthropic-wire.ts';
import { handleOllamaChat, handleOllamaInfo } from './ollama-wire.ts';
import { handleOpenAIChat, handleOpenAIInfo } from './openai-wire.ts';
import type { OpenAIFlavour, RecordedRequest, Script, SimulatedEndpoint, SimulatedTurn } from './script.ts';

export const SIMULATED_HEADER = 'x-shakedown-simulated';

export interface SimulatedServerOptions {
  script: Script;
  flavour?: OpenAIFlavour;
  endpoint?: Partial<SimulatedEndpoint>;
  /** Port to listen on (default: any free port on 127.0.0.1). */
  port?: number;
}

export interface SimulatedServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Every request received, in order (info routes included). */
  requests: RecordedRequest[];
  /** Requests that consumed a scripted turn (chat routes only). */
  chatRequests: RecordedRequest[];
  close(): Promise<void>;
}

const DEFAULT_ENDPOINT: SimulatedEndpoint = {
  model: 'simulated-model',
  contextLength: 32768,
  maxContextLength: 131072,
  quantization: 'Q4_K_M',
  parameterSize: '9B',
  sizeBytes: 6_000_000_000,
  sizeVramBytes: 6_000_000_000,
  totalSlots: 4,
  supportsTools: true,
};

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.length === 0) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A real HTTP server on loopback that speaks the wire formats of OpenAI-compatible servers (OpenAI, llama.cpp
 * llama-server, vLLM, LM Studio, OpenRouter), Ollama and Anthropic, answering from a script. For tests and benchmarks.
 */
export async function startSimulatedServer(options: SimulatedServerOptions): Promise<SimulatedServer> {
  const endpoint: SimulatedEndpoint = { ...DEFAULT_ENDPOINT, ...options.endpoint };
  const flavour = options.flavour ?? 'openai';
  const requests: RecordedRequest[] = [];
  const chatRequests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();

  const nextTurn = (request: RecordedRequest): SimulatedTurn => {
    const index = chatRequests.length;
    chatRequests.push(request);
    if (typeof options.script === 'function') return options.script(request, index);
    const turn = options.script[index];
    if (!turn) {
      return {
        fault: { kind: 'http-error', status: 500, body: `simulated script exhausted at request ${index}` },
      };
    }
    return turn;
  };

  const server: Server = createServer(async (req, res) => {
    res.setHeader(SIMULATED_HEADER, '1');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      headers: req.headers,
      body: await readBody(req),
    };
    requests.push(recorded);
    try {
      const base = { request: recorded, response: res, flavour, endpoint };
      if (recorded.method === 'POST' && url.pathname === '/v1/chat/completions') {
        await handleOpenAIChat({ ...base, turn: nextTurn(recorded) });
      } else if (recorded.method === 'POST' && url.pathname === '/api/chat') {
        await handleOllamaChat({ ...base, turn: nextTurn(recorded) });
      } else if (recorded.method === 'POST' && url.pathname === '/v1/messages') {
        await handleAnthropicMessages({ ...base, turn: nextTurn(recorded) });
      } else if (
        url.pathname.startsWith('/api/') &&
        !(flavour === 'lmstudio' && url.pathname.startsWith('/api/v0/'))
      ) {
        await handleOllamaInfo({ ...base, turn: {} });
      } else {
        await handleOpenAIInfo({ ...base, turn: {} });
      }
    } catch (error) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: String(error) } }));
      } else {
        res.destroy();
      }
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    chatRequests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
