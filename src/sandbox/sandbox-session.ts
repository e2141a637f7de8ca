import { availableParallelism, constants as osConstants, setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Readable, Writable } from 'node:stream';
import PQueue from 'p-queue';
import {
  type ExecRequest,
  type ExitMessage,
  encodeRequest,
  FrameReader,
  type KillRequest,
  type ServerMessage,
} from './exec-server/exec-protocol.ts';
import { referenceHandles } from './reference-handles.ts';
import { SandboxInfrastructureError } from './sandbox-infrastructure-error.ts';
import { type StartedProcess, spawnOffThread } from './spawn-off-thread.ts';
import type { SandboxExecResult } from './types.ts';

/** How to start a sandbox's exec server: a bwrap command line whose program is exec-server.mjs. */
export interface ExecServerLaunch {
  /** Full argv (staging prefix, bwrap and its arguments, then node and the server script). */
  argv: string[];
  /** Host user bwrap runs as (default: shakedown's own). */
  user?: { uid: number; gid: number };
  /**
   * Moves a host pid into the sandbox's cgroups; called for bwrap and its sandbox process before the server runs
   * (bwrap waits on --block-fd until then). Undefined where the sandbox has no cgroups.
   */
  join?: (pid: number) => Promise<void>;
}

/** One command for the session. */
export interface SessionExecRequest {
  command: string;
  cwd: string;
  env: Record<string, string>;
  stdin?: string;
  timeoutMs?: number;
  outputLimitBytes: number;
  signal?: AbortSignal;
}

/** fds of a started bwrap: its JSON status (the sandbox's pid), and the pipe it waits on before the server. */
export const START_FDS = { info: 3, block: 4 } as const;

/**
 * Niceness of a sandbox from its first process on (exec-server.mjs sets the same for itself, for the backends that
 * do not start it this way): the start of a sandbox (a Node start, about 0.1 s of CPU) and every command in it yield
 * the CPU to shakedown and a model server on the same machine. Sandboxes start in the background while other
 * attempts' model requests are out (Sandbox.warm), and a dozen of them at once must not delay those requests.
 */
const SANDBOX_NICENESS = 10;

/** Lowers a process of the sandbox to {@link SANDBOX_NICENESS}; where that is not allowed, it keeps its priority. */
function yieldCpu(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, SANDBOX_NICENESS);
  } catch {
    // Not allowed here (a seccomp profile, another user): the sandbox runs at shakedown's priority.
  }
}

/**
 * Sandboxes warming at once (see SandboxSession.warm): half the cores, at least one. A start is mostly a Node start
 * (about 0.1 s of CPU); a dozen at once would make the first attempts' sandboxes wait behind the others' and crowd
 * the CPU while the first model requests come back. A sandbox whose first command comes before its turn starts at
 * once regardless.
 */
const warmQueue = new PQueue({ concurrency: Math.max(1, Math.floor(availableParallelism() / 2)) });

/** How long the server may take to say it is ready. */
const START_TIMEOUT_MS = 60_000;
/** How long past a command's timeout the host waits for its exit before it gives up on the server. */
const EXIT_GRACE_MS = 15_000;
/** How long `close` waits for the sandbox to end before it kills bwrap's process group regardless. */
const CLOSE_WAIT_MS = 5_000;

interface PendingExec {
  stdout: Buffer[];
  stderr: Buffer[];
  resolve(exit: ExitMessage): void;
  reject(error: Error): void;
}

/** The first line of what a failed process wrote, for a one-line reason. */
function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}

/**
 * The signal that ended bwrap's sandbox: Node's own `signal` for bwrap itself, or bwrap's exit status 128 + N for its
 * child (bwrap passes a signalled child's status on that way).
 */
function signalOfExit(code: number | null, signal: NodeJS.Signals | null): string | undefined {
  if (signal !== null) return signal;
  if (code === null || code <= 128 || code > 128 + 64) return undefined;
  const name = Object.entries(osConstants.signals).find(([, number]) => number === code - 128)?.[0];
  return name ?? `signal ${code - 128}`;
}

/**
 * One running exec server (exec-server.mjs in its bwrap): requests go down its stdin, replies come up its stdout
 * (exec-protocol.ts). Any fault of the server (it exits, sends a frame that is not a valid message, refuses a
 * request, stops answering) marks it failed: every pending and later exec rejects with a SandboxInfrastructureError
 * giving the one-line reason, and the process is killed.
 */
