import { Command, Option } from 'commander';
import {
  formatSweBenchImportError,
  importSweBench,
  sweBenchEnvironmentNote,
} from '../task/import-swe-bench.ts';
import { type TestOutputFormat, testOutputFormats } from '../task/test-results/test-result.ts';

/**
 * `shakedown import swe-bench FILE.jsonl --repos DIR --out DIR`: imports SWE-bench-style instances as task folders;
 * bad lines are reported (line, field) and make the exit code 1 without stopping the others.
 */
export function createImportCommand(): Command {
  const command = new Command('import').description('Import tasks from other benchmarks');
  command
    .command('swe-bench')
    .description('Import SWE-bench-style JSONL instances as task folders')
    .argument('<file>', 'JSONL file, one instance a line')
    .requiredOption('--repos <dir>', 'folder of local clones named owner__name')
    .requiredOption('--out <dir>', 'suite folder to write the tasks to')
    .option(
      '--test-command <command>',
      'test command written to every task ({test_ids} is replaced by test ids)',
    )
    .addOption(
      new Option('--test-format <format>', 'report format of the test command').choices(testOutputFormats),
    )
    .option(
      '--setup <command>',
      'setup command written to every task, e.g. "pip install -e ." (repeatable)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .action(
      async (
        file: string,
        options: {
          repos: string;
          out: string;
          testCommand?: string;
          testFormat?: TestOutputFormat;
          setup?: string[];
        },
      ) => {
        const result = await importSweBench({
          file,
          reposDir: options.repos,
          outDir: options.out,
          testCommand: options.testCommand,
          testFormat: options.testFormat,
          setup: options.setup,
        });
        for (const error of result.errors)
          process.stderr.write(`${formatSweBenchImportError(file, error)}\n`);
        process.stdout.write(
          `${result.imported.length} task(s) imported to ${options.out}, ${result.errors.length} line(s) failed\n`,
        );
        if (result.imported.length > 0 && !options.setup)
          process.stdout.write(`note: ${sweBenchEnvironmentNote}\n`);
        if (result.errors.length > 0) process.exitCode = 1;
      },
    );
  return command;
}
