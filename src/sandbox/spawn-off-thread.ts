import { type ChildProcess, fork, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The spawner script (forked with an IPC channel). */
const SPAWNER_SCRIPT = fileURLToPath(new URL('./process-spawner/process-spawner.mjs', import.meta.url));
/** After the spawner failed to start, processes are spawned here for this long before it is tried again. */
const RETRY_AFTER_MS = 10_000;

/** How to start a long-lived process with pipes. */
export interface SpawnOffThreadOptions {
  env: Record<string, string>;
  /** Own process group (so `kill(-pid)` reaches everything it started). */
  detached?: boolean;
  uid?: number;
  gid?: number;
  /** Number of pipes, fds 0 .. pipes - 1 (stdin, stdout, stderr, then extra fds). */
  pipes: number;
}

/**
 * What the callers use of a started process: a ChildProcess when spawned here, a SpawnedProcess when spawned by the
 * spawner. Events: 'error' (it could not start, or the spawner died under it), 'exit' (code, signal), 'close' (code,
 * signal: exited and its readable pipes drained).
 */
export interface StartedProcess {
  readonly pid?: number | undefined;
  readonly stdio: ReadonlyArray<Readable | Writable | null | undefined>;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  on(event: 'close' | 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  once(event: 'close' | 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  once(event: 'error', listener: (error: Error) => void): this;
  kill(signal?: NodeJS.Signals | number): boolean;
  ref(): void;
  unref(): void;
}

/** A process the spawner started; its pipes are this process's own handles (handed over, not relayed). */
class SpawnedProcess extends EventEmitter implements StartedProcess {
  pid: number | undefined;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly stdio: Socket[] = [];
  private exited = false;
  private openReadables = 0;
  private closed = false;

  get stdin(): Writable | null {
    return this.stdio[0] ?? null;
  }
  get stdout(): Readable | null {
    return this.stdio[1] ?? null;
  }
  get stderr(): Readable | null {
    return this.stdio[2] ?? null;
  }

  /** A pipe arrived: fds 1 and up are read by the callers and hold 'close' until they end. */
  addPipe(fd: number, socket: Socket): void {
    this.stdio[fd] = socket;
    if (fd === 0) return;
    this.openReadables += 1;
    socket.once('close', () => {
      this.openReadables -= 1;
      this.closeIfDone();
    });
  }

  markExited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
    // As a ChildProcess does at exit (flushStdio): a pipe nobody reads is drained, so that it ends and 'close' comes.
    for (const socket of this.stdio.slice(1)) {
      if (socket && socket.readableFlowing !== true && socket.listenerCount('readable') === 0)
        socket.resume();
    }
    this.closeIfDone();
  }

  /** The spawner died under this process: it is reported failed, its pipes are closed. */
  abandon(why: string): void {
    if (this.exited) return;
    // Told to whoever listens (an EventEmitter throws an 'error' nobody listens to).
    if (this.listenerCount('error') > 0) this.emit('error', new Error(why));
    for (const socket of this.stdio) socket?.destroy();
    this.markExited(null, 'SIGKILL');
  }

  private closeIfDone(): void {
    if (this.closed || !this.exited || this.openReadables > 0) return;
    this.closed = true;
    this.emit('close', this.exitCode, this.signalCode);
  }

  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    if (this.pid === undefined || this.exited) return false;
    try {
      process.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** Whether shakedown waits for this process's exit (as a ChildProcess: referenced until `unref`). */
  referenced = true;
  /** Set by the spawner: its channel, which brings the exit, is referenced while some process is. */
  onReferenceChange: () => void = () => {};

  ref(): void {
    this.referenced = true;
    this.onReferenceChange();
  }
  unref(): void {
    this.referenced = false;
    this.onReferenceChange();
  }
}

interface PendingSpawn {
  process: SpawnedProcess;
  resolve(process: StartedProcess): void;
}

type SpawnerMessage =
  | { type: 'ready'; pid: number }
  | { type: 'pipe'; id: number; fd: number }
  | { type: 'started'; id: number; pid: number }
  | { type: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null }
  | { type: 'error'; id: number; message: string; code?: string };

/** One spawner process (process-spawner.mjs), forked at the first spawn; see spawnOffThread. */
class ProcessSpawner {
  private readonly child: ChildProcess;
  private readonly starting = new Map<number, PendingSpawn>();
  private readonly running = new Map<number, SpawnedProcess>();
  private nextId = 1;
  private dead = false;
  readonly ready: Promise<void>;

  constructor() {
    this.child = fork(SPAWNER_SCRIPT, [], {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      detached: true,
      serialization: 'json',
      execArgv: ['--max-old-space-size=32'],
    });
    this.ready = new Promise<void>((resolve, reject) => {
      this.child.once('message', () => resolve());
      this.child.once('error', reject);
      this.child.once('exit', (code, signal) =>
        reject(new Error(`the process spawner ended (${signal ?? code})`)),
      );
    });
    this.ready.catch(() => {});
    this.child.on('message', (message: SpawnerMessage, handle: unknown) => this.receive(message, handle));
    this.child.on('error', () => this.die('the process spawner failed'));
    this.child.on('exit', (code, signal) =>
      this.die(`the process spawner ended (${signal ?? `exit ${code}`})`),
    );
    // Referenced while it starts (shakedown may be waiting for nothing else), then only while a spawn is on its way.
    this.ready.then(
      () => this.updateReferenced(),
      () => {},
    );
  }

  get alive(): boolean {
    return !this.dead;
  }

  /**
   * The channel is referenced while a spawn is on its way or a started process is referenced (its exit comes over
   * the channel); otherwise the spawner keeps nothing alive.
   */
  private updateReferenced(): void {
    let referenced = this.starting.size > 0;
    for (const process of this.running.values()) referenced ||= process.referenced;
    this.setReferenced(referenced);
  }

  private setReferenced(referenced: boolean): void {
    const channel = this.child.channel as { ref?: () => void; unref?: () => void } | undefined;
    if (referenced) {
      this.child.ref();
      channel?.ref?.();
    } else {
      this.child.unref();
      channel?.unref?.();
    }
  }

  spawn(file: string, args: string[], options: SpawnOffThreadOptions): Promise<StartedProcess> {
    const id = this.nextId++;
    const process = new SpawnedProcess();
    return new Promise<StartedProcess>((resolve) => {
      this.starting.set(id, { process, resolve });
      this.setReferenced(true);
      this.child.send({
        type: 'spawn',
        id,
        file,
        args,
        env: options.env,
        detached: options.detached === true,
        uid: options.uid,
        gid: options.gid,
        pipes: options.pipes,
      });
    });
  }

  private settle(id: number): PendingSpawn | undefined {
    const pending = this.starting.get(id);
    this.starting.delete(id);
    return pending;
  }

  private receive(message: SpawnerMessage, handle: unknown): void {
    if (message.type === 'ready') return;
    if (message.type === 'pipe') {
      this.starting.get(message.id)?.process.addPipe(message.fd, handle as Socket);
    } else if (message.type === 'started') {
      const pending = this.settle(message.id);
      if (!pending) return;
      pending.process.pid = message.pid;
      pending.process.onReferenceChange = () => this.updateReferenced();
      this.running.set(message.id, pending.process);
      this.updateReferenced();
      pending.resolve(pending.process);
    } else if (message.type === 'exit') {
      const process = this.running.get(message.id);
      this.running.delete(message.id);
      this.updateReferenced();
      // Never in the same turn as 'started' (both may come in one read): the caller attaches its listeners first.
      setImmediate(() => process?.markExited(message.code, message.signal));
    } else if (message.type === 'error') {
      const pending = this.settle(message.id);
      if (!pending) return;
      this.updateReferenced();
      const error = Object.assign(new Error(message.message), { code: message.code });
      // As a ChildProcess reports a failed spawn: an 'error' event, after the caller attached its listeners.
      setImmediate(() => {
        pending.process.emit('error', error);
        pending.process.markExited(null, null);
      });
      pending.resolve(pending.process);
    }
  }

  private die(why: string): void {
    if (this.dead) return;
    this.dead = true;
    for (const [id, pending] of this.starting) {
      this.starting.delete(id);
      setImmediate(() => pending.process.abandon(why));
      pending.resolve(pending.process);
    }
    for (const process of this.running.values()) process.abandon(why);
    this.running.clear();
  }

  /** Pid of the spawner process (tests). */
  get pid(): number | undefined {
    return this.child.pid;
  }
}

let spawner: ProcessSpawner | undefined;
let failedAt = Number.NEGATIVE_INFINITY;

async function readySpawner(): Promise<ProcessSpawner | undefined> {
  if (spawner?.alive) return spawner;
  if (performance.now() - failedAt < RETRY_AFTER_MS) return undefined;
  try {
    spawner = new ProcessSpawner();
    await spawner.ready;
    return spawner;
  } catch {
    failedAt = performance.now();
    spawner = undefined;
    return undefined;
  }
}

/**
 * Starts a long-lived process with pipes (a sandbox's bwrap, a staging namespace) without forking shakedown: a small
 * spawner process forks and execs it and hands its pipes back (see process-spawner.mjs). A fork of shakedown (~200
 * MB) blocks its event loop 5-15 ms; a model slot freed meanwhile waits. Where the spawner cannot start, the process
 * is spawned here, with the same result. A process that cannot start emits 'error', as a ChildProcess does; one
 * whose spawner dies under it emits 'error' too (never a plain exit, which a caller could take for the process's own).
 */
export async function spawnOffThread(
  file: string,
  args: string[],
  options: SpawnOffThreadOptions,
): Promise<StartedProcess> {
  const ready = await readySpawner();
  if (ready) return ready.spawn(file, args, options);
  return spawn(file, args, {
    env: options.env,
    detached: options.detached,
    uid: options.uid,
    gid: options.gid,
    stdio: Array.from({ length: options.pipes }, () => 'pipe' as const),
  });
}

/** Pid of the running spawner, if any (tests). */
export function processSpawnerPid(): number | undefined {
  return spawner?.alive ? spawner.pid : undefined;
}

/** Starts the spawner in the background, so the first sandbox does not wait for it. */
export function warmProcessSpawner(): void {
  void readySpawner();
}