class ExecServer {
  readonly ready: Promise<void>;
  private readonly reader = new FrameReader();
  private readonly pending = new Map<number, PendingExec>();
  private readonly exited: Promise<void>;
  private nextId = 1;
  private failure: string | undefined;
  private terminating: Promise<void> | undefined;
  private stderrTail = '';
  private sandboxPid: number | undefined;
  private started = false;
  /** Set when the server was killed between commands (see endedByCommands): told to the next command. */
  restartNote: string | undefined;
  private markReady: () => void = () => {};
  private failReady: (error: Error) => void = () => {};

  /** Starts bwrap (launch.argv) through the spawner (spawn-off-thread.ts): shakedown itself is not forked. */
  static async start(launch: ExecServerLaunch): Promise<ExecServer> {
    const [file, ...args] = launch.argv;
    if (file === undefined) throw new Error('the exec server needs a command');
    const child = await spawnOffThread(file, args, {
      env: { PATH: '/usr/bin:/bin' },
      detached: true,
      uid: launch.user?.uid,
      gid: launch.user?.gid,
      pipes: 5,
    });
    return new ExecServer(launch, child);
  }

  private constructor(
    launch: ExecServerLaunch,
    private readonly child: StartedProcess,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.failReady = reject;
    });
    this.ready.catch(() => {});
    this.exited = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.on('error', (error) =>
      this.fail(
        this.started ? `the sandbox was lost: ${error.message}` : `could not start bwrap: ${error.message}`,
      ),
    );
    // 'close': the process exited and its pipes are drained, so no frame it sent is lost.
    this.child.on('close', (code, signal) => {
      const killedBy = signalOfExit(code, signal);
      if (killedBy !== undefined && this.failure === undefined && this.started) {
        this.endedByCommands(killedBy);
        return;
      }
      const why = firstLine(this.stderrTail);
      this.fail(`the sandbox's exec server ended (${signal ?? `exit ${code}`})${why ? `: ${why}` : ''}`);
    });
    this.child.stdin?.on('error', () => {});
    this.child.stdout?.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.stdout?.on('error', () => {});
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    this.child.stderr?.on('error', () => {});
    this.watchStart(launch.join);
    const startTimer = setTimeout(
      () => this.fail(`the sandbox's exec server did not start within ${START_TIMEOUT_MS / 1000} s`),
      START_TIMEOUT_MS,
    );
    startTimer.unref();
    this.ready.then(
      () => clearTimeout(startTimer),
      () => clearTimeout(startTimer),
    );
    this.setReferenced(true);
  }

  /** True once the server can no longer serve (see `fail`). */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /**
   * Reads the sandbox's host pid from bwrap's status (fd 3), moves bwrap and the sandbox into the cgroups (when
   * there are some), then lets bwrap go on (a byte on fd 4): every process of the sandbox starts inside them.
   */
  private watchStart(join: ((pid: number) => Promise<void>) | undefined): void {
    const status = this.child.stdio[START_FDS.info] as Readable | undefined;
    const block = this.child.stdio[START_FDS.block] as Writable | undefined;
    // A process that could not start has no pipes: its 'error' fails the server.
    if (!status || !block) return;
    block.on('error', () => {});
    status.on('error', () => {});
    let text = '';
    status.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const sandboxPid = /"child-pid":\s*(\d+)/.exec(text)?.[1];
      if (this.sandboxPid !== undefined || sandboxPid === undefined) return;
      this.sandboxPid = Number(sandboxPid);
      void this.admit(this.sandboxPid, join, block);
    });
    // bwrap failed before starting a sandbox: release it so it can report why.
    status.on('close', () => {
      if (this.sandboxPid === undefined) block.destroy();
    });
    (status as unknown as { unref?: () => void }).unref?.();
  }

  /** Moves bwrap and its sandbox into the cgroups and to the sandbox's niceness, then lets bwrap go on. */
  private async admit(
    sandboxPid: number,
    join: ((pid: number) => Promise<void>) | undefined,
    block: Writable,
  ): Promise<void> {
    try {
      if (join && this.child.pid !== undefined) await join(this.child.pid);
      await join?.(sandboxPid);
      yieldCpu(this.child.pid);
      yieldCpu(sandboxPid);
    } catch (error) {
      this.fail(`could not move the sandbox into its cgroup: ${(error as Error).message}`);
      block.destroy();
      return;
    }
    block.end('1');
  }

  private receive(chunk: Buffer): void {
    let messages: ServerMessage[];
    try {
      messages = this.reader.push(chunk);
    } catch (error) {
      this.fail(`the sandbox's exec server sent garbage (${(error as Error).message})`);
      return;
    }
    for (const message of messages) this.dispatch(message);
  }

  private dispatch(message: ServerMessage): void {
    if (message.type === 'ready') {
      this.started = true;
      this.markReady();
    } else if (message.type === 'error') {
      this.fail(`the sandbox's exec server refused a request: ${message.message}`);
    } else {
      const exec = this.pending.get(message.id);
      if (!exec) {
        this.fail(`the sandbox's exec server sent ${message.type} for unknown command ${message.id}`);
      } else if (message.type === 'output') {
        exec[message.stream].push(Buffer.from(message.data, 'base64'));
      } else if (message.type === 'exit') {
        this.pending.delete(message.id);
        if (this.pending.size === 0) this.setReferenced(false);
        exec.resolve(message);
      }
    }
  }

  /** While commands run, the server keeps shakedown alive; idle, it does not (a forgotten dispose never hangs). */
  private setReferenced(referenced: boolean): void {
    referenceHandles([this.child, this.child.stdout, this.child.stderr, this.child.stdin], referenced);
  }

  /**
   * The started server was killed by a signal the host did not send. Inside the sandbox only its own processes (the
   * commands) and the kernel (an OOM kill, which the sandbox reports as such) can signal it, so this is the
   * commands' doing, not an infrastructure fault: each running command ends killed, with a note, and the next exec
   * starts a fresh server (`restartNote` tells the command after an idle death).
   */
  private endedByCommands(signal: string): void {
    const note =
      `shakedown: the sandbox's command server was killed (${signal}) by a process of the sandbox; its background ` +
      'processes and /tmp are gone, and the next command gets a fresh sandbox\n';
    this.failure = `the sandbox's exec server was killed (${signal}) by a process of the sandbox`;
    this.restartNote = note;
    this.failReady(new SandboxInfrastructureError(this.failure));
    for (const [id, exec] of this.pending) {
      exec.stderr.push(Buffer.from(note));
      exec.resolve({ type: 'exit', id, exitCode: null, signal, timedOut: false, outputTruncated: false });
      this.restartNote = undefined;
    }
    this.pending.clear();
    this.setReferenced(false);
    this.terminating = this.terminate();
  }

  /** Marks the server failed with a one-line `reason`: every pending exec rejects, and the sandbox is killed. */
  private fail(reason: string): void {
    if (this.failure !== undefined) return;
    this.failure = reason;
    const error = new SandboxInfrastructureError(reason);
    this.failReady(error);
    for (const exec of this.pending.values()) exec.reject(error);
    this.pending.clear();
    this.setReferenced(false);
    this.terminating = this.terminate();
  }

  /** Ends the server and its sandbox (see terminate); execs reject from now on. */
  close(): Promise<void> {
    this.fail('the sandbox was disposed');
    return this.terminating ?? Promise.resolve();
  }

  /** Runs one command; rejects with a SandboxInfrastructureError when the server fails meanwhile. */
  async exec(request: SessionExecRequest): Promise<SandboxExecResult> {
    if (this.failure !== undefined) throw new SandboxInfrastructureError(this.failure);
    const id = this.nextId++;
    const started = performance.now();
    const { signal, ...fields } = request;
    const message: ExecRequest = { type: 'exec', id, ...fields };
    let hostTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => this.send({ type: 'kill', id });
    const exit = await new Promise<ExitMessage & { stdout: Buffer[]; stderr: Buffer[] }>(
      (resolve, reject) => {
        const exec: PendingExec = {
          stdout: [],
          stderr: [],
          resolve: (exitMessage) => resolve({ ...exitMessage, stdout: exec.stdout, stderr: exec.stderr }),
          reject,
        };
        if (this.pending.size === 0) this.setReferenced(true);
        this.pending.set(id, exec);
        this.send(message);
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
        if (request.timeoutMs !== undefined && request.timeoutMs > 0) {
          hostTimer = setTimeout(
            () =>
              this.fail(
                `the sandbox's exec server did not end a command ${EXIT_GRACE_MS / 1000} s after its timeout`,
              ),
            request.timeoutMs + EXIT_GRACE_MS,
          );
        }
      },
    ).finally(() => {
      clearTimeout(hostTimer);
      signal?.removeEventListener('abort', onAbort);
    });
    return {
      exitCode: exit.exitCode,
      signal: exit.signal,
      stdout: Buffer.concat(exit.stdout).toString('utf8'),
      stderr: Buffer.concat(exit.stderr).toString('utf8'),
      timedOut: exit.timedOut,
      outputTruncated: exit.outputTruncated,
      durationMs: Math.round(performance.now() - started),
    };
  }

  private send(request: ExecRequest | KillRequest): void {
    this.child.stdin?.write(encodeRequest(request));
  }

  /**
   * Ends the sandbox: its first process (bwrap's init: the whole PID namespace goes with it), then, once bwrap
   * exited or after CLOSE_WAIT_MS, bwrap's own process group.
   */
  private async terminate(): Promise<void> {
    if (this.sandboxPid !== undefined) {
      try {
        process.kill(this.sandboxPid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    const waited =
      this.sandboxPid !== undefined && this.child.exitCode === null && this.child.signalCode === null;
    if (waited) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.exited,
        new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS))),
      ]);
      clearTimeout(timer);
    }
    if (this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    this.child.stdin?.destroy();
    await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
  }
}

