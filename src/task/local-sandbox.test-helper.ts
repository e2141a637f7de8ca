import { execa } from 'execa';
import type { Sandbox, SandboxExecOptions, SandboxExecResult } from '../sandbox/types.ts';

/** Test double of {@link Sandbox}: runs `bash -lc` directly in the workspace, with no isolation. */
export function createLocalSandbox(workspaceDir: string): Sandbox {
  return {
    backend: 'none',
    workspaceDir,
    async exec(command: string, options: SandboxExecOptions = {}): Promise<SandboxExecResult> {
      const started = performance.now();
      const result = await execa('bash', ['-lc', command], {
        cwd: options.cwd ? `${workspaceDir}/${options.cwd}` : workspaceDir,
        timeout: options.timeoutMs,
        env: options.env,
        input: options.stdin ?? '',
        reject: false,
        killSignal: 'SIGKILL',
      });
      return {
        exitCode: result.exitCode ?? null,
        signal: result.signal ?? null,
        stdout: result.stdout,
        stderr: result.stderr,
        timedOut: result.timedOut,
        outputTruncated: false,
        durationMs: performance.now() - started,
      };
    },
    async dispose() {},
  };
}
