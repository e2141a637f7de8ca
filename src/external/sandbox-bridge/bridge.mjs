#!/usr/bin/env node
/**
 * shakedown sandbox bridge: runs INSIDE the sandbox, in its own network namespace (no outside network).
 *
 * 1. Listens on 127.0.0.1:<free port> inside the sandbox and pipes every connection to the recording proxy's unix
 *    socket (SHAKEDOWN_BRIDGE_SOCKET), which the host exposes read-only into the sandbox. Nothing else of the
 *    host network is reachable.
 * 2. Fills `{base_url}`, `{api_root}` and `{port}` in the agent's environment templates (SHAKEDOWN_AGENT_ENV, a
 *    JSON object) and exports SHAKEDOWN_BASE_URL / SHAKEDOWN_API_ROOT / SHAKEDOWN_PROXY_PORT.
 * 3. Gives the agent a private, fresh HOME (XDG directories inside it), never the user's, and writes the files of
 *    SHAKEDOWN_AGENT_HOME_FILES (a JSON object: path relative to HOME -> content, same placeholders) into it: the
 *    agent's configuration (provider pointing at the proxy, telemetry and update checks off). It is removed on exit.
 * 4. Runs the agent command (SHAKEDOWN_AGENT_COMMAND) with `bash -c` and exits with its status (128 + signal
 *    number when it was killed by a signal).
 *
 * Its own failures exit with status 86 and a `shakedown-bridge:` line on stderr. No dependencies: plain Node.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os, { constants } from 'node:os';
import path from 'node:path';

const BRIDGE_FAILURE = 86;

function fail(message) {
  process.stderr.write(`shakedown-bridge: ${message}\n`);
  process.exit(BRIDGE_FAILURE);
}

const socketPath = process.env.SHAKEDOWN_BRIDGE_SOCKET;
const command = process.env.SHAKEDOWN_AGENT_COMMAND;
if (!socketPath || !command) fail('SHAKEDOWN_BRIDGE_SOCKET and SHAKEDOWN_AGENT_COMMAND must be set');
if (!existsSync(socketPath)) {
  fail(`the proxy socket ${socketPath} is not visible in the sandbox: expose its directory (readOnlyPaths)`);
}
function jsonVariable(name) {
  try {
    return JSON.parse(process.env[name] ?? '{}');
  } catch (error) {
    fail(`${name} is not JSON: ${error.message}`);
  }
}
const templates = jsonVariable('SHAKEDOWN_AGENT_ENV');
const homeFiles = jsonVariable('SHAKEDOWN_AGENT_HOME_FILES');

/** A private HOME with the agent's configuration files (removed on exit). */
function createHome(fill) {
  let home;
  try {
    home = mkdtempSync(path.join(os.tmpdir(), 'shakedown-agent-home-'));
    for (const [relative, content] of Object.entries(homeFiles)) {
      const file = path.resolve(home, relative);
      if (!file.startsWith(`${home}/`)) fail(`home file ${relative} is outside HOME`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, fill(content));
    }
  } catch (error) {
    fail(`cannot prepare the agent's HOME: ${error.message}`);
  }
  return home;
}

const server = net.createServer((inbound) => {
  const outbound = net.connect(socketPath);
  inbound.pipe(outbound);
  outbound.pipe(inbound);
  const close = () => {
    inbound.destroy();
    outbound.destroy();
  };
  inbound.on('error', close);
  outbound.on('error', close);
  inbound.on('close', close);
  outbound.on('close', close);
});
server.on('error', (error) => fail(`cannot listen on 127.0.0.1 in the sandbox: ${error.message}`));

server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const apiRoot = `http://127.0.0.1:${port}`;
  const values = { base_url: `${apiRoot}/v1`, api_root: apiRoot, port: String(port) };
  const fill = (text) => String(text).replace(/\{(base_url|api_root|port)\}/g, (_, name) => values[name]);
  const home = createHome(fill);
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
  };
  for (const name of [
    'SHAKEDOWN_BRIDGE_SOCKET',
    'SHAKEDOWN_AGENT_COMMAND',
    'SHAKEDOWN_AGENT_ENV',
    'SHAKEDOWN_AGENT_HOME_FILES',
  ])
    delete env[name];
  for (const [name, value] of Object.entries(templates)) env[name] = fill(value);
  env.SHAKEDOWN_BASE_URL = values.base_url;
  env.SHAKEDOWN_API_ROOT = apiRoot;
  env.SHAKEDOWN_PROXY_PORT = values.port;

  const child = spawn('/bin/bash', ['-c', command], { stdio: 'inherit', env });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (error) => fail(`cannot start the agent command: ${error.message}`));
  child.on('exit', (code, signal) => {
    server.close();
    rmSync(home, { recursive: true, force: true });
    process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
  });
});
