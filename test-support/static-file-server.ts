/**
 * Test helper: a loopback HTTP server that serves files from memory the way download hosts do (HEAD, GET, byte
 * ranges, content-length), and records every request. Routes are exact paths; JSON routes answer a value.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback.ts';

export interface StaticRoute {
  /** File bytes served with ranges, or a JSON value. */
  body: Buffer | { json: unknown };
  /** Drop the connection of the first ranged GET after this many bytes (a flaky network). */
  dropFirstRangedGetAfter?: number;
  /** Send no byte at or past this offset: such a GET stalls, open, until the client goes (a slow, stuck host). */
  holdFrom?: number;
}

export interface StaticFileServer {
  url: string;
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function startStaticFileServer(routes: Record<string, StaticRoute>): Promise<StaticFileServer> {
  const requests: StaticFileServer['requests'] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: request.method ?? 'GET', path: url.pathname, headers: request.headers });
    const route = routes[url.pathname];
    if (!route) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
      return;
    }
    if (!Buffer.isBuffer(route.body)) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(route.body.json));
      return;
    }
    const bytes = route.body;
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
    const headers = {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      'content-length': String(end - start + 1),
      ...(range ? { 'content-range': `bytes ${start}-${end}/${bytes.length}` } : {}),
    };
    response.writeHead(range ? 206 : 200, headers);
    if (request.method === 'GET' && route.holdFrom !== undefined && end >= route.holdFrom) {
      response.write(bytes.subarray(start, Math.max(start, route.holdFrom)));
      return;
    }
    if (range && request.method === 'GET' && route.dropFirstRangedGetAfter !== undefined) {
      const cut = route.dropFirstRangedGetAfter;
      route.dropFirstRangedGetAfter = undefined;
      response.write(bytes.subarray(start, Math.min(end + 1, start + cut)));
      setTimeout(() => response.destroy(), 50);
      return;
    }
    response.end(request.method === 'HEAD' ? undefined : bytes.subarray(start, end + 1));
  });
  return { ...(await listenOnLoopback(server)), requests };
}
