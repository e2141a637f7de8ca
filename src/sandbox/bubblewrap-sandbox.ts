import { buildBubblewrapArguments } from './bubblewrap-arguments.ts';
import { escapedCwdResult } from './escaped-cwd-result.ts';
import { createPidsCgroup, findPidsCgroupParent, type PidsCgroup } from './pids-cgroup.ts';
import { runProcess } from './run-process.ts';
import { buildSandboxEnvironment, SANDBOX_HOME } from './sandbox-environment.ts';
import type { Toolchains } from './toolchain-paths.ts';
import type { Sandbox, SandboxExecOptions, SandboxExecResult, SandboxLimits } from './types.ts';
import { resolveInsideWorkspace } from './workspace-path.ts';

/** Settings of a bubblewrap sandbox, resolved by createSandbox. */
export interface BubblewrapSandboxSettings {
  bwrapPath: string;
  workspaceDir: string;
  limits: SandboxLimits;
  readOnlyPaths: string[];
  toolchains: Toolchains;
  env?: Record<string, string>;
  onWarning?: (message: string) => void;
}

/**
 * Runs each command in a fresh bwrap sandbox (see buildBubblewrapArguments). The process limit is a
 * pids cgroup when shakedown runs as root (RLIMIT_NPROC does not bind uid 0) and RLIMIT_NPROC otherwise.
 */
export class BubblewrapSandbox implements Sandbox {
  readonly backend = 'bubblewrap' as const;
  readonly workspaceDir: string;
  private readonly pidsCgroupParent: string | undefined;

  constructor(private readonly settings: BubblewrapSandboxSettings) {
    this.workspaceDir = settings.workspaceDir;
    const isRoot = process.getuid?.() === 0;
    this.pidsCgroupParent = isRoot ? findPidsCgroupParent() : undefined;
    if (isRoot && !this.pidsCgroupParent) {
      settings.onWarning?.(
        'running as root without a writable pids cgroup: the sandbox process limit (fork-bomb guard) is not enforced; ' +
          'run shakedown as a normal user or give it a writable /sys/fs/cgroup',
      );
    }
  }

  async exec(command: string, options: SandboxExecOptions = {}): Promise<SandboxExecResult> {
    const cwd = resolveInsideWorkspace(this.workspaceDir, options.cwd);
    if (cwd === undefined) return escapedCwdResult(options.cwd);
    const bwrapArguments = buildBubblewrapArguments({
      workspaceDir: this.workspaceDir,
      cwd,
      limits: this.settings.limits,
      readOnlyPaths: this.settings.readOnlyPaths,
      env: buildSandboxEnvironment(SANDBOX_HOME, this.settings.toolchains, this.settings.env, options.env),
      command,
    });

    let cgroup: PidsCgroup | undefined;
    let argv = [this.settings.bwrapPath, ...bwrapArguments];
    if (this.pidsCgroupParent) {
      cgroup = createPidsCgroup(this.pidsCgroupParent, this.settings.limits.processes);
      // The wrapper moves itself into the cgroup before exec'ing bwrap, so every descendant is counted.
      argv = [
        '/bin/sh',
        '-c',
        'echo $$ > "$1" && shift && exec "$@"',
        'shakedown-cgroup',
        cgroup.processesFile,
        ...argv,
      ];
    }
    try {
      return await runProcess(argv, {
        env: { PATH: '/usr/bin:/bin' },
        timeoutMs: options.timeoutMs,
        outputLimitBytes: options.outputLimitBytes,
        stdin: options.stdin,
        signal: options.signal,
      });
    } finally {
      await cgroup?.remove();
    }
  }

  async dispose(): Promise<void> {
    // Nothing outlives a command: each exec's namespaces die with it.
  }
}
