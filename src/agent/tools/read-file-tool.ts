import { z } from 'zod';
import type { AgentTool } from '../tool.ts';
import { forgivingObject, looseInteger } from './forgiving-arguments.ts';
import { fileSystemError, looksBinary, toolError, toolSuccess } from './tool-output.ts';
import { WorkspaceRoot } from './workspace-path.ts';

/** Most lines returned by one read_file call. */
export const readFileMaxLines = 2000;

const schema = forgivingObject(
  {
    path: z.string().describe('File path relative to the workspace root.'),
    start_line: looseInteger().optional().describe('First line to read (1-based, default 1).'),
    end_line: looseInteger().optional().describe('Last line to read (inclusive, default: end of file).'),
  },
  {
    file_path: 'path',
    filePath: 'path',
    filename: 'path',
    file: 'path',
    startLine: 'start_line',
    offset: 'start_line',
    endLine: 'end_line',
  },
);

/** Arguments of read_file. */
export type ReadFileArguments = z.infer<typeof schema>;

/** Reads a text file with line numbers; refuses binary files; long files are cut with a notice telling how to go on. */
export const readFileTool: AgentTool<ReadFileArguments> = {
  name: 'read_file',
  description:
    'Read a text file of the workspace. Output lines are prefixed with their line number. Use start_line/end_line to read part of a long file.',
  schema,
  async execute(args, context) {
    let content: Buffer;
    let relative: string;
    try {
      const read = await WorkspaceRoot.with(context.workspaceDir, (root) => root.readFile(args.path));
      relative = read.entry.relative;
      content = read.content;
    } catch (error) {
      return fileSystemError(error, args.path);
    }
    if (looksBinary(content)) {
      return toolError(
        `${relative} is a binary file (${content.length} bytes); read_file only shows text files.`,
        {
          binary: true,
        },
      );
    }
    const text = content.toString('utf8');
    const lines = text.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    const totalLines = text === '' ? 0 : lines.length;
    const start = Math.max(1, args.start_line ?? 1);
    if (totalLines === 0) return toolSuccess(`(${relative} is empty)`, { path: relative, totalLines });
    if (start > totalLines) {
      return toolError(`start_line ${start} is past the end of ${relative}, which has ${totalLines} lines.`);
    }
    const requestedEnd = Math.min(totalLines, args.end_line ?? totalLines);
    if (requestedEnd < start) return toolError(`end_line ${requestedEnd} is before start_line ${start}.`);
    const width = String(requestedEnd).length;
    const output: string[] = [];
    let characters = 0;
    let end = start - 1;
    for (let lineNumber = start; lineNumber <= requestedEnd; lineNumber++) {
      const line = `${String(lineNumber).padStart(width)}\t${lines[lineNumber - 1]}`;
      if (
        output.length >= readFileMaxLines ||
        (output.length > 0 && characters + line.length + 1 > context.maxOutputChars)
      ) {
        break;
      }
      output.push(
        line.length > context.maxOutputChars ? `${line.slice(0, context.maxOutputChars)} [line cut]` : line,
      );
      characters += line.length + 1;
      end = lineNumber;
    }
    const truncated = end < requestedEnd;
    if (truncated) {
      output.push(
        `[… showing lines ${start}-${end} of ${totalLines}; call read_file with start_line=${end + 1} to read further …]`,
      );
    }
    return toolSuccess(
      output.join('\n'),
      { path: relative, startLine: start, endLine: end, totalLines },
      truncated,
    );
  },
};
