import { z } from 'zod';
import { globMatcher } from '../../text/index.ts';
import type { AgentTool, ToolOutput } from '../tool.ts';
import { forgivingObject, looseBoolean } from './forgiving-arguments.ts';
import { fileSystemError, looksBinary, toolError, toolSuccess } from './tool-output.ts';
import { WorkspaceRoot } from './workspace-path.ts';
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
    const root = await WorkspaceRoot.open(context.workspaceDir);
    try {
      return await searchBeneath(root, requested, expression, args, context.maxOutputChars);
    } finally {
      await root.close();
    }
  },
};

async function searchBeneath(
  root: WorkspaceRoot,
  requested: string,
  expression: RegExp,
  args: SearchArguments,
  maxOutputChars: number,
): Promise<ToolOutput> {
  let found: Awaited<ReturnType<WorkspaceRoot['kind']>>;
  try {
    found = await root.kind(requested);
  } catch (error) {
    return fileSystemError(error, requested);
  }
  if (!found) return toolError(`No such file or directory: ${requested}`);
  if (found.kind !== 'directory' && found.kind !== 'file') {
    return toolError(`${requested} is not a regular file or directory (a FIFO, socket or device).`);
  }
  const matchesGlob = args.glob ? globMatcher(args.glob, { matchBaseName: true }) : () => true;
  const files: string[] = [];
  if (found.kind === 'directory') {
    // Links are never followed: a linked file or directory is not searched.
    await walkWorkspace(root, found.entry.relative, Number.POSITIVE_INFINITY, (entry) => {
      if (entry.kind === 'file' && matchesGlob(entry.relative)) files.push(entry.relative);
      return true;
    });
  } else {
    files.push(found.entry.relative);
  }
  const results: string[] = [];
  let matchCount = 0;
  let characters = 0;
  let truncated = false;
  for (const file of files) {
    let content: Buffer;
    try {
      ({ content } = await root.readFile(file, { links: 'never', maxBytes: searchMaxFileBytes }));
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
      const result = `${file}:${index + 1}: ${shown}`;
      if (results.length >= searchMaxMatches || characters + result.length > maxOutputChars) {
        truncated = true;
        continue;
      }
      results.push(result);
      characters += result.length + 1;
    }
  }
  if (matchCount === 0) return toolSuccess(`No matches for ${JSON.stringify(args.pattern)}.`, { matches: 0 });
  if (truncated) {
    results.push(
      `[… ${matchCount - results.length} more matches not shown; narrow the search with path or glob …]`,
    );
  }
  return toolSuccess(results.join('\n'), { matches: matchCount, filesSearched: files.length }, truncated);
}
