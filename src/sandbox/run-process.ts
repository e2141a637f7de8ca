import { type ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { SandboxExecResult } from './types.ts';

/** How to run one host process that wraps a sandboxed command. */
export interface RunProcessOptions {
  /** Full environment of the host process (never inherited from process.env). */
  env: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  outputLimitBytes?: number;
  stdin?: string;
  signal?: AbortSignal;
  /** Extra cleanup when the process is killed early (e.g. `docker kill` of a container). */
  onKill?: () => void;
  /** Host user and group the process runs as (supplementary groups dropped); default: shakedown's own. */
  user?: { uid: number; gid: number };
  /** How many pipes to open as fds 3, 4, ... of the process (handed to `onSpawn` as child.stdio[3...]). */
  extraPipes?: number;
  /**
   * Called once the process is started; `fail` kills the process group and appends `message` to stderr (exit
   * code 125 unless the process already exited).
   */
  onSpawn?: (child: ChildProcess, fail: (message: string) => void) => void;
}

/** Default cap on captured stdout+stderr: 1 MiB. */
export const DEFAULT_OUTPUT_LIMIT_BYTES = 1024 * 1024;

/** How long to wait for stdout/stderr to close after the process exited before giving up on them. */
const STREAM_DRAIN_GRACE_MS = 250;

/**
 * Spawns `argv` in its own session/process group, captures output up to a cap and kills the whole group
 * on timeout, abort or output overflow. Never rejects for a failing command.
 */
export function runProcess(argv: readonly string[], options: RunProcessOptions): Promise<SandboxExecResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('runProcess needs a command');
  const outputLimit = options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES;
  const started = performance.now();

  return new Promise<SandboxExecResult>((resolve) => {
    const stdoutChunks: Buffer[] = [];
    const stderrChunks: Buffer[] = [];
    let capturedBytes = 0;
    let outputTruncated = false;
    let timedOut = false;
    let killed = false;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let settled = false;
    let spawnError: Error | undefined;
    let failure: string | undefined;

    const child = spawn(file, args, {
      env: options.env,
      cwd: options.cwd,
      detached: true,
      uid: options.user?.uid,
      gid: options.user?.gid,
      stdio: [
        options.stdin === undefined ? 'ignore' : 'pipe',
        'pipe',
        'pipe',
        ...Array.from({ length: options.extraPipes ?? 0 }, () => 'pipe' as const),
      ],
    });

    const killGroup = (): void => {
      if (killed) return;
      killed = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // The group is already gone.
        }
      }
      options.onKill?.();
    };

    if (child.pid !== undefined) {
      options.onSpawn?.(child, (message) => {
        failure ??= message;
        killGroup();
      });
    }

    const capture = (chunks: Buffer[]) => (chunk: Buffer) => {
      if (outputTruncated) return;
      const room = outputLimit - capturedBytes;
      if (chunk.length > room) {
        if (room > 0) chunks.push(chunk.subarray(0, room));
        capturedBytes = outputLimit;
        outputTruncated = true;
        child.stdout?.destroy();
        child.stderr?.destroy();
        killGroup();
        return;
      }
      chunks.push(chunk);
      capturedBytes += chunk.length;
    };
    child.stdout?.on('data', capture(stdoutChunks));
    child.stderr?.on('data', capture(stderrChunks));
    child.stdout?.on('error', () => {});
    child.stderr?.on('error', () => {});

    if (options.stdin !== undefined && child.stdin) {
      child.stdin.on('error', () => {});
      child.stdin.end(options.stdin);
    }

    const timer =
      options.timeoutMs !== undefined && options.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            killGroup();
          }, options.timeoutMs)
        : undefined;

    const onAbort = (): void => killGroup();
    if (options.signal?.aborted) killGroup();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // Whatever is left of the group (a daemonised grandchild) goes too.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      let stderr = Buffer.concat(stderrChunks).toString('utf8');
      if (spawnError) stderr += `${stderr ? '\n' : ''}failed to start ${file}: ${spawnError.message}`;
      if (failure) stderr += `${stderr && !stderr.endsWith('\n') ? '\n' : ''}shakedown: ${failure}\n`;
      resolve({
        exitCode: spawnError ? 127 : failure && exitCode === null ? 125 : exitCode,
        signal: exitSignal,
        stdout: Buffer.concat(stdoutChunks).toString('utf8'),
        stderr,
        timedOut,
        outputTruncated,
        durationMs: Math.round(performance.now() - started),
      });
    };

    child.on('error', (error) => {
      spawnError = error;
      finish();
    });
    child.on('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      // Output may still be in the pipes; give it a moment, but never hang on a leaked writer.
      setTimeout(finish, STREAM_DRAIN_GRACE_MS).unref();
    });
    child.on('close', finish);
  });
}
