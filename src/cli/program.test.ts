import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram, invokedCommandName } from './program.ts';

/** Parses `args` with the real program, capturing what commander writes to stderr instead of exiting. */
async function parseError(args: string[]): Promise<string> {
  const program = await createProgram(args);
  let output = '';
  const capture = (command: Command) => {
    command
      .exitOverride()
      .configureOutput({ writeErr: (text) => (output += text), writeOut: () => undefined });
    for (const sub of command.commands) capture(sub);
  };
  capture(program);
  await expect(program.parseAsync(args, { from: 'user' })).rejects.toThrow();
  return output;
}

describe('createProgram', () => {
  it('lists each command with the same summary its own module gives it', async () => {
    const lazy = await createProgram([]);
    const loaded = await createProgram('all');
    const summaries = (program: typeof lazy) =>
      program.commands.map((command) => [command.name(), command.description()]);
    expect(summaries(lazy)).toEqual(summaries(loaded));
    expect(lazy.commands.length).toBeGreaterThan(10);
  });

  it('loads only the invoked command: the others stand in without options or subcommands', async () => {
    const program = await createProgram(['run', '--model', 'ollama:qwen3.5:9b']);
    const byName = (name: string) => program.commands.find((command) => command.name() === name)!;
    expect(byName('run').options.length).toBeGreaterThan(3);
    expect(byName('report').options).toHaveLength(0);
    expect(byName('task').commands).toHaveLength(0);
    const help = await createProgram(['help', 'task']);
    expect(help.commands.find((command) => command.name() === 'task')!.commands.length).toBeGreaterThan(0);
  });

  it('finds the invoked command name past options', () => {
    expect(invokedCommandName(['--version'])).toBeUndefined();
    expect(invokedCommandName(['run', '-m', 'x'])).toBe('run');
    expect(invokedCommandName(['help', 'report'])).toBe('report');
    expect(invokedCommandName([])).toBeUndefined();
  });
});

describe('shakedown command line', () => {
  it('suggests the nearest command and option for a typo', async () => {
    expect(await parseError(['rn'])).toBe(
      "error: unknown command 'rn' (did you mean run?); see npx shakedown --help\n",
    );
    expect(await parseError(['dmeo'])).toContain('(did you mean demo?)');
    expect(await parseError(['run', '--modle', 'x'])).toBe(
      "error: unknown option '--modle' (did you mean --model?); see npx shakedown run --help\n",
    );
    expect(await parseError(['task', 'bogus'])).toBe(
      "error: unknown command 'bogus'; see npx shakedown task --help\n",
    );
  });
});
