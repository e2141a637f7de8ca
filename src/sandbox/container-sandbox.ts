import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { buildContainerRunArguments, containerEnvironment } from './container-arguments.ts';
import { containerCliEnvironment } from './detect-sandbox-support.ts';
import { DiskQuotaCheck, watchDiskQuota } from './disk-quota.ts';
import { escapedCwdResult } from './escaped-cwd-result.ts';
import { handOverToSandboxUser, SANDBOX_HOST_ID } from './host-user.ts';
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
 * the container running in the engine). Commands never run as root: as the current user, or as host `nobody`
 * (SANDBOX_HOST_ID, given the workspace) when shakedown is root; rootless podman keeps the id (`keep-id`).
 * The workspace's disk quota is watched as for bubblewrap (a command over it is killed, `diskQuotaExceeded`).
 */
export class ContainerSandbox implements Sandbox {
  readonly backend: 'docker' | 'podman';
  readonly workspaceDir: string;
  private handedOver: Promise<void> | undefined;
  private readonly diskQuotaCheck: DiskQuotaCheck;

  constructor(private readonly settings: ContainerSandboxSettings) {
    this.backend = settings.backend;
    this.workspaceDir = settings.workspaceDir;
    this.diskQuotaCheck = new DiskQuotaCheck(settings.workspaceDir, settings.limits.diskBytes);
  }

  async exec(command: string, options: SandboxExecOptions = {}): Promise<SandboxExecResult> {
    const cwd = resolveInsideWorkspace(this.workspaceDir, options.cwd);
    if (cwd === undefined) return escapedCwdResult(options.cwd);
    const isRoot = process.getuid?.() === 0;
    if (isRoot) {
      this.handedOver ??= handOverToSandboxUser(this.workspaceDir);
      await this.handedOver;
    }
    const user = isRoot
      ? { uid: SANDBOX_HOST_ID, gid: SANDBOX_HOST_ID }
      : { uid: process.getuid?.() ?? SANDBOX_HOST_ID, gid: process.getgid?.() ?? SANDBOX_HOST_ID };
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
      user,
      userns: this.backend === 'podman' && !isRoot ? 'keep-id' : undefined,
    });
    const stop = new AbortController();
    const quota = this.settings.limits.diskBytes;
    let diskQuotaExceeded = false;
    const diskWatch = watchDiskQuota(this.diskQuotaCheck, () => {
      diskQuotaExceeded = true;
      stop.abort();
    });
    const result = await runProcess([this.settings.cliPath, ...argv], {
      env: cliEnvironment,
      timeoutMs: options.timeoutMs,
      outputLimitBytes: options.outputLimitBytes,
      stdin: options.stdin,
      signal: options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal,
      onKill: () => {
        const killer = spawn(this.settings.cliPath, ['kill', name], { env: cliEnvironment, stdio: 'ignore' });
        killer.on('error', () => {});
      },
    });
    await diskWatch.stop();
    const usedBytes = await this.diskQuotaCheck.usageIfNearQuota().catch(() => undefined);
    if (diskQuotaExceeded || (usedBytes !== undefined && usedBytes > quota)) {
      result.diskQuotaExceeded = true;
      result.stderr +=
        `${result.stderr && !result.stderr.endsWith('\n') ? '\n' : ''}` +
        `shakedown: the workspace uses ${usedBytes ?? quota} bytes, over its disk quota of ${quota} bytes` +
        `${diskQuotaExceeded ? '; the command was stopped' : ''}. Delete files to go on.\n`;
    }
    return result;
  }

  async dispose(): Promise<void> {
    // Containers are started with --rm per command; nothing is left to clean.
  }
}
