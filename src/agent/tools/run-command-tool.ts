import { z } from 'zod';
import type { AgentTool } from '../tool.ts';
import { forgivingObject, looseInteger } from './forgiving-arguments.ts';
import { toolSuccess } from './tool-output.ts';
import { truncateOutput } from './truncate-output.ts';

const schema = forgivingObject(
  {
    command: z.string().min(1).describe('Shell command, run with bash in the workspace root.'),
    timeout_seconds: looseInteger()
      .optional()
      .describe('Timeout in seconds (capped by the run configuration).'),
  },
  { cmd: 'command', script: 'command', timeout: 'timeout_seconds', timeoutSeconds: 'timeout_seconds' },
);

/** Arguments of run_command. */
export type RunCommandArguments = z.infer<typeof schema>;

/** Runs a shell command in the sandbox; reports the exit code and the (truncated) output. A non-zero exit is not a tool error. */
export const runCommandTool: AgentTool<RunCommandArguments> = {
  name: 'run_command',
  description:
    'Run a shell command (bash) in the workspace root, e.g. to run tests or build. Returns the exit code and output.',
  schema,
  async execute(args, context) {
    const requestedMs =
      args.timeout_seconds !== undefined && args.timeout_seconds > 0
        ? args.timeout_seconds * 1000
        : undefined;
    const timeoutMs = Math.min(requestedMs ?? context.commandTimeoutMs, context.commandTimeoutMs);
    const result = await context.sandbox.exec(args.command, {
      timeoutMs,
      outputLimitBytes: Math.max(context.maxOutputChars * 8, 1024 * 1024),
      signal: context.signal,
    });
    const combined = [result.stdout, result.stderr]
      .filter((part) => part.length > 0)
      .join(result.stdout.endsWith('\n') || result.stdout === '' ? '' : '\n');
    const shown = truncateOutput(combined, context.maxOutputChars);
    const status = result.timedOut
      ? `Command timed out after ${Math.round(timeoutMs / 1000)} s and was killed.`
      : result.exitCode === null
        ? `Command was killed by signal ${result.signal ?? 'unknown'}.`
        : `Exit code: ${result.exitCode}`;
    const limitNotice = result.outputTruncated ? '\n[output limit reached; the rest was dropped]' : '';
    return toolSuccess(
      `${status}\n${shown.text === '' ? '(no output)' : shown.text}${limitNotice}`,
      {
        exitCode: result.exitCode,
        signal: result.signal,
        timedOut: result.timedOut,
        durationMs: result.durationMs,
        timeoutMs,
      },
      shown.truncated || result.outputTruncated,
    );
  },
};
