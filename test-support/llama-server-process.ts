import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type TinyRandomModelOptions, writeTinyRandomModel } from './tiny-model.ts';

/**
 * A real llama.cpp `llama-server` for tests: built once per machine by `npm run llama-server:build` (from the
 * source node-llama-cpp ships) into a cache keyed by the source commit. Plain Node (no vitest) so that scripts
 * use it too; the test-only helpers are in llama-server.ts.
 */

const REPOSITORY_ROOT = resolve(import.meta.dirname, '..');
const BUNDLE = join(REPOSITORY_ROOT, 'node_modules/node-llama-cpp/llama/gitRelease.bundle');

/** The llama.cpp commit the bundle holds (the build's cache key), or null when it cannot be read. */
function bundleCommit(): string | null {
  if (!existsSync(BUNDLE)) return null;
  try {
    const heads = execFileSync('git', ['bundle', 'list-heads', BUNDLE], { encoding: 'utf8' });
    return /^([0-9a-f]{40})/m.exec(heads)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Where the build script puts the binary (same rules as scripts/build-llama-server.sh). */
function cachedBinary(commit: string): string {
  const cacheRoot =
    process.env.SHAKEDOWN_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'shakedown');
  return join(cacheRoot, 'llama-server', commit, 'bin', 'llama-server');
}

/** The binary to use and the llama.cpp commit it was built from, or why there is none. */
export interface LlamaServerBinary {
  path: string | null;
  commit: string | null;
  /** Why `path` is null. */
  missing?: string;
}

function locate(): LlamaServerBinary {
  const commit = bundleCommit();
  const fromEnvironment = process.env.SHAKEDOWN_LLAMA_SERVER;
  if (fromEnvironment) {
    return existsSync(fromEnvironment)
      ? { path: fromEnvironment, commit }
      : { path: null, commit, missing: `SHAKEDOWN_LLAMA_SERVER=${fromEnvironment} does not exist` };
  }
  if (commit === null) return { path: null, commit, missing: 'node-llama-cpp source bundle not found' };
  const binary = cachedBinary(commit);
  return existsSync(binary)
    ? { path: binary, commit }
    : { path: null, commit, missing: `no llama-server build at ${binary}: run npm run llama-server:build` };
}

export const LLAMA_SERVER: LlamaServerBinary = locate();

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface LlamaServerOptions {
  modelPath: string;
  /** `-c`, the whole context (default 1024); each slot gets `contextSize / parallel`. */
  contextSize?: number;
  /** `--parallel` (default 2). */
  parallel?: number;
  /** More arguments (e.g. `--no-jinja`, `--alias name`). */
  extraArgs?: string[];
  /** Longest wait for `/health` to answer 200 (a hang guard, default 120 s). */
  startTimeoutMs?: number;
}

export interface RunningLlamaServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The command line, for fixtures' provenance. */
  commandLine: string[];
  process: ChildProcess;
  /** What the server logged so far (stderr and stdout). */
  log(): string;
  /** Stops the server (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => child.once('exit', () => resolveExit()));
}

/** Starts llama-server on a free port with one thread and waits until `/health` answers 200. */
export async function startLlamaServer(options: LlamaServerOptions): Promise<RunningLlamaServer> {
  if (LLAMA_SERVER.path === null) throw new Error(`llama-server missing: ${LLAMA_SERVER.missing}`);
  const port = await freePort();
  const args = [
    '-m',
    options.modelPath,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '-c',
    String(options.contextSize ?? 1024),
    '--parallel',
    String(options.parallel ?? 2),
    '-t',
    '1',
    '-tb',
    '1',
    '--no-webui',
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(LLAMA_SERVER.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited(child);
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  while (true) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `llama-server exited (${child.exitCode ?? child.signalCode}) while starting:\n${log.slice(-4000)}`,
      );
    }
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`llama-server did not become healthy:\n${log.slice(-4000)}`);
    }
    await new Promise((wake) => setTimeout(wake, 100));
  }
  return { url, port, commandLine: [LLAMA_SERVER.path, ...args], process: child, log: () => log, stop };
}

/** A tiny random-weight model with the Qwen tool-calling chat template, in a temporary folder. */
export async function writeTinyToolModel(
  options: TinyRandomModelOptions = {},
): Promise<{ path: string; remove(): Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), 'shakedown-llama-model-'));
  const path = join(folder, 'tiny-qwen-tools.gguf');
  await writeTinyRandomModel(path, { chatTemplate: 'qwen-tools', ...options });
  return { path, remove: () => rm(folder, { recursive: true, force: true }) };
}
