import type { SandboxLimits } from './types.ts';

/** Limits applied when the caller does not set them. */
export const DEFAULT_LIMITS: SandboxLimits = {
  cpuSeconds: 900,
  memoryBytes: 8 * 1024 ** 3,
  fileSizeBytes: 1024 ** 3,
  diskBytes: 10 * 1024 ** 3,
  processes: 1024,
  network: false,
};

/** Fills in the defaults and rejects nonsense values early. */
export function resolveLimits(limits: Partial<SandboxLimits> | undefined): SandboxLimits {
  const resolved = { ...DEFAULT_LIMITS, ...limits };
  for (const key of ['cpuSeconds', 'memoryBytes', 'fileSizeBytes', 'diskBytes', 'processes'] as const) {
    const value = resolved[key];
    if (!Number.isFinite(value) || value <= 0) {
      throw new Error(`sandbox limit ${key} must be a positive number, got ${value}`);
    }
  }
  return resolved;
}

/** Floor of the fallback address-space limit: room for V8's WebAssembly reservations (~10 GiB each). */
const MINIMUM_ADDRESS_SPACE_BYTES = 64 * 1024 ** 3;

/**
 * The RLIMIT_AS used when no memory cgroup can enforce `memoryBytes` (non-root, a locked-down container,
 * backend 'none'): max(4 x memoryBytes, 64 GiB). It is only a runaway backstop, not a memory limit:
 * address space is not memory (V8 reserves ~10 GiB of it per WebAssembly memory, which Node's fetch uses;
 * the JVM and Go reserve big heaps up front), so anything near `memoryBytes` would break Node, Java and Go
 * programs that use little real memory.
 */
export function fallbackAddressSpaceBytes(memoryBytes: number): number {
  return Math.max(4 * memoryBytes, MINIMUM_ADDRESS_SPACE_BYTES);
}

/**
 * Bash `ulimit` commands (hard and soft) for CPU seconds, file size, processes and, when
 * `addressSpaceBytes` is given, address space (see fallbackAddressSpaceBytes; omitted when a memory
 * cgroup enforces limits.memoryBytes, which makes RLIMIT_AS pointless). Run inside the sandbox, after
 * the user namespace exists, so RLIMIT_NPROC counts only the sandbox's processes for a non-root host user
 * (root is exempt from RLIMIT_NPROC: see command-cgroup.ts).
 */
export function ulimitScript(limits: SandboxLimits, addressSpaceBytes?: number): string {
  const kibibytes = (bytes: number) => Math.max(1, Math.floor(bytes / 1024));
  // A limit the host already set lower cannot be raised: keep the lower one (hence `2>/dev/null;`).
  return [
    `ulimit -t ${Math.ceil(limits.cpuSeconds)}`,
    ...(addressSpaceBytes === undefined ? [] : [`ulimit -v ${kibibytes(addressSpaceBytes)}`]),
    // bash counts -f in 1024-byte blocks.
    `ulimit -f ${kibibytes(limits.fileSizeBytes)}`,
    `ulimit -u ${Math.floor(limits.processes)}`,
  ]
    .map((command) => `${command} 2>/dev/null`)
    .join('; ');
}

/**
 * The script bash runs (through BASH_ENV) before a sandboxed command: the rlimits of ulimitScript, then
 * `unset BASH_ENV` so the command and the shells it starts see the environment they were given.
 */
export function limitsScript(limits: SandboxLimits, addressSpaceBytes?: number): string {
  return `${ulimitScript(limits, addressSpaceBytes)}\nunset BASH_ENV\n`;
}
