import { afterEach } from 'vitest';
import {
  type SimulatedServer,
  type SimulatedServerOptions,
  startSimulatedServer,
} from '../src/providers/simulated/simulated-server.ts';
import type { ToolDefinition } from '../src/providers/types.ts';

/**
 * Test kit of the provider clients' tests: starts simulated servers that are closed after each test, and the
 * fixtures those tests share.
 */
export function simulatedServersClosedAfterEach(): (
  options: SimulatedServerOptions,
) => Promise<SimulatedServer> {
  const servers: SimulatedServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return async (options) => {
    const server = await startSimulatedServer(options);
    servers.push(server);
    return server;
  };
}

/** A read_file tool as an agent declares it. */
export const READ_FILE_TOOL: ToolDefinition = {
  name: 'read_file',
  description: 'Read a file',
  parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
