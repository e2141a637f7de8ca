import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The in-sandbox bridge script shipped with shakedown (see sandbox-bridge/bridge.mjs). */
export const BRIDGE_SCRIPT_SOURCE = fileURLToPath(new URL('./sandbox-bridge/bridge.mjs', import.meta.url));

/** Longest unix socket path Linux accepts (sun_path is 108 bytes, NUL included). */
const MAX_SOCKET_PATH_BYTES = 107;

/**
 * A host directory shared read-only with the sandbox: the recording proxy's unix socket, the bridge script and the
 * instruction files live here. The sandbox must expose it: pass `path` in `readOnlyPaths` to `createSandbox`.
 */
export interface AgentBridgeDirectory {
  /** Absolute host path (exposed at the same path inside the sandbox). */
  readonly path: string;
  /** Where the recording proxy listens. */
  readonly socketPath: string;
  /** The bridge script's copy inside the directory. */
  readonly bridgeScript: string;
  /** Removes the directory and everything in it. */
  dispose(): Promise<void>;
}

/**
 * Creates a fresh bridge directory under `parent` (default: the OS temp directory) and copies the bridge script
 * into it. Throws when the socket path would be too long for a unix socket.
 */
export async function createAgentBridgeDirectory(
  parent: string = os.tmpdir(),
): Promise<AgentBridgeDirectory> {
  const directory = await mkdtemp(path.join(path.resolve(parent), 'shakedown-bridge-'));
  const socketPath = path.join(directory, 'proxy.sock');
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    await rm(directory, { recursive: true, force: true });
    throw new Error(
      `the proxy socket path ${socketPath} is longer than ${MAX_SOCKET_PATH_BYTES} bytes: choose a shorter parent directory`,
    );
  }
  const bridgeScript = path.join(directory, 'bridge.mjs');
  await copyFile(BRIDGE_SCRIPT_SOURCE, bridgeScript);
  return {
    path: directory,
    socketPath,
    bridgeScript,
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
}
