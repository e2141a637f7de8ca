import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox } from '../../sandbox/index.ts';
import type { AgentTool, ToolContext } from '../tool.ts';
import {
  defaultTools,
  editFileTool,
  finishTool,
  listFilesTool,
  readFileTool,
  runCommandTool,
  runTool,
  searchTool,
  toolDefinitions,
  truncateOutput,
  validateToolArguments,
  writeFileTool,
} from './index.ts';

let workspaceDir: string;
let outsideDir: string;
let context: ToolContext;

beforeEach(async () => {
  workspaceDir = await mkdtemp(path.join(tmpdir(), 'tools-ws-'));
  outsideDir = await mkdtemp(path.join(tmpdir(), 'tools-outside-'));
  await writeFile(path.join(outsideDir, 'secret.txt'), 'top secret\n');
  await mkdir(path.join(workspaceDir, 'src', 'deep'), { recursive: true });
  await mkdir(path.join(workspaceDir, 'node_modules', 'pkg'), { recursive: true });
  await mkdir(path.join(workspaceDir, '.git'));
  await writeFile(path.join(workspaceDir, 'node_modules', 'pkg', 'index.js'), 'findme\n');
  await writeFile(path.join(workspaceDir, 'src', 'app.py'), 'def main():\n    value = 1\n    return value\n');
  await writeFile(path.join(workspaceDir, 'src', 'deep', 'util.ts'), 'export const findme = 1;\n');
  await writeFile(path.join(workspaceDir, 'README.md'), 'FindMe in readme\n');
  await writeFile(path.join(workspaceDir, 'blob.bin'), Buffer.from([1, 0, 2, 0]));
  context = {
    workspaceDir,
    sandbox: await createSandbox(workspaceDir, { backend: 'none', onWarning: () => {} }),
    maxOutputChars: 2000,
    commandTimeoutMs: 5000,
  };
});

