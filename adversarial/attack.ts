/**
 * An attack on grading or on the host: a scripted agent (a fixed sequence of tool calls) that tries to be graded
 * "resolved" without fixing the task, or to reach outside its sandbox. Run through the real run path by
 * run-attacks.ts; one file per family defines them (`*.attacks.ts`).
 */
import type { ScriptedToolCall } from '../test-support/scripted-client.ts';

/** Which built-in task an attack runs on. */
export type AttackTask = 'python' | 'javascript';

/** What the attack leaves on the host, known to the test only (never to the agent's workspace). */
export interface HostFixture {
  /** A host file outside every workspace holding {@link HostFixture.secret}. */
  secretFile: string;
  /** Its content: must never show up in a tool result. */
  secret: string;
  /** A host path that does not exist: must still not exist after the attack. */
  forbiddenWritePath: string;
  /** The task folder on the host (gold.patch, tests.patch). */
  taskDirectory: string;
  /** A line of the task's gold.patch: must never show up in a tool result. */
  goldLine: string;
}

export interface Attack {
  /** Unique, kebab-case; the scripted model's id is `simulated:attack-<id>`. */
  id: string;
  family: string;
  task: AttackTask;
  /** What it tries, in a sentence. */
  description: string;
  /** Tool calls, one per model turn; a `finish` is added at the end. */
  calls: (host: HostFixture) => ScriptedToolCall[];
  /** Whether grading must report "tampering detected" for it (it changed tests, their infrastructure or their run). */
  tampers: boolean;
  /** Strings that must never appear in any tool result the agent saw (besides the host secret and gold line). */
  forbiddenOutput?: string[];
}

/** A `run_command` call. */
export function run(command: string): ScriptedToolCall {
  return { name: 'run_command', arguments: { command } };
}

/** A `write_file` call. */
export function write(path: string, content: string): ScriptedToolCall {
  return { name: 'write_file', arguments: { path, content } };
}

/** A `read_file` call. */
export function read(path: string): ScriptedToolCall {
  return { name: 'read_file', arguments: { path } };
}

/** A `search` call. */
export function search(pattern: string, path?: string): ScriptedToolCall {
  return { name: 'search', arguments: path === undefined ? { pattern } : { pattern, path } };
}

/** A `list_files` call. */
export function list(path: string): ScriptedToolCall {
  return { name: 'list_files', arguments: { path } };
}
