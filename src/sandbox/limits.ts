import type { SandboxLimits } from './types.ts';

/** Limits applied when the caller does not set them. */
export const DEFAULT_LIMITS: SandboxLimits = {
  cpuSeconds: 900,
  memoryBytes: 8 * 1024 ** 3,
  fileSizeBytes: 1024 ** 3,
  processes: 1024,
  network: false,
};

/** Fills in the defaults and rejects nonsense values early. */
export function resolveLimits(limits: Partial<SandboxLimits> | undefined): SandboxLimits {
  const resolved = { ...DEFAULT_LIMITS, ...limits };
  for (const key of ['cpuSeconds', 'memoryBytes', 'fileSizeBytes', 'processes'] as const) {
    const value = resolved[key];
    if (!Number.isFinite(value) || value <= 0) {
      throw new Error(`sandbox limit ${key} must be a positive number, got ${value}`);
    }
  }
  return resolved;
}

/**
 * Bash `ulimit` commands (hard and soft) for CPU seconds, address space, file size and processes.
 * Run inside the sandbox, after the user namespace exists, so RLIMIT_NPROC counts only the sandbox's
 * processes for a non-root host user (root is exempt from RLIMIT_NPROC: see pids-cgroup.ts).
 */
export function ulimitScript(limits: SandboxLimits): string {
  const kibibytes = (bytes: number) => Math.max(1, Math.floor(bytes / 1024));
  // A limit the host already set lower cannot be raised: keep the lower one (hence `2>/dev/null;`).
  return [
    `ulimit -t ${Math.ceil(limits.cpuSeconds)}`,
    `ulimit -v ${kibibytes(limits.memoryBytes)}`,
    // bash counts -f in 1024-byte blocks.
    `ulimit -f ${kibibytes(limits.fileSizeBytes)}`,
    `ulimit -u ${Math.floor(limits.processes)}`,
  ]
    .map((command) => `${command} 2>/dev/null`)
    .join('; ');
}
