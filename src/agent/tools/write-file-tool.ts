import { z } from 'zod';
import type { AgentTool } from '../tool.ts';
import { forgivingObject } from './forgiving-arguments.ts';
import { fileSystemError, toolSuccess } from './tool-output.ts';
import { WorkspaceRoot } from './workspace-path.ts';

const schema = forgivingObject(
  {
    path: z.string().describe('File path relative to the workspace root; parent directories are created.'),
    content: z.string().describe('The complete new content of the file.'),
  },
  {
    file_path: 'path',
    filePath: 'path',
    filename: 'path',
    file: 'path',
    contents: 'content',
    text: 'content',
    file_text: 'content',
    data: 'content',
  },
);

/** Arguments of write_file. */
export type WriteFileArguments = z.infer<typeof schema>;

/** Creates or overwrites a file with the given content, creating parent directories. */
export const writeFileTool: AgentTool<WriteFileArguments> = {
  name: 'write_file',
  description: 'Create a file or overwrite it completely with content. Parent directories are created.',
  schema,
  async execute(args, context) {
    try {
      const { created, entry } = await WorkspaceRoot.with(context.workspaceDir, (root) =>
        root.writeFile(args.path, args.content),
      );
      const relative = entry.relative;
      const bytes = Buffer.byteLength(args.content);
      return toolSuccess(`${created ? 'Created' : 'Overwrote'} ${relative} (${bytes} bytes).`, {
        path: relative,
        created,
        bytes,
      });
    } catch (error) {
      return fileSystemError(error, args.path);
    }
  },
};
