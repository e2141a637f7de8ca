import http from 'node:http';
import { Readable } from 'node:stream';

/**
 * Connections to plain-HTTP model servers, kept open between requests (one per request in flight, reused in turn).
 * Never keeps shakedown alive: an idle connection is unreferenced.
 */
const agent = new http.Agent({ keepAlive: true, scheduling: 'fifo' });

/** Open connections waiting for a request (for tests and diagnostics). */
export function idleConnectionCount(): number {
  return Object.values(agent.freeSockets).reduce((count, sockets) => count + (sockets?.length ?? 0), 0);
}

/** Marks a request to send again (see `send`). */
const RETRY = Symbol('retry on a new connection');

/** Statuses whose response has no body (the Response constructor refuses one). */
export const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

/**
 * `fetch` for plain `http:` URLs over node:http (anything else, and anything this does not handle: a body that is
 * not a string, a redirect, goes to the global fetch). Local model servers (llama.cpp, Ollama, vLLM, LM Studio)
 * speak plain HTTP on the same machine, where undici's fetch took about twice the CPU of a node:http request
 * (WHATWG request objects and streams both ways) and delayed the next request of a freed slot. The answer is a
 * standard `Response` whose body streams the reply as it arrives; the caller's `signal` ends the request (and
 * its body) with the signal's reason, as fetch does.
 */
export async function nodeHttpFetch(
  input: string | URL | Request,
  init: RequestInit = {},
): Promise<Response> {
  const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : null;
  const body = init.body;
  if (url?.protocol !== 'http:' || (body !== undefined && body !== null && typeof body !== 'string')) {
    return globalThis.fetch(input, init);
  }
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body));
  const method = init.method ?? 'GET';

  const send = (fresh: boolean) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      let answer: http.IncomingMessage | undefined;
      const request = http.request(url, { method, headers, agent: fresh ? false : agent }, (response) => {
        answer = response;
        resolve(response);
      });
      // The body, if it streams already, ends with the signal's reason (as fetch's does), then the connection.
      const onAbort = () => {
        answer?.destroy(signal?.reason);
        request.destroy(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      request.once('close', () => signal?.removeEventListener('abort', onAbort));
      request.once('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed just before this request went out (llama-server closes one
        // after a streamed answer): nothing reached the server, so the request goes again, once, on a connection of
        // its own.
        if (request.reusedSocket && error.code === 'ECONNRESET' && !signal?.aborted) reject(RETRY);
        else reject(error);
      });
      request.end(body ?? undefined);
    });
  const response = await send(false).catch((error: unknown) => {
    if (error === RETRY) return send(true);
    throw error;
  });
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400 && response.headers.location) {
    // fetch follows redirects; so does this, through fetch itself.
    response.resume();
    return globalThis.fetch(input, init);
  }
  const responseHeaders = new Headers();
  for (let index = 0; index + 1 < response.rawHeaders.length; index += 2) {
    responseHeaders.append(response.rawHeaders[index]!, response.rawHeaders[index + 1]!);
  }
  const nullBody = method === 'HEAD' || NULL_BODY_STATUSES.has(status);
  if (nullBody) response.resume();
  return new Response(nullBody ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>), {
    status,
    statusText: response.statusMessage,
    headers: responseHeaders,
  });
}
