/** The isolation boundary every command of an attempt (agent commands, setup, tests) runs inside. */

export type SandboxBackend = 'bubblewrap' | 'docker' | 'podman' | 'none';

export interface SandboxLimits {
  /** CPU seconds per command (RLIMIT_CPU). */
  cpuSeconds: number;
  /**
   * Memory limit in bytes. bubblewrap: one memory cgroup per sandbox (`memory.max`, swap off; the commands running
   * at once share it) when the host allows one, the kernel OOM-killing the command beyond it (reported as
   * `outOfMemory`); otherwise, and for
   * backend 'none', only a generous RLIMIT_AS backstop (see fallbackAddressSpaceBytes). docker/podman:
   * `--memory`.
   */
  memoryBytes: number;
  /** Largest file a command may write, in bytes (RLIMIT_FSIZE). */
  fileSizeBytes: number;
  /**
   * Disk quota of the workspace, in bytes (allocated blocks, `du`). bubblewrap: the workspace's usage is
   * measured while each command runs and checked after it (walked again only when its filesystem grew enough to
   * reach the quota, see DiskQuotaCheck); a command taking it over the quota is killed and its result
   * says `diskQuotaExceeded`. The sandbox's /tmp is a tmpfs of this size. docker/podman: `--tmpfs` size only.
   */
  diskBytes: number;
  /** Most processes/threads at once (fork-bomb guard). */
  processes: number;
  /** Allow network access (off by default). */
  network: boolean;
}

export interface SandboxExecOptions {
  /** Working directory relative to the workspace root (default: the root). */
  cwd?: string;
  /** Wall-clock timeout; the whole process group is killed when it expires. */
  timeoutMs?: number;
  /** Cap on captured stdout+stderr bytes; the rest is dropped and `outputTruncated` is set. */
  outputLimitBytes?: number;
  env?: Record<string, string>;
  stdin?: string;
  signal?: AbortSignal;
}

export interface SandboxExecResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  outputTruncated: boolean;
  durationMs: number;
  /**
   * True when the kernel OOM-killed a process of the command because it exceeded limits.memoryBytes
   * (a note is then appended to stderr). Set only where a memory cgroup enforces the limit (bubblewrap
   * with a usable memory controller); absent elsewhere.
   */
  outOfMemory?: boolean;
  /**
   * True when the workspace grew past limits.diskBytes during or by the command (bubblewrap); the command was
   * killed if still running, and a note is appended to stderr.
   */
  diskQuotaExceeded?: boolean;
}

export interface Sandbox {
  readonly backend: SandboxBackend;
  /** Absolute host path of the workspace (mounted read-write; the only writable place besides a private /tmp). */
  readonly workspaceDir: string;
  /**
   * Runs `command` through `bash -c` inside the sandbox (not a login shell: /etc/profile would reset PATH).
   * Never throws for a failing command: the outcome is in exitCode/signal/timedOut.
   */
  exec(command: string, options?: SandboxExecOptions): Promise<SandboxExecResult>;
  /**
   * Starts what the first command would start (bubblewrap: the sandbox and its exec server) in the background, so
   * that the first command does not wait for it, e.g. while the agent's first model request is out. Never throws:
   * a failure to start surfaces at the first command, as without it. Optional: backends with nothing to start lack it.
   */
  warm?(): void;
  dispose(): Promise<void>;
}

export interface SandboxOptions {
  backend?: SandboxBackend | 'auto';
  limits?: Partial<SandboxLimits>;
  /** Container image for docker/podman. */
  image?: string;
  /** Extra read-only host paths to expose (e.g. a toolchain outside /usr). */
  readOnlyPaths?: string[];
  /** Environment added to every command of this sandbox (before the per-exec `env`). */
  env?: Record<string, string>;
  /** Receives warnings (backend 'none' chosen, a limit that cannot be enforced on this host...). */
  onWarning?: (message: string) => void;
}

/** Whether a backend can run on this host, and if not why and how to fix it. */
export interface SandboxSupport {
  backend: Exclude<SandboxBackend, 'none'>;
  available: boolean;
  /** Why the backend cannot run (absent when available). */
  reason?: string;
  /** A concrete fix the user can apply (absent when available). */
  fix?: string;
}
