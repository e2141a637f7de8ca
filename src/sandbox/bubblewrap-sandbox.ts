import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import {
  type BubblewrapFeatures,
  bubblewrapFeatures,
  buildBubblewrapArguments,
} from './bubblewrap-arguments.ts';
import {
  type CgroupParents,
  type CommandCgroup,
  cgroupWrapper,
  createCommandCgroup,
  findCgroupParents,
} from './command-cgroup.ts';
import { diskUsageBytes, watchDiskQuota } from './disk-quota.ts';
import { escapedCwdResult } from './escaped-cwd-result.ts';
import {
  handOverToSandboxUser,
  hostUserPrefix,
  probeHostUserDrop,
  reachableByOthers,
  type StagedMount,
} from './host-user.ts';
import { fallbackAddressSpaceBytes } from './limits.ts';
import { sandboxGroup, sandboxPasswd } from './minimal-etc.ts';
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

/** What every command of a sandbox shares, prepared before its first command. */
interface PreparedSandbox {
  /** Private directory holding the generated passwd/group and the staging mount points. */
  stageDir: string;
  etcFiles: { passwd: string; group: string };
  features: BubblewrapFeatures;
  /** argv before bwrap (dropping root, see host-user.ts); empty when bwrap runs as the current user. */
  prefix: string[];
  staged?: Record<string, string>;
}

/** How often a command's memory cgroup is checked for an OOM kill (cgroup v1 has no memory.oom.group). */
const OOM_POLL_MS = 100;

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
 * - user: commands run as an unprivileged user (uid 1000 inside). When shakedown is root, bwrap itself runs
 *   as host `nobody` (host-user.ts) and the workspace is given to it, so nothing in the sandbox is host root;
 *   where unprivileged user namespaces are unavailable it warns and maps the sandbox user to root instead.
 * - OOM: one OOM kill ends the whole command (memory.oom.group on v2; on v1 the cgroup is watched and killed).
 * - disk: the workspace's usage is watched during each command (disk-quota.ts); over limits.diskBytes the
 *   command is killed and reported as `diskQuotaExceeded`.
 */
export class BubblewrapSandbox implements Sandbox {
  readonly backend = 'bubblewrap' as const;
  readonly workspaceDir: string;
  private readonly cgroupParents: CgroupParents;
  private cgroupWarned = false;
  private prepared: Promise<PreparedSandbox> | undefined;

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

  /** Stages /etc/passwd and /etc/group and, as root, the drop to an unprivileged host user (once). */
  private prepare(): Promise<PreparedSandbox> {
    this.prepared ??= (async () => {
      const stageDir = await mkdtemp(path.join(os.tmpdir(), 'shakedown-sandbox-'));
      await chmod(stageDir, 0o755);
      const etcFiles = { passwd: path.join(stageDir, 'passwd'), group: path.join(stageDir, 'group') };
      await writeFile(etcFiles.passwd, sandboxPasswd(), { mode: 0o644 });
      await writeFile(etcFiles.group, sandboxGroup(), { mode: 0o644 });
      const help = await execa(this.settings.bwrapPath, ['--help'], { reject: false });
      const features = bubblewrapFeatures(`${help.stdout}\n${help.stderr}`);
      if (process.getuid?.() !== 0) return { stageDir, etcFiles, features, prefix: [] };
      const why = await probeHostUserDrop(this.settings.bwrapPath);
      if (why !== undefined) {
        this.settings.onWarning?.(
          `the sandbox runs as host root: ${why}. Fix: allow unprivileged user namespaces ` +
            '(sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces > 0) and install util-linux',
        );
        return { stageDir, etcFiles, features, prefix: [] };
      }
      // Only what nobody cannot reach (under /root, say) is staged; staging costs a mount namespace per command.
      const mounts: StagedMount[] = [this.workspaceDir, ...this.settings.readOnlyPaths]
        .filter((source) => !reachableByOthers(source))
        .map((source, index) => ({ source, staged: path.join(stageDir, `mount-${index}`) }));
      for (const mount of mounts) await mkdir(mount.staged);
      await handOverToSandboxUser(this.workspaceDir);
      return {
        stageDir,
        etcFiles,
        features,
        prefix: hostUserPrefix(mounts),
        staged: Object.fromEntries(mounts.map((mount) => [mount.source, mount.staged])),
      };
    })();
    return this.prepared;
  }

