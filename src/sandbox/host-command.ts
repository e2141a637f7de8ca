import { execa } from 'execa';
import { HostCommandServer, HostCommandServerError, type HostServerResult } from './host-command-server.ts';

/** Options of one host command (execa's meaning, for the options shakedown's call sites use). */
export interface HostCommandOptions {
  /** Working directory (default: shakedown's). */
  cwd?: string;
  /** Variables added to process.env, or the whole environment with `extendEnv: false`. */
  env?: Record<string, string | undefined>;
  /** Whether `env` extends process.env (default true). */
  extendEnv?: boolean;
  /** Text written to the command's stdin (default: none, stdin is /dev/null). */
  input?: string;
  /** Cap on stdout + stderr together (default 100 MB); more output is an error, never a silent truncation. */
  maxBuffer?: number;
}

/** What a command did; output as text, unstripped (a final newline stays). */
export interface HostCommandResult {
  /** null when a signal ended it. */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** What a command did, its output as raw bytes (`runHostCommandBytes`). */
export interface HostCommandBytesResult {
  exitCode: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: Buffer;
}

/** Default output cap: execa's default maxBuffer. */
const DEFAULT_MAX_BUFFER = 100 * 1000 * 1000;
/** After the server could not start, commands spawn directly for this long before it is tried again. */
const START_RETRY_MS = 10_000;

/** The command line for a message (a long one shortened). */
function commandLine(argv: readonly string[]): string {
  const line = argv.join(' ');
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

/** The error for a command whose output went over the cap. */
function overCapError(argv: readonly string[], maxBuffer: number): Error {
  return new Error(
    `${commandLine(argv)} wrote more than ${maxBuffer} bytes of output (its limit); it was stopped`,
  );
}

/**
 * Runs shakedown's own run-to-completion host commands (git, du, cp, mount, ...) through a host command server
 * (host-command-server.ts), started at the first command and started again after it died, so a fork of the big
 * shakedown process never blocks the event loop. When the server cannot start, a command spawns directly (execa),
 * with the same result, and the server is tried again START_RETRY_MS later.
 */
export class HostCommandRunner {
  private server: HostCommandServer | undefined;
  private starting: Promise<HostCommandServer | undefined> | undefined;
  private retryAt = 0;

  /** `serverArgv`: the server's command line (tests give a broken one); `retryMs`: see START_RETRY_MS. */
  constructor(
    private readonly serverArgv?: readonly string[],
    private readonly retryMs = START_RETRY_MS,
  ) {}

  /** The running server's pid (undefined while none runs). */
  get serverPid(): number | undefined {
    return this.server && !this.server.failed ? this.server.pid : undefined;
  }

  /** Runs `file args` to completion; throws only when its output goes over the cap or the server fails under it. */
  async run(
    file: string,
    args: readonly string[],
    options: HostCommandOptions = {},
  ): Promise<HostCommandResult> {
    const result = await this.runBytes(file, args, options);
    return { ...result, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
  }

  /** `run`, with the output as raw bytes. */
  async runBytes(
    file: string,
    args: readonly string[],
    options: HostCommandOptions = {},
  ): Promise<HostCommandBytesResult> {
    const argv = [file, ...args];
    const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
    const env = commandEnvironment(options);
    const cwd = options.cwd ?? process.cwd();
    const request = { argv, cwd, env, stdin: options.input, outputLimitBytes: maxBuffer };
    let result: HostServerResult | undefined;
    // A request the server never got (it had died, unnoticed yet) runs once more, on a fresh server or directly.
    for (let attempt = 0; result === undefined; attempt++) {
      const server = await this.available();
      if (!server) {
        result = await runDirectly(argv, cwd, env, options.input, maxBuffer);
        break;
      }
      try {
        result = await server.run(request);
      } catch (error) {
        if (!(error instanceof HostCommandServerError)) throw error;
        if (error.delivered || attempt > 0) {
          throw new HostCommandServerError(`${commandLine(argv)} did not finish: ${error.message}`);
        }
      }
    }
    if (result.outputTruncated) throw overCapError(argv, maxBuffer);
    return { exitCode: result.exitCode, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
  }

  /** Ends the server (the next command starts another). */
  close(): void {
    this.server?.close();
    this.server = undefined;
  }

  /** The ready server, started when there is none or the last one failed; undefined when it cannot start. */
  private available(): Promise<HostCommandServer | undefined> | HostCommandServer | undefined {
    if (this.server && !this.server.failed) return this.server;
    if (Date.now() < this.retryAt) return undefined;
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<HostCommandServer | undefined> {
    this.server = undefined;
    const server = new HostCommandServer(this.serverArgv);
    try {
      await server.ready;
    } catch {
      server.close();
      this.retryAt = Date.now() + this.retryMs;
      return undefined;
    }
    this.server = server;
    return server;
  }
}

/** The command's whole environment: process.env extended by `env` (execa's default), or `env` alone. */
function commandEnvironment(options: HostCommandOptions): Record<string, string> {
  const merged = options.extendEnv === false ? { ...options.env } : { ...process.env, ...options.env };
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(merged)) if (value !== undefined) env[name] = value;
  return env;
}

/** The same command spawned by shakedown itself, with the server's result shape. */
async function runDirectly(
  argv: string[],
  cwd: string,
  env: Record<string, string>,
  input: string | undefined,
  maxBuffer: number,
): Promise<HostServerResult> {
  const [file, ...args] = argv as [string, ...string[]];
  const result = await execa(file, args, {
    cwd,
    env,
    extendEnv: false,
    ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
    reject: false,
    stripFinalNewline: false,
    encoding: 'buffer',
    maxBuffer,
  });
  const stdout = Buffer.from(result.stdout ?? new Uint8Array());
  let stderr = Buffer.from(result.stderr ?? new Uint8Array());
  const started = result.exitCode !== undefined || result.signal !== undefined;
  if (!started && !result.isMaxBuffer) {
    // It could not be started (no such program, a missing cwd): as the server reports it.
    const reason = result.cause instanceof Error ? result.cause.message : result.shortMessage;
    stderr = Buffer.from(`shakedown: could not start ${file} (cwd ${cwd}): ${reason}\n`);
  }
  return {
    exitCode: started ? (result.exitCode ?? null) : 127,
    signal: result.signal ?? null,
    stdout,
    stderr,
    outputTruncated: result.isMaxBuffer,
  };
}

const shared = new HostCommandRunner();

/**
 * Runs one of shakedown's own host commands (git, du, cp, mount, ...) to completion through the shared host command
 * server: `execa(file, args, { reject: false, stripFinalNewline: false, ...options })` without forking shakedown.
 */
export function runHostCommand(
  file: string,
  args: readonly string[],
  options: HostCommandOptions = {},
): Promise<HostCommandResult> {
  return shared.run(file, args, options);
}

/** `runHostCommand` with the output as raw bytes (a file's content, say). */
export function runHostCommandBytes(
  file: string,
  args: readonly string[],
  options: HostCommandOptions = {},
): Promise<HostCommandBytesResult> {
  return shared.runBytes(file, args, options);
}

/** The shared host command server's pid, undefined while none runs (for tests and diagnostics). */
export function hostCommandServerPid(): number | undefined {
  return shared.serverPid;
}
