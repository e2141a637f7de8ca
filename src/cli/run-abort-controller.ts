/**
 * The abort controller of a whole run (Ctrl-C): every attempt in flight listens to its signal (model requests,
 * sandboxed commands, retries), so a run of more than a few parallel attempts passes Node's default of 10
 * listeners without any leak. Listeners are removed when each request or command ends.
 */
import { setMaxListeners } from 'node:events';

/** An `AbortController` whose signal takes any number of listeners without a MaxListenersExceededWarning. */
export function createRunAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
