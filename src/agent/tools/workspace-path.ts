export { type WorkspaceEntryKind, WorkspacePathError, WorkspaceRoot } from '../../sandbox/index.ts';
