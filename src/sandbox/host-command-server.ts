import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  type ExecRequest,
  type ExitMessage,
  encodeRequest,
  FrameReader,
  type ServerMessage,
} from './exec-server/exec-protocol.ts';
import { referenceHandles } from './reference-handles.ts';

/** The exec server script; started with `--host` it is the host command server. */
export const HOST_COMMAND_SERVER_SCRIPT = fileURLToPath(
  new URL('./exec-server/exec-server.mjs', import.meta.url),
);

/** How long the server may take to say it is ready before the command runs without it. */
const START_TIMEOUT_MS = 30_000;
/** How long a server told to end may take before it is killed. */
const KILL_GRACE_MS = 2_000;

/** One program for the server, with everything it needs (the server adds nothing). */
export interface HostServerRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdin?: string;
  /** Cap on stdout + stderr together; beyond it the command is killed and `outputTruncated` is set. */
  outputLimitBytes: number;
}

/** What a command did, its output as raw bytes. */
export interface HostServerResult {
  exitCode: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: Buffer;
  outputTruncated: boolean;
}

/**
 * The server could not run a command (it did not start, or it ended or failed while the command ran). `delivered`
 * is false when the server ended before it said it had started the command (a `started` frame): the command did not
 * run, and may run elsewhere (a server killed in the microseconds between its spawn and that frame is the one case
 * where it would run twice).
 */
export class HostCommandServerError extends Error {
  constructor(
    message: string,
    readonly delivered = true,
  ) {
    super(message);
    this.name = 'HostCommandServerError';
  }
}

interface PendingCommand {
  /** Set once the server said it spawned the program. */
  started: boolean;
  stdout: Buffer[];
  stderr: Buffer[];
  resolve(exit: ExitMessage): void;
  reject(error: Error): void;
}

/**
 * One host command server: exec-server.mjs started with `--host` as a plain Node process on the host (in a process
 * group of its own, so a Ctrl-C meant for shakedown does not end it under a cleanup), that forks and execs the
 * commands shakedown sends it, many at once. A fork of this ~45 MB process does not block shakedown's event loop;
 * a fork of shakedown itself (~200 MB) blocks it 5-10 ms.
 *
 * The server never keeps shakedown alive while idle (its process and pipes are unreferenced), and it ends with
 * shakedown: when shakedown exits or is killed, the server's stdin closes and it exits. Any fault (it exits, sends a
 * frame that is not a valid message, refuses a request) marks it failed: pending commands reject with a
 * HostCommandServerError and the process is killed; the owner starts another one.
 */
export class HostCommandServer {
  readonly ready: Promise<void>;
  private readonly child: ChildProcess;
  private readonly reader = new FrameReader();
  private readonly pending = new Map<number, PendingCommand>();
  private nextId = 1;
  private failure: string | undefined;
  private stderrTail = '';
  private serverPid: number | undefined;
  private markReady: () => void = () => {};
  private failReady: (error: Error) => void = () => {};

  /** `argv`: the server's command line (default: this Node running the exec server script with `--host`). */
  constructor(argv: readonly string[] = [process.execPath, HOST_COMMAND_SERVER_SCRIPT, '--host']) {
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('the host command server needs a command');
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.failReady = reject;
    });
    this.ready.catch(() => {});
    this.child = spawn(file, args, {
      // The server's own environment only (no NODE_OPTIONS, no loaders): every request carries its command's.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.on('error', (error) => this.fail(`could not start the host command server: ${error.message}`));
    // 'close': the process exited and its pipes are drained, so no frame it sent is lost.
    this.child.on('close', (code, signal) => {
      const why = this.stderrTail.trim().split('\n')[0]?.trim();
      this.fail(`the host command server ended (${signal ?? `exit ${code}`})${why ? `: ${why}` : ''}`);
    });
    this.child.stdin?.on('error', () => {});
    this.child.stdout?.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.stdout?.on('error', () => {});
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    this.child.stderr?.on('error', () => {});
    const startTimer = setTimeout(
      () => this.fail(`the host command server did not start within ${START_TIMEOUT_MS / 1000} s`),
      START_TIMEOUT_MS,
    );
    startTimer.unref();
    const clear = (): void => clearTimeout(startTimer);
    this.ready.then(clear, clear);
    this.setReferenced(true);
  }

  /** The server's pid once it is ready. */
  get pid(): number | undefined {
    return this.serverPid;
  }

  /** Commands sent and not yet answered. */
  get busy(): number {
    return this.pending.size;
  }

  /** True once the server can no longer serve. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Runs one command; rejects with a HostCommandServerError when the server fails meanwhile. */
  run(request: HostServerRequest): Promise<HostServerResult> {
    if (this.failure !== undefined) return Promise.reject(new HostCommandServerError(this.failure));
    const id = this.nextId++;
    const message: ExecRequest = { type: 'exec', id, ...request };
    return new Promise<HostServerResult>((resolve, reject) => {
      const command: PendingCommand = {
        started: false,
        stdout: [],
        stderr: [],
        resolve: (exit) =>
          resolve({
            exitCode: exit.exitCode,
            signal: exit.signal,
            stdout: Buffer.concat(command.stdout),
            stderr: Buffer.concat(command.stderr),
            outputTruncated: exit.outputTruncated,
          }),
        reject,
      };
      if (this.pending.size === 0) this.setReferenced(true);
      this.pending.set(id, command);
      this.child.stdin?.write(encodeRequest(message));
    });
  }

  /** Ends the server (its stdin closes; it kills what still runs and exits); later commands reject. */
  close(): void {
    this.fail('the host command server was closed');
  }

  private receive(chunk: Buffer): void {
    let messages: ServerMessage[];
    try {
      messages = this.reader.push(chunk);
    } catch (error) {
      this.fail(`the host command server sent garbage (${(error as Error).message})`);
      return;
    }
    for (const message of messages) this.dispatch(message);
  }

  private dispatch(message: ServerMessage): void {
    if (message.type === 'ready') {
      this.serverPid = message.pid;
      if (this.pending.size === 0) this.setReferenced(false);
      this.markReady();
    } else if (message.type === 'error') {
      this.fail(`the host command server refused a request: ${message.message}`);
    } else {
      const command = this.pending.get(message.id);
      if (!command) {
        this.fail(`the host command server sent ${message.type} for unknown command ${message.id}`);
      } else if (message.type === 'started') {
        command.started = true;
      } else if (message.type === 'output') {
        command[message.stream].push(Buffer.from(message.data, 'base64'));
      } else {
        this.pending.delete(message.id);
        if (this.pending.size === 0) this.setReferenced(false);
        command.resolve(message);
      }
    }
  }

  /** While commands run (or it starts), the server keeps shakedown alive; idle, it does not. */
  private setReferenced(referenced: boolean): void {
    referenceHandles([this.child, this.child.stdout, this.child.stderr, this.child.stdin], referenced);
  }

  /** Marks the server failed with a one-line `reason`: pending commands reject, and the server is ended. */
  private fail(reason: string): void {
    if (this.failure !== undefined) return;
    this.failure = reason;
    const error = new HostCommandServerError(reason);
    this.failReady(error);
    for (const command of this.pending.values()) {
      command.reject(command.started ? error : new HostCommandServerError(reason, false));
    }
    this.pending.clear();
    this.setReferenced(false);
    // Its stdin closing ends the server (it kills the process groups of what still runs, then exits); one that
    // does not react is killed.
    this.child.stdin?.destroy();
    const killer = setTimeout(() => {
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    }, KILL_GRACE_MS);
    killer.unref();
  }
}
