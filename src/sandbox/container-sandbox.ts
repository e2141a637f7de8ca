import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { buildContainerRunArguments, containerEnvironment } from './container-arguments.ts';
import { containerCliEnvironment } from './detect-sandbox-support.ts';
import { escapedCwdResult } from './escaped-cwd-result.ts';
import { runProcess } from './run-process.ts';
import type { Sandbox, SandboxExecOptions, SandboxExecResult, SandboxLimits } from './types.ts';
import { resolveInsideWorkspace } from './workspace-path.ts';

/** Image used when SandboxOptions.image is not set: has bash, git, node, npm and python3. */
export const DEFAULT_CONTAINER_IMAGE = 'node:20-bookworm';

/** Settings of a docker/podman sandbox, resolved by createSandbox. */
export interface ContainerSandboxSettings {
  backend: 'docker' | 'podman';
  /** Absolute path of the docker or podman CLI. */
  cliPath: string;
  image: string;
  workspaceDir: string;
  limits: SandboxLimits;
  env?: Record<string, string>;
}

/**
 * docker and podman (same CLI surface): one throw-away container per command. A timeout, abort or output
 * overflow kills the CLI's process group AND the container by name (killing the client alone would leave
 * the container running in the engine).
 */
export class ContainerSandbox implements Sandbox {
  readonly backend: 'docker' | 'podman';
  readonly workspaceDir: string;

  constructor(private readonly settings: ContainerSandboxSettings) {
    this.backend = settings.backend;
    this.workspaceDir = settings.workspaceDir;
  }

  exec(command: string, options: SandboxExecOptions = {}): Promise<SandboxExecResult> {
    const cwd = resolveInsideWorkspace(this.workspaceDir, options.cwd);
    if (cwd === undefined) return Promise.resolve(escapedCwdResult(options.cwd));
    const name = `shakedown-${randomBytes(8).toString('hex')}`;
    const cliEnvironment = containerCliEnvironment();
    const argv = buildContainerRunArguments({
      name,
      image: this.settings.image,
      workspaceDir: this.workspaceDir,
      cwd,
      limits: this.settings.limits,
      env: containerEnvironment(this.settings.env, options.env),
      interactive: options.stdin !== undefined,
      command,
    });
    return runProcess([this.settings.cliPath, ...argv], {
      env: cliEnvironment,
      timeoutMs: options.timeoutMs,
      outputLimitBytes: options.outputLimitBytes,
      stdin: options.stdin,
      signal: options.signal,
      onKill: () => {
        const killer = spawn(this.settings.cliPath, ['kill', name], { env: cliEnvironment, stdio: 'ignore' });
        killer.on('error', () => {});
      },
    });
  }

  async dispose(): Promise<void> {
    // Containers are started with --rm per command; nothing is left to clean.
  }
}