  async exec(command: string, options: SandboxExecOptions = {}): Promise<SandboxExecResult> {
    const cwd = resolveInsideWorkspace(this.workspaceDir, options.cwd);
    if (cwd === undefined) return escapedCwdResult(options.cwd);
    const prepared = await this.prepare();
    const cgroup = this.createCgroup();
    const limits = this.settings.limits;
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    const oomWatch = cgroup?.limitsMemory
      ? setInterval(() => {
          if (cgroup.outOfMemory()) {
            cgroup.killAll();
            stop.abort();
          }
        }, OOM_POLL_MS)
      : undefined;
    let diskQuotaExceeded = false;
    const diskWatch = watchDiskQuota(this.workspaceDir, limits.diskBytes, () => {
      diskQuotaExceeded = true;
      cgroup?.killAll();
      stop.abort();
    });
    try {
      const bwrapArguments = buildBubblewrapArguments({
        workspaceDir: this.workspaceDir,
        cwd,
        limits,
        addressSpaceBytes: cgroup?.limitsMemory ? undefined : fallbackAddressSpaceBytes(limits.memoryBytes),
        readOnlyPaths: this.settings.readOnlyPaths,
        env: buildSandboxEnvironment(SANDBOX_HOME, this.settings.toolchains, this.settings.env, options.env),
        command,
        etcFiles: prepared.etcFiles,
        staged: prepared.staged,
        features: prepared.features,
      });
      const bwrap = [...prepared.prefix, this.settings.bwrapPath, ...bwrapArguments];
      // The wrapper moves itself into the cgroups before exec'ing bwrap, so every descendant is counted.
      const result = await runProcess(cgroup ? [...cgroupWrapper(cgroup), ...bwrap] : bwrap, {
        env: { PATH: '/usr/bin:/bin' },
        timeoutMs: options.timeoutMs,
        outputLimitBytes: options.outputLimitBytes,
        stdin: options.stdin,
        signal,
      });
      if (oomWatch) clearInterval(oomWatch);
      await diskWatch.stop();
      const usedBytes = await diskUsageBytes(this.workspaceDir).catch(() => undefined);
      if (diskQuotaExceeded || (usedBytes !== undefined && usedBytes > limits.diskBytes)) {
        result.diskQuotaExceeded = true;
        result.stderr +=
          `${result.stderr && !result.stderr.endsWith('\n') ? '\n' : ''}` +
          `shakedown: the workspace uses ${formatBytes(usedBytes ?? limits.diskBytes)}, over its disk quota of ` +
          `${formatBytes(limits.diskBytes)}${diskQuotaExceeded ? '; the command was stopped' : ''}. ` +
          'Delete files to go on.\n';
      }
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
      if (oomWatch) clearInterval(oomWatch);
      await diskWatch.stop();
      await cgroup?.remove();
    }
  }

  async dispose(): Promise<void> {
    // Nothing else outlives a command: each exec's namespaces, staging mounts and cgroups die with it.
    const prepared = await this.prepared?.catch(() => undefined);
    if (prepared) await rm(prepared.stageDir, { recursive: true, force: true });
  }
}

function formatBytes(bytes: number): string {
  const mebibytes = bytes / 1024 ** 2;
  return mebibytes >= 1024 ? `${+(mebibytes / 1024).toFixed(2)} GiB` : `${+mebibytes.toFixed(1)} MiB`;
}
