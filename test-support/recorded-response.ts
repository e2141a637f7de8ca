import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach } from 'vitest';
import { listenOnLoopback } from './listen-on-loopback.ts';

/**
 * Recorded real server responses (`test-support/fixtures/<provider>/<name>.txt`) and a loopback server that replays
 * them byte for byte, so provider clients are tested on what real servers send. A fixture file opens with `# key:
 * value` provenance lines (source, url, what was changed, status, content-type), then a `---` line, then the body
 * bytes exactly as the server sent them.
 */

export interface RecordedResponse {
  name: string;
  status: number;
  contentType: string;
  /** The body bytes as the server sent them. */
  body: string;
  /** The provenance lines (without `# `). */
  provenance: string[];
}

const FIXTURES = new URL('./fixtures/', import.meta.url);
const SEPARATOR = '\n---\n';

/** Reads `fixtures/<provider>/<name>.txt`. */
export function loadRecordedResponse(provider: string, name: string): RecordedResponse {
  const text = readFileSync(new URL(`${provider}/${name}.txt`, FIXTURES), 'utf8');
  const split = text.indexOf(SEPARATOR);
  if (split < 0) throw new Error(`fixture ${provider}/${name}: no --- line between provenance and body`);
  const provenance = text
    .slice(0, split)
    .split('\n')
    .map((line) => line.replace(/^# ?/, ''));
  const field = (key: string) =>
    provenance.find((line) => line.startsWith(`${key}: `))?.slice(key.length + 2) ?? null;
  const status = Number(field('status'));
  const contentType = field('content-type');
  if (!Number.isInteger(status) || !contentType || !field('source')) {
    throw new Error(`fixture ${provider}/${name}: status, content-type and source are required`);
  }
  return { name, status, contentType, body: text.slice(split + SEPARATOR.length), provenance };
}

/**
 * The SSE framing of JSON event payloads recorded one per line (the Vercel AI SDK's `*.chunks.txt` form): each line
 * becomes `event: <type>` (when `withEventNames`) + `data: <line>` + a blank line.
 */
export function sseFromJsonLines(lines: string, withEventNames: boolean): string {
  return lines
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const type = withEventNames ? (JSON.parse(line) as { type?: string }).type : undefined;
      return `${type ? `event: ${type}\n` : ''}data: ${line}\n\n`;
    })
    .join('');
}

export interface ReplayServer {
  url: string;
  /** Bodies of the requests received, parsed as JSON where they are JSON. */
  requests: Array<{ method: string; path: string; headers: IncomingMessage['headers']; body: unknown }>;
  close(): Promise<void>;
}

/**
 * Serves the given responses in order, one per request to any path (extra requests get the last one), writing the
 * body in a few pieces so clients see it arrive in chunks as from a real socket.
 */
export async function startReplayServer(responses: RecordedResponse[]): Promise<ReplayServer> {
  const requests: ReplayServer['requests'] = [];
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // Keep the text.
    }
    requests.push({
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: request.headers,
      body,
    });
    const recorded = responses[Math.min(requests.length - 1, responses.length - 1)];
    response.writeHead(recorded.status, { 'content-type': recorded.contentType });
    const bytes = Buffer.from(recorded.body, 'utf8');
    const piece = Math.max(1, Math.ceil(bytes.length / 5));
    for (let start = 0; start < bytes.length; start += piece) {
      response.write(bytes.subarray(start, start + piece));
    }
    response.end();
  });
  return { ...(await listenOnLoopback(server)), requests };
}

/**
 * `replay(...responses)` starts a replay server for a test; every server it started is closed after each test (as
 * `simulatedServersClosedAfterEach` does for simulated servers).
 */
export function replayServersClosedAfterEach(): (...responses: RecordedResponse[]) => Promise<ReplayServer> {
  const servers: ReplayServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return async (...responses) => {
    const server = await startReplayServer(responses);
    servers.push(server);
    return server;
  };
}
