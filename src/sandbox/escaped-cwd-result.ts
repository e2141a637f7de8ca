import type { SandboxExecResult } from './types.ts';

/** The result of a command refused because its `cwd` would leave the workspace (nothing ran). */
export function escapedCwdResult(cwd: string | undefined): SandboxExecResult {
  return {
    exitCode: 126,
    signal: null,
    stdout: '',
    stderr: `cwd ${JSON.stringify(cwd)} is outside the workspace; commands run inside the workspace only`,
    timedOut: false,
    outputTruncated: false,
    durationMs: 0,
  };
}
