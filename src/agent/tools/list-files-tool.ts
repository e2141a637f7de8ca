import { z } from 'zod';
import type { AgentTool } from '../tool.ts';
import { forgivingObject, looseBoolean, looseInteger } from './forgiving-arguments.ts';
import { fileSystemError, toolError, toolSuccess } from './tool-output.ts';
import { WorkspaceRoot } from './workspace-path.ts';
import { walkWorkspace } from './workspace-walk.ts';

/** Most entries one list_files call returns. */
export const listFilesMaxEntries = 500;
/** Depth used for recursive listings when none is given. */
export const listFilesDefaultDepth = 4;

const schema = forgivingObject(
  {
    path: z.string().optional().describe('Directory relative to the workspace root (default: the root).'),
    recursive: looseBoolean().optional().describe('List subdirectories too (default false).'),
    depth: looseInteger()
      .optional()
      .describe(`How many levels to descend when recursive (default ${listFilesDefaultDepth}).`),
  },
  {
    directory: 'path',
    dir: 'path',
    file_path: 'path',
    filePath: 'path',
    max_depth: 'depth',
    maxDepth: 'depth',
  },
);

/** Arguments of list_files. */
export type ListFilesArguments = z.infer<typeof schema>;

/** Lists a directory (optionally recursively), skipping .git, node_modules and caches; directories end in `/`. */
export const listFilesTool: AgentTool<ListFilesArguments> = {
  name: 'list_files',
  description:
    'List files and directories (directories end with /). Skips .git, node_modules and caches. Set recursive to descend.',
  schema,
  async execute(args, context) {
    const requested = args.path ?? '.';
    const root = await WorkspaceRoot.open(context.workspaceDir);
    const entries: string[] = [];
    let capped = false;
    let relative: string;
    try {
      try {
        const found = await root.kind(requested);
        if (!found) return toolError(`No such file or directory: ${requested}`);
        if (found.kind !== 'directory') {
          return toolError(`${requested} is a file, not a directory; use read_file to read it.`);
        }
        relative = found.entry.relative;
      } catch (error) {
        return fileSystemError(error, requested);
      }
      const recursive = args.recursive ?? args.depth !== undefined;
      const maxDepth = recursive ? Math.max(1, args.depth ?? listFilesDefaultDepth) : 1;
      const links: string[] = [];
      await walkWorkspace(root, relative, maxDepth, (entry) => {
        if (entries.length >= listFilesMaxEntries) {
          capped = true;
          return false;
        }
        if (entry.kind === 'symlink') links.push(entry.relative);
        entries.push(entry.kind === 'directory' ? `${entry.relative}/` : entry.relative);
        return true;
      });
      // Links are shown with their target and never entered.
      for (const link of links) {
        const target = await root.readLink(link).catch(() => '?');
        entries[entries.indexOf(link)] = `${link} -> ${target}`;
      }
    } finally {
      await root.close();
    }
    if (entries.length === 0) return toolSuccess(`(${relative} is empty)`, { entries: 0 });
    if (capped) {
      entries.push(
        `[… listing stopped at ${listFilesMaxEntries} entries; list a subdirectory or use a smaller depth …]`,
      );
    }
    return toolSuccess(
      entries.join('\n'),
      { entries: Math.min(entries.length, listFilesMaxEntries) },
      capped,
    );
  },
};
