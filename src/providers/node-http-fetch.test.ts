import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../test-support/until.ts';
import { idleConnectionCount, nodeHttpFetch } from './node-http-fetch.ts';
import { errorCode, openTimedRequest } from './provider-http.ts';

type Handler = (request: IncomingMessage, response: ServerResponse, body: string, socket: Socket) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A local HTTP server that counts the connections it accepted. */
async function serve(handler: Handler): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    handler(request, response, Buffer.concat(chunks).toString('utf8'), request.socket);
  });
  server.on('connection', () => {
    connections += 1;
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, connections: () => connections };
}

describe('nodeHttpFetch', () => {
  it('sends the method, headers and body, and answers a Response with status, headers and body', async () => {
    const server = await serve((request, response, body) => {
      response.writeHead(201, {
        'content-type': 'application/json',
        'x-seen': request.headers['x-test'] ?? '',
      });
      response.end(
        JSON.stringify({ method: request.method, body, length: request.headers['content-length'] }),
      );
    });
    const response = await nodeHttpFetch(`${server.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test': 'yes' },
      body: '{"é":1}',
    });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-seen')).toBe('yes');
    expect(await response.json()).toEqual({ method: 'POST', body: '{"é":1}', length: '8' });
  });

  it('streams the body as it arrives', async () => {
    let second: (() => void) | undefined;
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: one\n\n');
      second = () => response.end('data: two\n\n');
    });
    const response = await nodeHttpFetch(`${server.url}/stream`);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    // The first event is readable while the server still holds the second.
    expect(decoder.decode((await reader.read()).value)).toBe('data: one\n\n');
    second!();
    expect(decoder.decode((await reader.read()).value)).toBe('data: two\n\n');
    expect((await reader.read()).done).toBe(true);
  });

  it('keeps one connection for requests one after another', async () => {
    const server = await serve((_request, response) => response.end('ok'));
    for (let index = 0; index < 3; index++) {
      expect(await (await nodeHttpFetch(`${server.url}/`)).text()).toBe('ok');
    }
    expect(server.connections()).toBe(1);
  });

  it('sends a request again on a connection of its own when the server dropped the kept-alive one', async () => {
    const answered = new WeakSet<Socket>();
    const server = await serve((_request, response, _body, socket) => {
      // The second request on a connection finds it closed, as when a server closes an idle connection.
      if (answered.has(socket)) {
        socket.destroy();
        return;
      }
      answered.add(socket);
      response.end('ok');
    });
    expect(await (await nodeHttpFetch(`${server.url}/`, { method: 'POST', body: 'a' })).text()).toBe('ok');
    expect(await (await nodeHttpFetch(`${server.url}/`, { method: 'POST', body: 'b' })).text()).toBe('ok');
    expect(server.connections()).toBe(2);
  });

  it('ends the request with the signal: before the answer, and while the body streams', async () => {
    const server = await serve((request, response) => {
      if (request.url === '/silent') return;
      response.writeHead(200);
      response.write('part');
    });
    const early = new AbortController();
    const pending = nodeHttpFetch(`${server.url}/silent`, { signal: early.signal });
    early.abort(new Error('stop early'));
    await expect(pending).rejects.toThrow('stop early');

    const late = new AbortController();
    const response = await nodeHttpFetch(`${server.url}/body`, { signal: late.signal });
    const reader = response.body!.getReader();
    await reader.read();
    late.abort(new Error('stop late'));
    await expect(reader.read()).rejects.toThrow('stop late');
  });

  it('fails with the system error code when nothing listens', async () => {
    const server = await serve((_request, response) => response.end());
    const { url } = server;
    servers[0]!.closeAllConnections();
    await new Promise((resolve) => servers.splice(0)[0]!.close(resolve));
    const failure = await nodeHttpFetch(url).catch((error: unknown) => error);
    expect(errorCode(failure)).toBe('ECONNREFUSED');
  });

  it('leaves other bodies and redirects to the global fetch', async () => {
    const server = await serve((request, response, body) => {
      if (request.url === '/moved') {
        response.writeHead(307, { location: '/here' });
        response.end();
        return;
      }
      response.end(`${request.url} ${body}`);
    });
    const bytes = await nodeHttpFetch(`${server.url}/bytes`, {
      method: 'POST',
      body: new TextEncoder().encode('raw'),
    });
    expect(await bytes.text()).toBe('/bytes raw');
    const moved = await nodeHttpFetch(`${server.url}/moved`, { method: 'POST', body: 'again' });
    expect(moved.status).toBe(200);
    expect(await moved.text()).toBe('/here again');
  });
});

describe('openTimedRequest release', () => {
  it('keeps the connection of an answer read up to its end marker, where close drops it', async () => {
    const ends: Array<() => void> = [];
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: [DONE]\n\n');
      // The end of the chunked body comes after the marker the caller stops at.
      ends.push(() => response.end());
    });
    const ask = async (finish: 'release' | 'close') => {
      const opened = await openTimedRequest({
        url: `${server.url}/v1/chat/completions`,
        method: 'POST',
        body: {},
        fetch: nodeHttpFetch,
        idleTimeoutMs: 5_000,
        target: 'test server',
      });
      for await (const chunk of opened.chunks()) if (chunk.includes('[DONE]')) break;
      opened[finish]();
      // The callers' `finally` closes whatever happened: after a release it changes nothing.
      opened.close();
      for (const end of ends.splice(0)) end();
    };
    await ask('release');
    expect(await until(() => idleConnectionCount() === 1)).toBe(true);
    await ask('release');
    expect(await until(() => idleConnectionCount() === 1)).toBe(true);
    expect(server.connections()).toBe(1);
    await ask('close');
    await ask('release');
    expect(server.connections()).toBe(2);
  });
});