/**
 * A sandbox session: ONE sandboxed exec server for a sandbox's lifetime (as SWE-ReX keeps one container per attempt)
 * instead of a bwrap per command. The server starts at `warm` or at the first exec, through `launch` (which prepares
 * the sandbox: cgroups, staging namespace, host user), and is started again at the exec after it failed (a crash,
 * an OOM kill that took it down, garbage on its pipe). Several execs may run at once. `dispose` ends the server and
 * with it the sandbox's PID namespace (every process the commands left behind).
 */
export class SandboxSession {
  private server: ExecServer | undefined;
  private starting: Promise<ExecServer> | undefined;
  private disposed = false;
  /** Set by `restart`: told to the next command. */
  private restartNote: string | undefined;

  constructor(private readonly launch: () => Promise<ExecServerLaunch>) {}

  /** Runs one command; rejects with a SandboxInfrastructureError when the server cannot start or fails meanwhile. */
  async exec(request: SessionExecRequest): Promise<SandboxExecResult> {
    const note = this.restartNote ?? (this.server?.failed ? this.server.restartNote : undefined);
    this.restartNote = undefined;
    if (this.server) this.server.restartNote = undefined;
    const server = await this.running();
    const result = await server.exec(request);
    if (note !== undefined) result.stderr = `${note}${result.stderr}`;
    return result;
  }

