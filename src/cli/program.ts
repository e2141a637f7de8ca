import { Command } from 'commander';
import { createDoctorCommand } from './doctor-command.ts';
import { createProbeCommand } from './probe-command.ts';

/**
 * The `shakedown` command line. Each subcommand lives in its own file (`<name>-command.ts`) and registers
 * itself here.
 */
export function createProgram(): Command {
  const program = new Command();
  program
    .name('shakedown')
    .description(
      'Can this model do agentic coding on my codebase? Pass rate, tool-call reliability, latency, cost.',
    )
    .version('0.1.0')
    .showHelpAfterError();
  program.addCommand(createDoctorCommand());
  program.addCommand(createProbeCommand());
  return program;
}
