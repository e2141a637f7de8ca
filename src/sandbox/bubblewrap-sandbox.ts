import { buildBubblewrapArguments } from './bubblewrap-arguments.ts';
import {
  type CgroupParents,
  type CommandCgroup,
  cgroupWrapper,
  createCommandCgroup,
  findCgroupParents,
} from './command-cgroup.ts';
import { escapedCwdResult } from './escaped-cwd-result.ts';
import { fallbackAddressSpaceBytes } from './limits.ts';
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
  /** Where per-command cgroups go (default: findCgroupParents(); `{}` forces the no-cgroup fallback). */
  cgroupParents?: CgroupParents;
}

/**
 * Runs each command in a fresh bwrap sandbox (see buildBubblewrapArguments), inside per-command cgroups
 * where the host allows them (see command-cgroup.ts):
 * - memory: limits.memoryBytes is a memory cgroup limit (swap off); a command exceeding it is OOM-killed
 *   and its result says `outOfMemory`. RLIMIT_AS is then not set at all: address space is not memory and
 *   limiting it breaks V8/WebAssembly (Node's fetch), the JVM and Go. Without a usable memory controller
 *   (non-root, a locked-down container) the sandbox warns once and falls back to a generous RLIMIT_AS
 *   backstop (fallbackAddressSpaceBytes) that still lets Node run, so memory is then effectively unbounded.
 * - pids: the process limit is a pids cgroup when available (needed as root: RLIMIT_NPROC does not bind
 *   uid 0), RLIMIT_NPROC always.
 */
export class BubblewrapSandbox implements Sandbox {
  readonly backend = 'bubblewrap' as const;
  readonly workspaceDir: string;
  private readonly cgroupParents: CgroupParents;
  private cgroupWarned = false;

  constructor(private readonly settings: BubblewrapSandboxSettings) {
    this.workspaceDir = settings.workspaceDir;
    this.cgroupParents = settings.cgroupParents ?? findCgroupParents();
    const isRoot = process.getuid?.() === 0;
    if (isRoot && !this.cgroupParents.pids) {
      settings.onWarning?.(
        'running as root without a writable pids cgroup: the sandbox process limit (fork-bomb guard) is not enforced; ' +
          'run shakedown as a normal user or give it a writable /sys/fs/cgroup',
      );
    }
    if (!this.cgroupParents.memory) this.warnNoMemoryCgroup('no writable memory cgroup');
  }

  private warnNoMemoryCgroup(why: string): void {
    if (this.cgroupWarned) return;
    this.cgroupWarned = true;
    const backstop = fallbackAddressSpaceBytes(this.settings.limits.memoryBytes) / 1024 ** 3;
    this.settings.onWarning?.(
      `${why}: the sandbox memory limit (${formatBytes(this.settings.limits.memoryBytes)}) is not enforced, ` +
        `only a ${backstop} GiB address-space backstop; run shakedown as root with a writable /sys/fs/cgroup ` +
        '(cgroup v2 with the memory controller enabled, or a v1 memory hierarchy) to enforce it',
    );
  }

  /** The command's cgroups, or undefined (warning once) when they cannot be created. */
  private createCgroup(): CommandCgroup | undefined {
    try {
      return createCommandCgroup(this.cgroupParents, this.settings.limits);
    } catch (error) {
      this.warnNoMemoryCgroup(`cannot create the command's cgroup (${(error as Error).message})`);
      return undefined;
    }
  }

  async exec(command: string, options: SandboxExecOptions = {}): Promise<SandboxExecResult> {
    const cwd = resolveInsideWorkspace(this.workspaceDir, options.cwd);
    if (cwd === undefined) return escapedCwdResult(options.cwd);
    const cgroup = this.createCgroup();
    const limits = this.settings.limits;
    try {
      const bwrapArguments = buildBubblewrapArguments({
        workspaceDir: this.workspaceDir,
        cwd,
        limits,
        addressSpaceBytes: cgroup?.limitsMemory ? undefined : fallbackAddressSpaceBytes(limits.memoryBytes),
        readOnlyPaths: this.settings.readOnlyPaths,
        env: buildSandboxEnvironment(SANDBOX_HOME, this.settings.toolchains, this.settings.env, options.env),
        command,
      });
      const bwrap = [this.settings.bwrapPath, ...bwrapArguments];
      // The wrapper moves itself into the cgroups before exec'ing bwrap, so every descendant is counted.
      const result = await runProcess(cgroup ? [...cgroupWrapper(cgroup), ...bwrap] : bwrap, {
        env: { PATH: '/usr/bin:/bin' },
        timeoutMs: options.timeoutMs,
        outputLimitBytes: options.outputLimitBytes,
        stdin: options.stdin,
        signal: options.signal,
      });
      if (cgroup?.limitsMemory) {
        result.outOfMemory = cgroup.outOfMemory();
        if (result.outOfMemory) {
          result.stderr +=
            `${result.stderr && !result.stderr.endsWith('\n') ? '\n' : ''}` +
            `shakedown: a process was killed: out of memory (sandbox memory limit ${formatBytes(limits.memoryBytes)})\n`;
        }
      }
      return result;
    } finally {
      await cgroup?.remove();
    }
  }

  async dispose(): Promise<void> {
    // Nothing outlives a command: each exec's namespaces and cgroups die with it.
  }
}

function formatBytes(bytes: number): string {
  const mebibytes = bytes / 1024 ** 2;
  return mebibytes >= 1024 ? `${+(mebibytes / 1024).toFixed(2)} GiB` : `${+mebibytes.toFixed(1)} MiB`;
}
