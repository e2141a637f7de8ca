#!/usr/bin/env node
/**
 * shakedown process spawner: forks and execs the long-lived host processes that talk to shakedown over pipes (a
 * sandbox's bwrap, a sandbox's staging namespace) and hands each process's pipes back to shakedown over the IPC
 * channel (the pipe handles themselves: shakedown reads and writes them directly, nothing is relayed). A fork of this
 * small process does not block shakedown's event loop; a fork of shakedown itself (~200 MB) blocks it 5-15 ms,
 * while a model slot that frees meanwhile waits. See spawn-off-thread.ts, the host's side.
 *
 * Messages (IPC, started with `fork`):
 * - in:  {type:"spawn", id, file, args, env, detached, uid?, gid?, pipes}
 * - out: {type:"pipe", id, fd} with the pipe's handle, once per fd 0..pipes-1; then {type:"started", id, pid};
 *        later {type:"exit", id, code, signal}. Or {type:"error", id, message, code} when it could not start.
 * The spawner keeps no pipe end (each is closed here once sent). It exits when shakedown disconnects (exits or is
 * killed); the processes it started that use --die-with-parent (bwrap) end with it, the staging namespace's holder
 * ends when its stdin (held by shakedown) closes. No dependencies: plain Node.
 */
import { spawn } from 'node:child_process';

process.title = 'shakedown-process-spawner';

function send(message, handle) {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    if (handle) process.send(message, handle, { keepOpen: false }, () => resolve());
    else process.send(message, undefined, {}, () => resolve());
  });
}

function start(request) {
  const { id } = request;
  let child;
  try {
    child = spawn(request.file, request.args, {
      env: request.env,
      detached: request.detached === true,
      uid: request.uid,
      gid: request.gid,
      stdio: Array.from({ length: request.pipes }, () => 'pipe'),
    });
  } catch (error) {
    void send({ type: 'error', id, message: error.message, code: error.code });
    return;
  }
  // A pipe socket starts reading as soon as it is made; stop that before the loop runs, or bytes the process writes
  // early (bwrap's status, the server's ready frame) would be read here and lost to shakedown.
  for (const stream of child.stdio) stream?._handle?.readStop?.();
  let handedOver;
  let exit;
  child.once('error', (error) => {
    if (handedOver === undefined) void send({ type: 'error', id, message: error.message, code: error.code });
  });
  child.once('spawn', () => {
    handedOver = (async () => {
      for (let fd = 0; fd < request.pipes; fd++) await send({ type: 'pipe', id, fd }, child.stdio[fd]);
      await send({ type: 'started', id, pid: child.pid });
    })();
  });
  child.once('exit', (code, signal) => {
    exit = { type: 'exit', id, code, signal };
    // Never before 'started': shakedown learns of the pipes first.
    void (handedOver ?? Promise.resolve()).then(() => send(exit));
  });
}

process.on('message', (message) => {
  if (message?.type === 'spawn' && Number.isInteger(message.id)) start(message);
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready', pid: process.pid });
