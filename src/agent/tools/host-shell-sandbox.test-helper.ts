import { execa } from 'execa';
import type { Sandbox, SandboxExecOptions, SandboxExecResult } from '../../sandbox/types.ts';

/**
 * TEST DOUBLE ONLY: a `Sandbox` that runs commands with `bash -lc` directly on the host, with no isolation.
 * Used by tool tests while the real sandbox lives in src/sandbox.
 */
export function createHostShellSandbox(workspaceDir: string): Sandbox {
  return {
    backend: 'none',
    workspaceDir,
    async exec(command: string, options: SandboxExecOptions = {}): Promise<SandboxExecResult> {
      const started = performance.now();
      const result = await execa('bash', ['-lc', command], {
        cwd: options.cwd ? `${workspaceDir}/${options.cwd}` : workspaceDir,
        env: options.env,
        input: options.stdin,
        timeout: options.timeoutMs,
        cancelSignal: options.signal,
        reject: false,
        stripFinalNewline: false,
        killSignal: 'SIGKILL',
      });
      const limit = options.outputLimitBytes ?? Number.POSITIVE_INFINITY;
      const stdout = String(result.stdout ?? '');
      const stderr = String(result.stderr ?? '');
      return {
        exitCode: result.exitCode ?? null,
        signal: result.signal ?? null,
        stdout: stdout.slice(0, limit),
        stderr: stderr.slice(0, Math.max(0, limit - stdout.length)),
        timedOut: result.timedOut,
        outputTruncated: stdout.length + stderr.length > limit,
        durationMs: performance.now() - started,
      };
    },
    async dispose() {},
  };
}
