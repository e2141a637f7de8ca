import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { escapedCwdResult } from './escaped-cwd-result.ts';
import { fallbackAddressSpaceBytes, ulimitScript } from './limits.ts';
import { runProcess } from './run-process.ts';
import { buildSandboxEnvironment } from './sandbox-environment.ts';
import type { Toolchains } from './toolchain-paths.ts';
import type { Sandbox, SandboxExecOptions, SandboxExecResult, SandboxLimits } from './types.ts';
import { resolveInsideWorkspace } from './workspace-path.ts';

/**
 * Backend 'none': commands run directly on the host, with NO filesystem or network isolation. It still
 * gives them a clean environment, a private HOME, rlimits, the timeout, the output cap and the
 * process-group kill. limits.memoryBytes is NOT enforced: only a generous RLIMIT_AS backstop
 * (fallbackAddressSpaceBytes). Only ever used when asked for explicitly.
 */
export class UnconfinedSandbox implements Sandbox {
  readonly backend = 'none' as const;

  private constructor(
    readonly workspaceDir: string,
    private readonly home: string,
    private readonly limits: SandboxLimits,
    private readonly toolchains: Toolchains,
    private readonly env: Record<string, string> | undefined,
  ) {}

  /** Creates the sandbox and its private HOME directory. */
  static async create(
    workspaceDir: string,
    limits: SandboxLimits,
    toolchains: Toolchains,
    env: Record<string, string> | undefined,
  ): Promise<UnconfinedSandbox> {
    const home = await mkdtemp(path.join(os.tmpdir(), 'shakedown-home-'));
    return new UnconfinedSandbox(workspaceDir, home, limits, toolchains, env);
  }

  exec(command: string, options: SandboxExecOptions = {}): Promise<SandboxExecResult> {
    const cwd = resolveInsideWorkspace(this.workspaceDir, options.cwd);
    if (cwd === undefined) return Promise.resolve(escapedCwdResult(options.cwd));
    return runProcess(
      [
        '/bin/bash',
        '-c',
        `${ulimitScript(this.limits, fallbackAddressSpaceBytes(this.limits.memoryBytes))}; exec /bin/bash -c "$1"`,
        'shakedown-sandbox',
        command,
      ],
      {
        env: buildSandboxEnvironment(this.home, this.toolchains, this.env, options.env),
        cwd,
        timeoutMs: options.timeoutMs,
        outputLimitBytes: options.outputLimitBytes,
        stdin: options.stdin,
        signal: options.signal,
      },
    );
  }

  async dispose(): Promise<void> {
    await rm(this.home, { recursive: true, force: true });
  }
}
