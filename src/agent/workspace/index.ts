export { type CreateWorkspaceOptions, createWorkspace, type Workspace } from './create-workspace.ts';
export { buildTemplate, getCachedTemplate, type WorkspaceTemplate } from './workspace-template.ts';
