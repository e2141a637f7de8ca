import { describe, expect, it } from 'vitest';
import { createProgram } from './program.ts';

/** Parses `args` with the real program, capturing what commander writes to stderr instead of exiting. */
async function parseError(args: string[]): Promise<string> {
  const program = createProgram();
  let output = '';
  const capture = (command: ReturnType<typeof createProgram>) => {
    command
      .exitOverride()
      .configureOutput({ writeErr: (text) => (output += text), writeOut: () => undefined });
    for (const sub of command.commands) capture(sub as ReturnType<typeof createProgram>);
  };
  capture(program);
  await expect(program.parseAsync(args, { from: 'user' })).rejects.toThrow();
  return output;
}

describe('shakedown command line', () => {
  it('suggests the nearest command and option for a typo', async () => {
    expect(await parseError(['rn'])).toContain("unknown command 'rn'\n(Did you mean run?)");
    expect(await parseError(['dmeo'])).toContain('(Did you mean demo?)');
    expect(await parseError(['run', '--modle', 'x'])).toContain(
      "unknown option '--modle'\n(Did you mean --model?)",
    );
  });
});