  /** Starts the server in the background (see Sandbox.warm); a failure is left for the next exec to meet. */
  warm(): void {
    if (this.disposed || this.server !== undefined || this.starting !== undefined) return;
    warmQueue
      .add(async () => {
        if (!this.disposed && this.server === undefined) await this.running();
      })
      .catch(() => undefined);
  }

  /** The running server, started (again) when there is none or the last one failed. */
  private running(): Promise<ExecServer> {
    if (this.disposed) return Promise.reject(new SandboxInfrastructureError('the sandbox was disposed'));
    if (this.server && !this.server.failed) return Promise.resolve(this.server);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<ExecServer> {
    const previous = this.server;
    this.server = undefined;
    await previous?.close();
    let launch: ExecServerLaunch;
    try {
      launch = await this.launch();
    } catch (error) {
      throw new SandboxInfrastructureError(`the sandbox could not be prepared: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const server = await ExecServer.start(launch);
    this.server = server;
    await server.ready;
    return server;
  }

  /**
   * Ends the running server after the host killed the sandbox's processes (an OOM kill, the disk quota): that kill
   * reaches the server a moment later, and must not land on the next command. The next exec starts a fresh server
   * and its output begins with `note`.
   */
  async restart(note: string): Promise<void> {
    await this.starting?.catch(() => undefined);
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    this.restartNote = note;
    await server.close();
  }

  /** Ends the server and the sandbox's processes; the session refuses execs afterwards. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.starting?.catch(() => undefined);
    await this.server?.close();
    this.server = undefined;
  }
}
