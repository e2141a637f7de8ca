/**
 * Child process of the host command tests: runs one host command through the shared host command server, prints
 * the server's pid, then either ends on its own (nothing may keep it alive) or, with `--stay`, waits to be killed.
 */
import { hostCommandServerPids, runHostCommand } from '../src/sandbox/index.ts';

const result = await runHostCommand('true', []);
if (result.exitCode !== 0) throw new Error(`true exited ${result.exitCode}`);
process.stdout.write(`${hostCommandServerPids().join(' ')}\n`);
if (process.argv.includes('--stay')) setInterval(() => {}, 60_000);
