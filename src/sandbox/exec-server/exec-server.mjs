#!/usr/bin/env node
/**
 * shakedown exec server: runs INSIDE a bubblewrap sandbox, one per sandbox lifetime (see sandbox-session.ts), so a
 * command costs one `bash` started from this small process instead of a fresh bwrap forked from shakedown. The same
 * server, started with `--host`, is the host command server (host-command-server.ts): shakedown's own
 * run-to-completion host commands (git, du, cp, mount) are forked from this small process, not the big shakedown.
 *
 * Protocol (exec-protocol.ts is the host's side): newline-delimited JSON, requests on stdin, replies on stdout.
 * - in:  {"type":"exec","id":1,"command":"...","cwd":"/abs","env":{...},"stdin":"..."?,"timeoutMs":n?,"outputLimitBytes":n}
 *        or the same with "argv":["program","arg",...] instead of "command": the program runs directly (no bash, so
 *        no BASH_ENV), found on the request's env PATH
 *        {"type":"kill","id":1}
 * - out: {"type":"ready","pid":n} once; then per exec of an argv, {"type":"started","id":1} once it is spawned; per
 *        exec any number of
 *        {"type":"output","id":1,"stream":"stdout"|"stderr","data":"<base64>"} and one
 *        {"type":"exit","id":1,"exitCode":n|null,"signal":"SIGKILL"|null,"timedOut":b,"outputTruncated":b}
 *        {"type":"error","message":"..."} for a request it cannot read.
 * Each command is `bash -c COMMAND` (or argv) with the given environment (BASH_ENV sets its rlimits), in a process
 * group of its own; on timeout, kill or output over the cap the whole group gets SIGKILL and the exit is reported once
 * the group is gone. A command that ends normally leaves its background processes running (they live as long as the sandbox).
 * When stdin closes (the host is done or gone) every command's group is killed and the server exits.
 * No dependencies: plain Node.
 */
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';

process.title = process.argv[2] === '--host' ? 'shakedown-host-commands' : 'shakedown-exec-server';

/**
 * Niceness of a sandbox's commands (inherited from this server): the agent's tools and the grader's tests yield the
 * CPU to shakedown itself and to a model server on the same machine, so that work of some attempts overlaps the
 * model calls of others without delaying them (a freed slot is refilled at once). They still get every idle cycle.
 * Host commands (`--host`) keep shakedown's own priority.
 */
const SANDBOX_NICENESS = 10;
if (process.argv[2] !== '--host') {
  try {
    setPriority(SANDBOX_NICENESS);
  } catch {
    // Not allowed here (a seccomp profile): the commands run at the server's priority.
  }
}

/** How long to wait for stdout/stderr to close after the command exited (a background process may hold them). */
const STREAM_DRAIN_GRACE_MS = 250;
/** How often, and how many times, a killed group is checked until it is gone. */
const GROUP_POLL_MS = 10;
const GROUP_POLL_TIMES = 500;

/** Commands still running: id -> kill(). */
const running = new Map();

function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILLs the group until it is empty (a fork racing the first signal gets the next), then calls `done`. */
function killGroup(pid, done) {
  let times = 0;
  const round = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    if (!groupAlive(pid) || ++times >= GROUP_POLL_TIMES) done();
    else setTimeout(round, GROUP_POLL_MS);
  };
  round();
}

function execute(request) {
  const { id } = request;
  const limit = request.outputLimitBytes;
  let captured = 0;
  let outputTruncated = false;
  let timedOut = false;
  let killing;
  let exit;
  let reported = false;
  let timer;
  let child;
  const [file, ...args] = request.argv ?? ['/bin/bash', '-c', request.command];
  try {
    child = spawn(file, args, {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      stdio: [typeof request.stdin === 'string' ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    send({
      type: 'output',
      id,
      stream: 'stderr',
      data: Buffer.from(`shakedown: ${error.message}\n`).toString('base64'),
    });
    send({ type: 'exit', id, exitCode: 127, signal: null, timedOut: false, outputTruncated: false });
    return;
  }
  // The host may run a command again elsewhere when this server dies before saying it started (host-command.ts).
  if (request.argv && child.pid !== undefined) send({ type: 'started', id });

  const report = () => {
    if (reported || exit === undefined) return;
    if (killing && !killing.done) return;
    reported = true;
    clearTimeout(timer);
    running.delete(id);
    child.stdout.destroy();
    child.stderr.destroy();
    send({ type: 'exit', id, exitCode: exit.code, signal: exit.signal, timedOut, outputTruncated });
  };
  const kill = () => {
    if (killing || child.pid === undefined) return;
    killing = { done: false };
    killGroup(child.pid, () => {
      killing.done = true;
      report();
    });
  };
  running.set(id, kill);

  const capture = (stream) => (chunk) => {
    if (outputTruncated) return;
    const room = limit - captured;
    let data = chunk;
    if (chunk.length > room) {
      data = chunk.subarray(0, Math.max(0, room));
      captured = limit;
      outputTruncated = true;
      kill();
    } else {
      captured += chunk.length;
    }
    if (data.length > 0) send({ type: 'output', id, stream, data: data.toString('base64') });
  };
  child.stdout.on('data', capture('stdout'));
  child.stderr.on('data', capture('stderr'));
  child.stdout.on('error', () => {});
  child.stderr.on('error', () => {});
  if (child.stdin) {
    child.stdin.on('error', () => {});
    child.stdin.end(request.stdin);
  }
  if (typeof request.timeoutMs === 'number' && request.timeoutMs > 0) {
    timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, request.timeoutMs);
  }
  child.on('error', (error) => {
    // bash could not be started (a missing cwd, say): nothing ran.
    if (exit !== undefined) return;
    const what = request.argv ? file : 'the command';
    const text = `shakedown: could not start ${what} (cwd ${request.cwd}): ${error.message}\n`;
    send({ type: 'output', id, stream: 'stderr', data: Buffer.from(text).toString('base64') });
    exit = { code: 127, signal: null };
    report();
  });
  child.on('exit', (code, signal) => {
    exit = { code, signal };
    setTimeout(report, STREAM_DRAIN_GRACE_MS);
  });
  child.on('close', report);
}

function handle(line) {
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    send({ type: 'error', message: `not JSON: ${line.slice(0, 80)}` });
    return;
  }
  const runnable =
    typeof request?.command === 'string' ||
    (Array.isArray(request?.argv) &&
      request.argv.length > 0 &&
      request.argv.every((part) => typeof part === 'string'));
  if (request?.type === 'exec' && Number.isInteger(request.id) && runnable) {
    execute(request);
  } else if (request?.type === 'kill') {
    running.get(request.id)?.();
  } else {
    send({ type: 'error', message: `unknown request: ${line.slice(0, 80)}` });
  }
}

/** Pieces of the line still unfinished: a long request (a big patch as stdin) arrives in many chunks. */
let pending = [];
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  let start = 0;
  let newline = chunk.indexOf('\n');
  while (newline >= 0) {
    pending.push(chunk.slice(start, newline));
    const line = pending.join('');
    pending = [];
    if (line.trim() !== '') handle(line);
    start = newline + 1;
    newline = chunk.indexOf('\n', start);
  }
  if (start < chunk.length) pending.push(chunk.slice(start));
});
process.stdin.on('end', () => {
  for (const kill of running.values()) kill();
  process.exit(0);
});
process.stdout.on('error', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
