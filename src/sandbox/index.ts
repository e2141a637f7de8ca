/** Public face of the sandbox module. */
export { buildBubblewrapArguments } from './bubblewrap-arguments.ts';
export { buildContainerRunArguments } from './container-arguments.ts';
export { DEFAULT_CONTAINER_IMAGE } from './container-sandbox.ts';
export { createSandbox } from './create-sandbox.ts';
export { detectSandboxSupport } from './detect-sandbox-support.ts';
export {
  type HostCommandBytesResult,
  type HostCommandOptions,
  type HostCommandResult,
  hostCommandServerPids,
  runHostCommand,
  runHostCommandBytes,
} from './host-command.ts';
export { handOverToSandboxUser, SANDBOX_HOST_ID } from './host-user.ts';
export { isProcessAlive } from './is-process-alive.ts';
export { DEFAULT_LIMITS } from './limits.ts';
export { isSandboxInfrastructureError, SandboxInfrastructureError } from './sandbox-infrastructure-error.ts';
export { forgetOwnedBySandboxUser, rememberOwnedBySandboxUser } from './sandbox-owned-directories.ts';
export type {
  Sandbox,
  SandboxBackend,
  SandboxExecOptions,
  SandboxExecResult,
  SandboxLimits,
  SandboxOptions,
  SandboxSupport,
} from './types.ts';
export { warmHostProcesses } from './warm-host-processes.ts';
export {
  type LinkPolicy,
  type ResolvedEntry,
  type WorkspaceEntry,
  type WorkspaceEntryKind,
  WorkspacePathError,
  WorkspaceRoot,
} from './workspace-root.ts';
