import { realpathSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import {
  type BubblewrapFeatures,
  bubblewrapFeatures,
  buildBubblewrapArguments,
} from './bubblewrap-arguments.ts';
import {
  type CgroupParents,
  type CommandCgroup,
  createCommandCgroup,
  findCgroupParents,
} from './command-cgroup.ts';
import { DiskQuotaCheck, watchDiskQuota } from './disk-quota.ts';
import { escapedCwdResult } from './escaped-cwd-result.ts';
import {
  handOverToSandboxUser,
  probeHostUserDrop,
  reachableByOthers,
  SANDBOX_HOST_ID,
  type StagedMount,
  type StagingNamespace,
  startStagingNamespace,
} from './host-user.ts';
import { fallbackAddressSpaceBytes, limitsScript } from './limits.ts';
import { SANDBOX_EXEC_SERVER_FILE, SANDBOX_LIMITS_FILE, sandboxGroup, sandboxPasswd } from './minimal-etc.ts';
import { DEFAULT_OUTPUT_LIMIT_BYTES } from './run-process.ts';
import { buildSandboxEnvironment, SANDBOX_HOME } from './sandbox-environment.ts';
import { isSandboxInfrastructureError } from './sandbox-infrastructure-error.ts';
import { type ExecServerLaunch, SandboxSession, START_FDS } from './sandbox-session.ts';
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
  /** Where the sandbox's cgroups go (default: findCgroupParents(); `{}` forces the no-cgroup fallback). */
  cgroupParents?: CgroupParents;
}

/** What every command of a sandbox shares, prepared before its first command. */
interface PreparedSandbox {
  /** Private directory holding the generated /etc files and the staging mount points. */
  stageDir: string;
  etcFiles: { passwd: string; group: string; limits: string; execServer: string };
  features: BubblewrapFeatures;
  /** The sandbox's cgroups (one set for all its commands), or undefined where the host has none. */
  cgroup?: CommandCgroup;
  /** Host user bwrap runs as when shakedown is root and no staging is needed (see host-user.ts). */
  user?: { uid: number; gid: number };
  /** The mount namespace bwrap is started in when something had to be staged (see host-user.ts). */
  staging?: StagingNamespace;
  staged?: Record<string, string>;
}

/** The exec server a sandbox session runs in its bwrap (copied into the stage directory, bound read-only). */
const EXEC_SERVER_SCRIPT = fileURLToPath(new URL('./exec-server/exec-server.mjs', import.meta.url));
/** V8 heap of the exec server: it holds a few buffers of output at a time. */
const EXEC_SERVER_HEAP_MB = 32;

/** How often a command's memory cgroup is checked for an OOM kill (cgroup v1 has no memory.oom.group). */
const OOM_POLL_MS = 100;

/**
 * Runs every command of the sandbox in ONE bwrap (see buildBubblewrapArguments), started at the first command and
 * ended by `dispose`, inside the sandbox's cgroups where the host allows them (see command-cgroup.ts). That bwrap
 * (preceded by nsenter only when paths had to be staged; it waits until its sandbox process is in the cgroups)
 * runs a small exec server (sandbox-session.ts, exec-server/exec-server.mjs) that starts one bash per command, in a
 * process group of its own, which runs the rlimits script through BASH_ENV, so rlimits stay per command. /tmp and
 * background processes live as long as the sandbox (one attempt), as in a container per attempt; a command's
 * process group is killed on timeout, abort or output overflow; `dispose` ends the PID namespace and the cgroups.
 * A server that dies or answers garbage makes exec throw a SandboxInfrastructureError (one-line reason; not a
 * command failure), and the next exec starts a fresh one.
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
 * - OOM: one OOM kill ends the whole command (memory.oom.group on v2; on v1 the cgroup is watched and killed),
 *   and with it whatever other command of the sandbox runs at that moment.
 * - disk: the workspace's usage is watched during each command and checked after it (disk-quota.ts: walked
 *   only when its filesystem grew enough to matter); over limits.diskBytes the command is killed and
 *   reported as `diskQuotaExceeded`.
 */
export class BubblewrapSandbox implements Sandbox {
  readonly backend = 'bubblewrap' as const;
  readonly workspaceDir: string;
  private readonly cgroupParents: CgroupParents;
  private cgroupWarned = false;
  private prepared: Promise<PreparedSandbox> | undefined;
  private readonly diskQuotaCheck: DiskQuotaCheck;
  private readonly session = new SandboxSession(() => this.launchServer());

