import type { ServerResponse } from 'node:http';
import type { SimulatedFault } from './script.ts';

/**
 * How the simulated wires act out a turn's scripted fault outside the stream: the retry-after header (all wires),
 * and for the native wires (Ollama, Anthropic) the faults answered before the request is read and those of a
 * whole, non-streamed answer. Each wire brings its own error body through `sendError`.
 */

/** Sends an error answer in a wire's own error body. */
export type SendWireError = (status: number, message: string, retryAfterSeconds?: number) => void;

/** The `retry-after` header for a scripted retry delay, or no header. */
export function retryAfterHeaders(retryAfterSeconds: number | undefined): Record<string, string> {
  return retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
}

/** Acts out a `hang` (never answers) or an `http-error` fault; true when the fault answered the request. */
export function answerUpfrontFault(fault: SimulatedFault | undefined, sendError: SendWireError): boolean {
  if (fault?.kind === 'hang') return true; // Never answer; the server closes the socket on shutdown.
  if (fault?.kind === 'http-error') {
    sendError(fault.status, fault.body ?? `simulated HTTP ${fault.status}`, fault.retryAfterSeconds);
    return true;
  }
  return false;
}

/**
 * Acts out a stream fault on a whole (non-streamed) answer: a dropped connection, or an error answer with
 * `errorStatus`; true when the fault answered the request.
 */
export function answerWholeResponseFault(
  fault: SimulatedFault | undefined,
  response: ServerResponse,
  errorStatus: number,
  sendError: SendWireError,
): boolean {
  if (fault?.kind === 'drop-connection') {
    response.destroy();
    return true;
  }
  if (fault?.kind === 'error-in-stream') {
    sendError(errorStatus, fault.message);
    return true;
  }
  return false;
}