afterEach(async () => {
  await rm(workspaceDir, { recursive: true, force: true });
  await rm(outsideDir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: any tool, called with raw model arguments
function call(tool: AgentTool<any>, args: unknown) {
  return runTool(tool as unknown as AgentTool, args, context);
}

describe('truncateOutput', () => {
  it('keeps head and tail with a notice', () => {
    const text = `${'a'.repeat(500)}${'b'.repeat(500)}`;
    const result = truncateOutput(text, 200);
    expect(result.truncated).toBe(true);
    expect(result.text.startsWith('aaa')).toBe(true);
    expect(result.text.endsWith('bbb')).toBe(true);
    expect(result.text).toContain(`[… ${result.omittedCharacters} characters truncated …]`);
    expect(result.text.length).toBeLessThanOrEqual(200);
    expect(truncateOutput('short', 200)).toEqual({ text: 'short', truncated: false, omittedCharacters: 0 });
  });
});

describe('path safety', () => {
  it.each([
    [readFileTool, { path: '../x' }],
    [readFileTool, { path: '/etc/passwd' }],
    [writeFileTool, { path: '../../escape.txt', content: 'x' }],
    [listFilesTool, { path: '..' }],
    [searchTool, { pattern: 'x', path: '/etc' }],
    [editFileTool, { path: 'src/../../x', old_string: 'a', new_string: 'b' }],
  ])('rejects escapes (%#)', async (tool, args) => {
    const output = await call(tool, args);
    expect(output.isError).toBe(true);
    expect(output.content).toMatch(/outside the workspace/);
  });

  it('rejects symlinks pointing outside, for reading and writing', async () => {
    await symlink(path.join(outsideDir, 'secret.txt'), path.join(workspaceDir, 'link.txt'));
    await symlink(outsideDir, path.join(workspaceDir, 'linkdir'));
    expect((await call(readFileTool, { path: 'link.txt' })).content).toMatch(/symbolic link/);
    const write = await call(writeFileTool, { path: 'linkdir/new.txt', content: 'x' });
    expect(write.isError).toBe(true);
    await expect(readFile(path.join(outsideDir, 'new.txt'))).rejects.toThrow();
  });

  it('accepts absolute paths inside the workspace and symlinks inside it', async () => {
    await symlink('src/app.py', path.join(workspaceDir, 'inner-link'));
    expect((await call(readFileTool, { path: path.join(workspaceDir, 'README.md') })).isError).toBe(false);
    expect((await call(readFileTool, { path: 'inner-link' })).content).toContain('def main');
  });
});

describe('read_file', () => {
  it('numbers lines, honours ranges given as strings and the file_path alias', async () => {
    const output = await call(readFileTool, { file_path: 'src/app.py', start_line: '2', end_line: 3 });
    expect(output.isError).toBe(false);
    expect(output.content).toBe('2\t    value = 1\n3\t    return value');
  });

  it('refuses binary files and directories, reports missing files', async () => {
    expect((await call(readFileTool, { path: 'blob.bin' })).content).toMatch(/binary/);
    expect((await call(readFileTool, { path: 'src' })).content).toMatch(/directory/);
    expect((await call(readFileTool, { path: 'nope.txt' })).content).toMatch(/No such file/);
  });

  it('truncates big files with a notice telling where to continue', async () => {
    const lines = Array.from({ length: 1000 }, (_, index) => `line number ${index + 1}`);
    await writeFile(path.join(workspaceDir, 'big.txt'), `${lines.join('\n')}\n`);
    const output = await call(readFileTool, { path: 'big.txt' });
    expect(output.truncated).toBe(true);
    const match = /call read_file with start_line=(\d+)/.exec(output.content);
    expect(match).not.toBeNull();
    const next = await call(readFileTool, { path: 'big.txt', start_line: match![1] });
    expect(next.content.split('\n')[0]).toContain(`line number ${match![1]}`);
  });
});

describe('list_files', () => {
  it('lists one level by default and recursively on demand, skipping .git and node_modules', async () => {
    const top = await call(listFilesTool, {});
    expect(top.content.split('\n')).toEqual(['README.md', 'blob.bin', 'src/']);
    const all = await call(listFilesTool, { path: '.', recursive: 'true' });
    expect(all.content).toContain('src/deep/util.ts');
    expect(all.content).not.toContain('node_modules');
    expect(all.content).not.toContain('.git');
    const shallow = await call(listFilesTool, { recursive: true, depth: '2' });
    expect(shallow.content).toContain('src/deep/');
    expect(shallow.content).not.toContain('util.ts');
  });

  it('caps the number of entries with a notice', async () => {
    await mkdir(path.join(workspaceDir, 'many'));
    await Promise.all(
      Array.from({ length: 600 }, (_, index) => writeFile(path.join(workspaceDir, 'many', `f${index}`), '')),
    );
    const output = await call(listFilesTool, { path: 'many' });
    expect(output.truncated).toBe(true);
    expect(output.content).toMatch(/listing stopped at 500 entries/);
  });
});

describe('search', () => {
  it('finds matches as path:line: text, skipping node_modules', async () => {
    const output = await call(searchTool, { pattern: 'findme' });
    expect(output.content).toBe('src/deep/util.ts:1: export const findme = 1;');
    const insensitive = await call(searchTool, { pattern: 'findme', case_insensitive: 'true' });
    expect(insensitive.content).toContain('README.md:1: FindMe in readme');
    const globbed = await call(searchTool, { pattern: 'findme', glob: '*.md', ignore_case: true });
    expect(globbed.content).toBe('README.md:1: FindMe in readme');
    expect((await call(searchTool, { pattern: 'zzz' })).content).toMatch(/No matches/);
  });

  it('reports invalid regular expressions clearly and caps results', async () => {
    const invalid = await call(searchTool, { pattern: '(unclosed' });
    expect(invalid.isError).toBe(true);
    expect(invalid.content).toMatch(/Invalid regular expression/);
    await writeFile(path.join(workspaceDir, 'lots.txt'), 'hit\n'.repeat(500));
    const capped = await call(searchTool, { pattern: 'hit', path: 'lots.txt' });
    expect(capped.truncated).toBe(true);
    expect(capped.content).toMatch(/more matches not shown/);
  });
});

describe('edit_file', () => {
  it('replaces a unique match and returns a diff; accepts aliases', async () => {
    const output = await call(editFileTool, {
      filePath: 'src/app.py',
      old_str: 'value = 1',
      newString: 'value = 2',
    });
    expect(output.isError).toBe(false);
    expect(output.content).toContain('-    value = 1\n+    value = 2');
    expect(await readFile(path.join(workspaceDir, 'src', 'app.py'), 'utf8')).toContain('value = 2');
  });

  it('refuses ambiguous matches unless replace_all, and checks expected_count', async () => {
    await writeFile(path.join(workspaceDir, 'dup.txt'), 'x = 1\nx = 1\n');
    const ambiguous = await call(editFileTool, { path: 'dup.txt', old_string: 'x = 1', new_string: 'x = 2' });
    expect(ambiguous.content).toMatch(/occurs 2 times/);
    const wrongCount = await call(editFileTool, {
      path: 'dup.txt',
      old_string: 'x = 1',
      new_string: 'x = 2',
      expected_count: 3,
    });
    expect(wrongCount.content).toMatch(/Expected 3 occurrence\(s\).*found 2/);
    const all = await call(editFileTool, {
      path: 'dup.txt',
      old_string: 'x = 1',
      new_string: 'x = 2',
      replace_all: 'true',
    });
    expect(all.metadata.replacements).toBe(2);
    expect(await readFile(path.join(workspaceDir, 'dup.txt'), 'utf8')).toBe('x = 2\nx = 2\n');
  });

  it('shows near misses when nothing matches', async () => {
    const output = await call(editFileTool, { path: 'src/app.py', old_string: 'valeu = 1', new_string: 'v' });
    expect(output.isError).toBe(true);
    expect(output.content).toContain('Closest lines:\n2:     value = 1');
  });

  it('falls back to a unique indentation-insensitive match and re-indents the replacement', async () => {
    const output = await call(editFileTool, {
      path: 'src/app.py',
      old_string: 'value = 1\nreturn value',
      new_string: 'value = 1\nif value:\n    value += 1\nreturn value',
    });
    expect(output.isError).toBe(false);
    expect(output.metadata).toMatchObject({ fuzzy: true, strategy: 'indentation' });
    expect(await readFile(path.join(workspaceDir, 'src', 'app.py'), 'utf8')).toBe(
      'def main():\n    value = 1\n    if value:\n        value += 1\n    return value\n',
    );
  });

  it('forgives trailing whitespace, but not an ambiguous fuzzy match', async () => {
    await writeFile(path.join(workspaceDir, 'ws.txt'), 'alpha  \nbeta\n  alpha\n  beta\n');
    const trailing = await call(editFileTool, {
      path: 'ws.txt',
      old_string: 'alpha\nbeta',
      new_string: 'gamma',
    });
    expect(trailing.metadata).toMatchObject({ fuzzy: true, strategy: 'trailing-whitespace' });
    expect(await readFile(path.join(workspaceDir, 'ws.txt'), 'utf8')).toBe('gamma\n  alpha\n  beta\n');
    await writeFile(path.join(workspaceDir, 'ws.txt'), '  a\n    a\n');
    const ambiguous = await call(editFileTool, { path: 'ws.txt', old_string: ' a', new_string: 'b' });
    expect(ambiguous.isError).toBe(true);
    expect(await readFile(path.join(workspaceDir, 'ws.txt'), 'utf8')).toBe('  a\n    a\n');
  });
});

describe('write_file', () => {
  it('creates parent directories and accepts content aliases', async () => {
    const output = await call(writeFileTool, { filename: 'new/dir/file.txt', contents: 'hello' });
    expect(output.metadata).toMatchObject({ created: true, bytes: 5 });
    expect(await readFile(path.join(workspaceDir, 'new', 'dir', 'file.txt'), 'utf8')).toBe('hello');
    const overwrite = await call(writeFileTool, { path: 'new/dir/file.txt', text: 'bye' });
    expect(overwrite.metadata.created).toBe(false);
  });
});

describe('run_command', () => {
  it('reports exit code and output; a failing command is not a tool error', async () => {
    const output = await call(runCommandTool, { cmd: 'echo out; echo err >&2; exit 3' });
    expect(output.isError).toBe(false);
    expect(output.metadata.exitCode).toBe(3);
    expect(output.content).toBe('Exit code: 3\nout\nerr\n');
  });

  it('caps the timeout by the context and reports a timeout', async () => {
    context.commandTimeoutMs = 300;
    const output = await call(runCommandTool, { command: 'sleep 5', timeout_seconds: '60' });
    expect(output.metadata).toMatchObject({ timedOut: true, timeoutMs: 300 });
    expect(output.content).toMatch(/timed out/);
  });

  it('truncates long output with a notice', async () => {
    const output = await call(runCommandTool, { command: 'seq 1 5000' });
    expect(output.truncated).toBe(true);
    expect(output.content).toMatch(/characters truncated/);
    expect(output.content).toContain('5000');
  });
});

describe('finish and argument validation', () => {
  it('finish marks the attempt finished', async () => {
    const output = await call(finishTool, { message: 'done' });
    expect(output.metadata).toEqual({ finished: true, summary: 'done' });
  });

  it('tolerates unknown keys and reports them', async () => {
    const output = await call(finishTool, { summary: 'ok', mood: 'happy' });
    expect(output.metadata.ignoredArguments).toEqual(['mood']);
  });

  it('lists missing and wrong-type fields for the model', () => {
    const missing = validateToolArguments(editFileTool, { path: 'a', new_string: 'b', bogus: 1 });
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(missing.error).toContain('Missing required: old_string');
      expect(missing.error).toContain('Unexpected (ignored): bogus');
    }
    const wrong = validateToolArguments(readFileTool, { path: 'a', start_line: 'ten' });
    expect(!wrong.ok && wrong.error).toMatch(/start_line: expected number, got string "ten"/);
    expect(validateToolArguments(readFileTool, 'nope')).toMatchObject({ ok: false });
  });

  it('tool definitions show canonical names only', () => {
    const definitions = toolDefinitions(defaultTools());
    expect(definitions.map((definition) => definition.name)).toEqual([
      'read_file',
      'list_files',
      'search',
      'edit_file',
      'write_file',
      'run_command',
      'finish',
    ]);
    const edit = definitions.find((definition) => definition.name === 'edit_file')!;
    expect(Object.keys(edit.parameters.properties as object)).toEqual([
      'path',
      'old_string',
      'new_string',
      'replace_all',
      'expected_count',
    ]);
    expect(edit.parameters.required).toEqual(['path', 'old_string', 'new_string']);
    expect(JSON.stringify(definitions)).not.toMatch(/file_path|old_str"|9007199254740991/);
  });
});
