import { createTwoFilesPatch } from 'diff';
import { z } from 'zod';
import type { AgentTool } from '../tool.ts';
import { forgivingObject, looseBoolean, looseInteger } from './forgiving-arguments.ts';
import { applyFuzzyMatch, findFuzzyMatch, nearMissLines } from './fuzzy-match.ts';
import { fileSystemError, looksBinary, toolError, toolSuccess } from './tool-output.ts';
import { truncateOutput } from './truncate-output.ts';
import { WorkspaceRoot } from './workspace-path.ts';

const schema = forgivingObject(
  {
    path: z.string().describe('File path relative to the workspace root.'),
    old_string: z.string().describe('Exact text to replace (include enough context to make it unique).'),
    new_string: z.string().describe('Replacement text.'),
    replace_all: looseBoolean()
      .optional()
      .describe('Replace every occurrence (default false: must match once).'),
    expected_count: looseInteger()
      .optional()
      .describe('How many occurrences you expect; the edit fails otherwise.'),
  },
  {
    file_path: 'path',
    filePath: 'path',
    filename: 'path',
    file: 'path',
    old_str: 'old_string',
    oldString: 'old_string',
    old_text: 'old_string',
    old: 'old_string',
    search: 'old_string',
    new_str: 'new_string',
    newString: 'new_string',
    new_text: 'new_string',
    new: 'new_string',
    replace: 'new_string',
    replaceAll: 'replace_all',
    expected_replacements: 'expected_count',
    expectedCount: 'expected_count',
  },
);

/** Arguments of edit_file. */
export type EditFileArguments = z.infer<typeof schema>;

function countOccurrences(text: string, search: string): number {
  let count = 0;
  for (let index = text.indexOf(search); index !== -1; index = text.indexOf(search, index + search.length))
    count++;
  return count;
}

/**
 * Replaces exact text in a file. The number of matches is checked (0 → error with near misses; more than one
 * without replace_all → error with the count); whitespace-only differences are forgiven when the match is unique.
 */
export const editFileTool: AgentTool<EditFileArguments> = {
  name: 'edit_file',
  description:
    'Replace old_string with new_string in a file. old_string must match exactly once unless replace_all is true. Returns a diff of the change.',
  schema,
  async execute(args, context) {
    if (args.old_string === '')
      return toolError('old_string is empty; use write_file to create or overwrite a file.');
    if (args.old_string === args.new_string)
      return toolError('old_string and new_string are identical; nothing to change.');
    let relative: string;
    let original: string;
    try {
      const read = await WorkspaceRoot.with(context.workspaceDir, (root) => root.readFile(args.path));
      relative = read.entry.relative;
      const content = read.content;
      if (looksBinary(content))
        return toolError(`${relative} is a binary file; edit_file only edits text files.`);
      original = content.toString('utf8');
    } catch (error) {
      return fileSystemError(error, args.path);
    }
    const count = countOccurrences(original, args.old_string);
    let updated: string;
    const metadata: Record<string, unknown> = { path: relative };
    if (args.expected_count !== undefined && count !== 0 && count !== args.expected_count) {
      return toolError(
        `Expected ${args.expected_count} occurrence(s) of old_string in ${relative} but found ${count}; nothing changed.`,
      );
    }
    if (count > 1 && !args.replace_all && args.expected_count === undefined) {
      return toolError(
        `old_string occurs ${count} times in ${relative}. Add surrounding lines to make it unique, or set replace_all (or expected_count: ${count}) to replace all of them.`,
      );
    }
    if (count > 0) {
      updated = original.split(args.old_string).join(args.new_string);
      metadata.replacements = count;
    } else {
      const match = findFuzzyMatch(original, args.old_string);
      if (match && match.count === 1 && (args.expected_count ?? 1) === 1) {
        updated = applyFuzzyMatch(original, match, args.old_string, args.new_string);
        Object.assign(metadata, { replacements: 1, fuzzy: true, strategy: match.strategy });
      } else if (match) {
        return toolError(
          `old_string was not found exactly in ${relative}; ignoring whitespace it matches ${match.count} places, so nothing changed. Copy the exact text (with indentation) and add context lines.`,
        );
      } else {
        const near = nearMissLines(original, args.old_string);
        return toolError(
          `old_string was not found in ${relative}; nothing changed.${
            near.length > 0 ? `\nClosest lines:\n${near.join('\n')}` : ''
          }\nRead the file again and copy the text exactly.`,
        );
      }
    }
    try {
      // The resolved path: a link inside the workspace was followed once, on reading.
      await WorkspaceRoot.with(context.workspaceDir, (root) => root.writeFile(relative, updated));
    } catch (error) {
      return fileSystemError(error, args.path);
    }
    const patch = createTwoFilesPatch(
      `a/${relative}`,
      `b/${relative}`,
      original,
      updated,
      undefined,
      undefined,
      {
        context: 2,
      },
    )
      .split('\n')
      .slice(2)
      .join('\n');
    const shown = truncateOutput(patch, Math.min(context.maxOutputChars, 4000));
    const summary = metadata.fuzzy
      ? `Edited ${relative} (matched ignoring ${metadata.strategy}).`
      : `Edited ${relative} (${count} replacement${count === 1 ? '' : 's'}).`;
    return toolSuccess(`${summary}\n${shown.text}`, metadata, shown.truncated);
  },
};
