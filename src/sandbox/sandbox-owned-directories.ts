import path from 'node:path';

/**
 * Directories whose every entry already belongs to the sandbox user (an overlay workspace whose lower layer was
 * handed over once per template, see src/workspace/workspace-overlay.ts). handOverToSandboxUser skips them: a
 * recursive chown there would copy every file of the lower layer up into the attempt's upper layer.
 */
const owned = new Set<string>();

/** Records that `directory` (an absolute, real path) is owned by the sandbox user throughout. */
export function rememberOwnedBySandboxUser(directory: string): void {
  owned.add(path.resolve(directory));
}

/** Forgets `directory` (when it is unmounted or removed). */
export function forgetOwnedBySandboxUser(directory: string): void {
  owned.delete(path.resolve(directory));
}

/** Whether `directory` was recorded by {@link rememberOwnedBySandboxUser}. */
export function isOwnedBySandboxUser(directory: string): boolean {
  return owned.has(path.resolve(directory));
}
