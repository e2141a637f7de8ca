import type { ToolOutput } from '../tool.ts';
import { WorkspacePathError } from './workspace-path.ts';

/** A successful tool output. */
export function toolSuccess(
  content: string,
  metadata: Record<string, unknown> = {},
  truncated = false,
): ToolOutput {
  return { content, isError: false, truncated, metadata };
}

/** A failed tool output whose message is meant for the model. */
export function toolError(content: string, metadata: Record<string, unknown> = {}): ToolOutput {
  return { content, isError: true, truncated: false, metadata };
}

/** Turns expected filesystem failures into model-facing errors; rethrows anything unexpected. */
export function fileSystemError(error: unknown, requestedPath: string): ToolOutput {
  if (error instanceof WorkspacePathError) return toolError(error.message);
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return toolError(`No such file or directory: ${requestedPath}`);
  if (code === 'EISDIR')
    return toolError(`${requestedPath} is a directory; use list_files to see its contents.`);
  if (code === 'ENOTDIR') return toolError(`A parent of ${requestedPath} is not a directory.`);
  if (code === 'EACCES' || code === 'EPERM') return toolError(`Permission denied: ${requestedPath}`);
  throw error;
}

/** Whether a buffer looks binary (a NUL byte in its first 8000 bytes, as git decides). */
export function looksBinary(content: Buffer): boolean {
  return content.subarray(0, 8000).includes(0);
}
