import { Command } from 'commander';
import { createDemoCommand } from './demo-command.ts';
import { createDoctorCommand } from './doctor-command.ts';
import { createFitCommand } from './fit-command.ts';
import { createImportCommand } from './import-command.ts';
import { createMergeCommand } from './merge-command.ts';
import { createMineCommand } from './mine-command.ts';
import { createProbeCommand } from './probe-command.ts';
import { createReportCommand } from './report-command.ts';
import { createRescoreCommand } from './rescore-command.ts';
import { createConfigCommand, createRunCommand } from './run-command.ts';
import { createTaskCommand } from './task-command.ts';
import { createViewCommand } from './view-command.ts';
import { createWorkerCommand } from './worker-command.ts';

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
  program.addCommand(createDemoCommand());
  program.addCommand(createDoctorCommand());
  program.addCommand(createFitCommand());
  program.addCommand(createTaskCommand());
  program.addCommand(createMineCommand());
  program.addCommand(createImportCommand());
  program.addCommand(createRunCommand());
  program.addCommand(createConfigCommand());
  program.addCommand(createProbeCommand());
  program.addCommand(createViewCommand());
  program.addCommand(createReportCommand());
  program.addCommand(createRescoreCommand());
  program.addCommand(createWorkerCommand());
  program.addCommand(createMergeCommand());
  return program;
}