  constructor(private readonly settings: BubblewrapSandboxSettings) {
    this.workspaceDir = settings.workspaceDir;
    this.diskQuotaCheck = new DiskQuotaCheck(settings.workspaceDir, settings.limits.diskBytes);
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

  /** The sandbox's cgroups, or undefined (warning once) when they cannot be created. */
  private createCgroup(): CommandCgroup | undefined {
    try {
      return createCommandCgroup(this.cgroupParents, this.settings.limits);
    } catch (error) {
      this.warnNoMemoryCgroup(`cannot create the sandbox's cgroup (${(error as Error).message})`);
      return undefined;
    }
  }

  /**
   * Stages /etc/passwd, /etc/group and the limits script, creates the sandbox's cgroups and, as root, prepares the
   * drop to an unprivileged host user (once).
   */
  private prepare(): Promise<PreparedSandbox> {
    this.prepared ??= this.prepareOnce();
    return this.prepared;
  }

  /** Prepares the sandbox; on failure removes whatever it made. */
  private async prepareOnce(): Promise<PreparedSandbox> {
    const stageDir = await mkdtemp(path.join(os.tmpdir(), 'shakedown-sandbox-'));
    let cgroup: CommandCgroup | undefined;
    try {
      cgroup = this.createCgroup();
      return await this.prepareIn(stageDir, cgroup);
    } catch (error) {
      // Nothing of a sandbox that could not be prepared stays behind.
      await cgroup?.remove();
      await rm(stageDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The preparation itself, in the private `stageDir`, with the sandbox's cgroups (if any). */
  private async prepareIn(stageDir: string, cgroup: CommandCgroup | undefined): Promise<PreparedSandbox> {
    await chmod(stageDir, 0o755);
    const etcFiles = {
      passwd: path.join(stageDir, 'passwd'),
      group: path.join(stageDir, 'group'),
      limits: path.join(stageDir, 'limits.sh'),
      execServer: path.join(stageDir, 'exec-server.mjs'),
    };
    const limits = this.settings.limits;
    const addressSpaceBytes = cgroup?.limitsMemory
      ? undefined
      : fallbackAddressSpaceBytes(limits.memoryBytes);
    await writeFile(etcFiles.passwd, sandboxPasswd(), { mode: 0o644 });
    await writeFile(etcFiles.group, sandboxGroup(), { mode: 0o644 });
    await writeFile(etcFiles.limits, limitsScript(limits, addressSpaceBytes), { mode: 0o644 });
    await copyFile(EXEC_SERVER_SCRIPT, etcFiles.execServer);
    await chmod(etcFiles.execServer, 0o644);
    const features = await detectFeatures(this.settings.bwrapPath);
    if (process.getuid?.() !== 0) return { stageDir, etcFiles, features, cgroup };
    const why = await probeHostUserDrop(this.settings.bwrapPath);
    if (why !== undefined) {
      this.settings.onWarning?.(
        `the sandbox runs as host root: ${why}. Fix: allow unprivileged user namespaces ` +
          '(sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces > 0) and install util-linux',
      );
      return { stageDir, etcFiles, features, cgroup };
    }
    // Only what nobody cannot reach (under /root, say) is staged, in one mount namespace for the sandbox's life.
    const mounts: StagedMount[] = [this.workspaceDir, ...this.settings.readOnlyPaths]
      .filter((source) => !reachableByOthers(source))
      .map((source, index) => ({ source, staged: path.join(stageDir, `mount-${index}`) }));
    for (const mount of mounts) await mkdir(mount.staged);
    await handOverToSandboxUser(this.workspaceDir);
    const staged = Object.fromEntries(mounts.map((mount) => [mount.source, mount.staged]));
    if (mounts.length === 0) {
      return { stageDir, etcFiles, features, cgroup, user: { uid: SANDBOX_HOST_ID, gid: SANDBOX_HOST_ID } };
    }
    return { stageDir, etcFiles, features, cgroup, staging: await startStagingNamespace(mounts), staged };
  }

  async exec(command: string, options: SandboxExecOptions = {}): Promise<SandboxExecResult> {
    const cwd = resolveInsideWorkspace(this.workspaceDir, options.cwd);
    if (cwd === undefined) return escapedCwdResult(options.cwd);
    const started = performance.now();
    const prepared = await this.prepare();
    const cgroup = prepared.cgroup;
    const limits = this.settings.limits;
    const oomKillsBefore = cgroup?.limitsMemory ? cgroup.oomKills() : 0;
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    const oomWatch = cgroup?.limitsMemory
      ? setInterval(() => {
          if (cgroup.oomKills() > oomKillsBefore) {
            cgroup.killAll();
            stop.abort();
          }
        }, OOM_POLL_MS)
      : undefined;
    let diskQuotaExceeded = false;
    const diskWatch = watchDiskQuota(this.diskQuotaCheck, () => {
      diskQuotaExceeded = true;
      cgroup?.killAll();
      stop.abort();
    });
    try {
      // --- sandbox-session: one exec server per sandbox instead of one bwrap per command ---
      let result: SandboxExecResult;
      try {
        result = await this.session.exec({
          command,
          cwd,
          env: {
            ...buildSandboxEnvironment(
              SANDBOX_HOME,
              this.settings.toolchains,
              this.settings.env,
              options.env,
            ),
            BASH_ENV: SANDBOX_LIMITS_FILE,
          },
          stdin: options.stdin,
          timeoutMs: options.timeoutMs,
          outputLimitBytes: options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES,
          signal,
        });
      } catch (error) {
        // The server went down with the command: an OOM kill or the quota's kill is the command's outcome (the next
        // exec starts a fresh server); anything else is the sandbox's own failure.
        const outOfMemory = cgroup?.limitsMemory === true && cgroup.oomKills() > oomKillsBefore;
        if (!isSandboxInfrastructureError(error) || !(outOfMemory || diskQuotaExceeded)) throw error;
        result = killedResult(Math.round(performance.now() - started));
      }
      // --- end sandbox-session ---
      if (oomWatch) clearInterval(oomWatch);
      const watched = await diskWatch.stop();
      const killedByHost =
        diskQuotaExceeded || (cgroup?.limitsMemory === true && cgroup.oomKills() > oomKillsBefore);
      if (killedByHost) {
        await this.session.restart(
          "shakedown: the sandbox's processes were killed after the last command (out of memory or over the disk " +
            'quota); its background processes and /tmp are gone, and this command runs in a fresh sandbox\n',
        );
      }
      const usedBytes = await this.diskQuotaCheck.usageIfNearQuota().catch(() => undefined);
      if (diskQuotaExceeded || (usedBytes !== undefined && usedBytes > limits.diskBytes)) {
        result.diskQuotaExceeded = true;
        result.stderr +=
          `${result.stderr && !result.stderr.endsWith('\n') ? '\n' : ''}` +
          `shakedown: the workspace uses ${formatBytes(usedBytes ?? watched ?? limits.diskBytes)}, over its disk ` +
          `quota of ${formatBytes(limits.diskBytes)}${diskQuotaExceeded ? '; the command was stopped' : ''}. ` +
          'Delete files to go on.\n';
      }
      if (cgroup?.limitsMemory) {
        result.outOfMemory = cgroup.oomKills() > oomKillsBefore;
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
    }
  }

  warm(): void {
    this.session.warm();
  }

  /** The bwrap command line of the sandbox's exec server (sandbox-session.ts), prepared at `warm` or the first exec. */
  private async launchServer(): Promise<ExecServerLaunch> {
    const prepared = await this.prepare();
    const bwrapArguments = buildBubblewrapArguments({
      workspaceDir: this.workspaceDir,
      cwd: this.workspaceDir,
      limits: this.settings.limits,
      readOnlyPaths: this.settings.readOnlyPaths,
      env: { PATH: '/usr/bin:/bin' },
      command: '',
      program: [
        realpathSync(process.execPath),
        `--max-old-space-size=${EXEC_SERVER_HEAP_MB}`,
        '--v8-pool-size=1',
        SANDBOX_EXEC_SERVER_FILE,
      ],
      etcFiles: prepared.etcFiles,
      staged: prepared.staged,
      features: prepared.features,
      startFds: START_FDS,
    });
    const cgroup = prepared.cgroup;
    return {
      argv: [...(prepared.staging?.prefix ?? []), this.settings.bwrapPath, ...bwrapArguments],
      user: prepared.user,
      join: cgroup ? (pid) => cgroup.join(pid) : undefined,
    };
  }

  async dispose(): Promise<void> {
    // The exec server goes first, and with it the sandbox's PID namespace (every process its commands left behind);
    // then the staging namespace, the cgroups (cgroup.kill: nothing survives) and the staged files.
    await this.session.dispose();
    const prepared = await this.prepared?.catch(() => undefined);
    if (!prepared) return;
    prepared.staging?.stop();
    await prepared.cgroup?.remove();
    await rm(prepared.stageDir, { recursive: true, force: true });
  }
}

const featuresByPath = new Map<string, Promise<BubblewrapFeatures>>();

/**
 * Runs the once-per-process probes of the first sandbox (`bwrap --help`; as root, whether bwrap can drop to the
 * sandbox user; where the cgroups can go) in the background, so that the first attempts' sandboxes do not wait
 * for them. Their outcome is memoized as before: a failure surfaces when a sandbox is prepared.
 */
export function warmBubblewrapProbes(bwrapPath: string): void {
  setImmediate(findCgroupParents);
  detectFeatures(bwrapPath).catch(() => undefined);
  if (process.getuid?.() === 0) probeHostUserDrop(bwrapPath).catch(() => undefined);
}

/** The options a bwrap binary knows, asked once per process. */
function detectFeatures(bwrapPath: string): Promise<BubblewrapFeatures> {
  let features = featuresByPath.get(bwrapPath);
  if (!features) {
    features = execa(bwrapPath, ['--help'], { reject: false }).then((help) =>
      bubblewrapFeatures(`${help.stdout}\n${help.stderr}`),
    );
    featuresByPath.set(bwrapPath, features);
  }
  return features;
}

/** The result of a command the sandbox killed together with its exec server (OOM kill, disk quota). */
function killedResult(durationMs: number): SandboxExecResult {
  return {
    exitCode: null,
    signal: 'SIGKILL',
    stdout: '',
    stderr: '',
    timedOut: false,
    outputTruncated: false,
    durationMs,
  };
}

function formatBytes(bytes: number): string {
  const mebibytes = bytes / 1024 ** 2;
  return mebibytes >= 1024 ? `${+(mebibytes / 1024).toFixed(2)} GiB` : `${+mebibytes.toFixed(1)} MiB`;
}
