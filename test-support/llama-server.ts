import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  LLAMA_SERVER,
  type LlamaServerOptions,
  type RunningLlamaServer,
  startLlamaServer,
  writeTinyToolModel,
} from './llama-server-process.ts';
import type { TinyRandomModelOptions } from './tiny-model.ts';

/**
 * Tests against a real llama-server. Skipped, visibly, where the binary is missing; under CI (`CI=true`), or when
 * SHAKEDOWN_LLAMA_SERVER names a binary, a missing one fails them.
 */

/** Under CI, or when a binary was named explicitly, a missing llama-server fails the tests instead of skipping them. */
const required =
  process.env.CI === 'true' || process.env.CI === '1' || Boolean(process.env.SHAKEDOWN_LLAMA_SERVER);

/**
 * `describe` for tests that need the real llama-server: skipped with the reason in its name where the binary is
 * missing, except under CI, where the missing binary is a failing test.
 */
export function describeWithLlamaServer(name: string, body: () => void): void {
  if (LLAMA_SERVER.path !== null) {
    describe(name, body);
  } else if (required) {
    describe(name, () => {
      it('has a llama-server build (required under CI)', () => {
        throw new Error(`llama-server is required here but missing: ${LLAMA_SERVER.missing}`);
      });
    });
  } else {
    describe.skip(`${name} [skipped: ${LLAMA_SERVER.missing}]`, body);
  }
}

/**
 * One real llama-server for the enclosing `describe` (started in `beforeAll`, stopped in `afterAll`) serving a
 * fresh tiny tool-calling model. Returns a getter for the running server.
 */
export function llamaServerForSuite(
  options: Omit<LlamaServerOptions, 'modelPath'> & { model?: TinyRandomModelOptions } = {},
): () => RunningLlamaServer {
  let server: RunningLlamaServer | null = null;
  let model: { remove(): Promise<void> } | null = null;
  beforeAll(async () => {
    const written = await writeTinyToolModel(options.model);
    model = written;
    server = await startLlamaServer({ ...options, modelPath: written.path });
  });
  afterAll(async () => {
    await server?.stop();
    await model?.remove();
  });
  return () => {
    if (!server) throw new Error('llama-server is not running (beforeAll failed)');
    return server;
  };
}
