export { type CreateWorkspaceOptions, createWorkspace, type Workspace } from './create-workspace.ts';
export {
  mountOverlayWorkspace,
  type OverlayWorkspace,
  overlayUnavailableReason,
  removeWorkspaceDirectory,
} from './workspace-overlay.ts';
export {
  createWorkspacePools,
  defaultWorkspacePoolSize,
  type WorkspaceAcquireSource,
  WorkspacePool,
  type WorkspacePoolOptions,
  type WorkspacePools,
} from './workspace-pool.ts';
export { buildTemplate, getCachedTemplate, type WorkspaceTemplate } from './workspace-template.ts';
