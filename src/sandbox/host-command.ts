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
/**
 * Host command servers at most: two, since a fork+exec blocks its server until the child has exec'd, and on a
 * loaded machine that wait dominates. Measured (2 cores, load 5-9): 200 concurrent `true`s took 4.0-5.1 s through
 * one server, 2.4-3.6 s through two; 12 graded attempts of the slot bench showed no difference beyond noise.
 */
const HOST_COMMAND_SERVERS = 2;
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
 * Runs shakedown's own run-to-completion host commands (git, du, cp, mount, ...) through host command servers
 * (host-command-server.ts), so a fork of the big shakedown process never blocks the event loop. The first server
 * starts at the first command (which waits for it); a second one starts in the background when a command arrives
 * while every server is busy (a fork+exec blocks a server until the child has exec'd: ~1-2 ms on an idle machine,
 * 15 ms and more on a loaded one, measured), up to `maxServers`. A command goes to the least busy ready server. A
 * server that died is replaced; when none can start, commands spawn directly (execa) with the same result, and a
 * server is tried again START_RETRY_MS later.
 */
export class HostCommandRunner {
  private readonly servers: HostCommandServer[] = [];
  private starting: Promise<HostCommandServer | undefined> | undefined;
  private retryAt = 0;

  /**
   * `serverArgv`: the servers' command line (tests give a broken one); `retryMs`: see START_RETRY_MS;
   * `maxServers`: how many servers at most (HOST_COMMAND_SERVERS).
   */
  constructor(
    private readonly serverArgv?: readonly string[],
    private readonly retryMs = START_RETRY_MS,
    private readonly maxServers = HOST_COMMAND_SERVERS,
  ) {}

  /** The pids of the running servers (none while none runs). */
  get serverPids(): number[] {
    return this.ready().flatMap((server) => (server.pid === undefined ? [] : [server.pid]));
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
      // Chosen and sent in the same tick, so that a burst of commands sees each other as busy.
      const available = this.available();
      const server = available instanceof Promise ? await available : available;
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

  /** Starts the first server in the background when none runs, so the first command does not wait for it. */
  warm(): void {
    if (this.ready().length === 0) void this.startOne();
  }

  /** Ends the servers (the next command starts another). */
  close(): void {
    for (const server of this.servers.splice(0)) server.close();
  }

  /** The servers that can serve (failed ones are dropped). */
  private ready(): HostCommandServer[] {
    for (let index = this.servers.length - 1; index >= 0; index--) {
      if (this.servers[index]!.failed) this.servers.splice(index, 1);
    }
    return this.servers;
  }

  /**
   * The least busy ready server; the first one is started (and waited for) when there is none, another one in the
   * background when all are busy. Undefined when none can start.
   */
  private available(): Promise<HostCommandServer | undefined> | HostCommandServer | undefined {
    const servers = this.ready();
    let best = servers[0];
    for (const server of servers) if (server.busy < best!.busy) best = server;
    if (best !== undefined) {
      if (best.busy > 0 && servers.length < this.maxServers) void this.startOne();
      return best;
    }
    if (Date.now() < this.retryAt) return undefined;
    return this.startOne();
  }

  /** Starts one more server (one start at a time); undefined when it cannot start. */
  private startOne(): Promise<HostCommandServer | undefined> {
    if (Date.now() < this.retryAt) return Promise.resolve(undefined);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<HostCommandServer | undefined> {
    const server = new HostCommandServer(this.serverArgv);
    try {
      await server.ready;
    } catch {
      server.close();
      this.retryAt = Date.now() + this.retryMs;
      return undefined;
    }
    this.servers.push(server);
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
    // The server's cap is on both streams together; execa's is per stream.
    outputTruncated: result.isMaxBuffer || stdout.length + stderr.length > maxBuffer,
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

/** The pids of the shared host command servers (for tests and diagnostics). */
export function hostCommandServerPids(): number[] {
  return shared.serverPids;
}

/** Starts the shared host command server in the background (see HostCommandRunner.warm). */
export function warmHostCommandServer(): void {
  shared.warm();
}
