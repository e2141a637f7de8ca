import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import type { AgentTool } from '../tool.ts';
import { forgivingObject, looseBoolean } from './forgiving-arguments.ts';
import { compileGlob } from './glob-pattern.ts';
import { fileSystemError, looksBinary, toolError, toolSuccess } from './tool-output.ts';
import { resolveWorkspacePath } from './workspace-path.ts';
import { walkWorkspace } from './workspace-walk.ts';

/** Most matches one search returns. */
export const searchMaxMatches = 200;
/** Files larger than this are not searched. */
export const searchMaxFileBytes = 2 * 1024 * 1024;
const maxLineLength = 240;

const schema = forgivingObject(
  {
    pattern: z.string().min(1).describe('JavaScript regular expression to search for.'),
    path: z.string().optional().describe('File or directory to search in (default: the whole workspace).'),
    glob: z
      .string()
      .optional()
      .describe('Only search files matching this glob, e.g. "*.ts" or "src/**/*.py".'),
    case_insensitive: looseBoolean().optional().describe('Ignore case (default false).'),
  },
  {
    regex: 'pattern',
    query: 'pattern',
    directory: 'path',
    include: 'glob',
    file_pattern: 'glob',
    ignore_case: 'case_insensitive',
    caseInsensitive: 'case_insensitive',
    '-i': 'case_insensitive',
  },
);

/** Arguments of search. */
export type SearchArguments = z.infer<typeof schema>;

/** Searches text files of the workspace with a regular expression; results are `path:line: text`. */
export const searchTool: AgentTool<SearchArguments> = {
  name: 'search',
  description:
    'Search the workspace for a regular expression. Returns matching lines as path:line: text. Optional path, glob and case_insensitive.',
  schema,
  async execute(args, context) {
    let expression: RegExp;
    try {
      expression = new RegExp(args.pattern, args.case_insensitive ? 'i' : '');
    } catch (error) {
      return toolError(
        `Invalid regular expression ${JSON.stringify(args.pattern)}: ${(error as Error).message}`,
      );
    }
    const requested = args.path ?? '.';
    let resolved: Awaited<ReturnType<typeof resolveWorkspacePath>>;
    let isDirectory: boolean;
    try {
      resolved = await resolveWorkspacePath(context.workspaceDir, requested);
      isDirectory = (await stat(resolved.absolute)).isDirectory();
    } catch (error) {
      return fileSystemError(error, requested);
    }
    const matchesGlob = args.glob ? compileGlob(args.glob) : () => true;
    const files: Array<{ relative: string; absolute: string }> = [];
    if (isDirectory) {
      await walkWorkspace(resolved.absolute, resolved.relative, Number.POSITIVE_INFINITY, (entry) => {
        if (!entry.isDirectory && matchesGlob(entry.relative)) files.push(entry);
        return true;
      });
    } else {
      files.push(resolved);
    }
    const results: string[] = [];
    let matchCount = 0;
    let characters = 0;
    let truncated = false;
    for (const file of files) {
      let content: Buffer;
      try {
        const info = await stat(file.absolute);
        if (!info.isFile() || info.size > searchMaxFileBytes) continue;
        content = await readFile(file.absolute);
      } catch {
        continue;
      }
      if (looksBinary(content)) continue;
      const lines = content.toString('utf8').split('\n');
      for (let index = 0; index < lines.length; index++) {
        const line = lines[index]!;
        if (!expression.test(line)) continue;
        matchCount++;
        if (truncated) continue;
        const shown = line.length > maxLineLength ? `${line.slice(0, maxLineLength)}…` : line;
        const result = `${file.relative}:${index + 1}: ${shown}`;
        if (results.length >= searchMaxMatches || characters + result.length > context.maxOutputChars) {
          truncated = true;
          continue;
        }
        results.push(result);
        characters += result.length + 1;
      }
    }
    if (matchCount === 0)
      return toolSuccess(`No matches for ${JSON.stringify(args.pattern)}.`, { matches: 0 });
    if (truncated) {
      results.push(
        `[… ${matchCount - results.length} more matches not shown; narrow the search with path or glob …]`,
      );
    }
    return toolSuccess(results.join('\n'), { matches: matchCount, filesSearched: files.length }, truncated);
  },
};
