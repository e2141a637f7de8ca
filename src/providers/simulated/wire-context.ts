import type { ServerResponse } from 'node:http';
import type { OpenAIFlavour, RecordedRequest, SimulatedEndpoint, SimulatedTurn } from './script.ts';

/** Everything a wire-format handler needs to answer one request. */
export interface WireContext {
  request: RecordedRequest;
  response: ServerResponse;
  turn: SimulatedTurn;
  flavour: OpenAIFlavour;
  endpoint: SimulatedEndpoint;
}

/** Sends a JSON response. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** Waits `ms` milliseconds (not at all for 0). */
export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
