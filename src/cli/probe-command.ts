import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { PROBE_SECTIONS, type ProbeProgress, type ProbeSection } from '../probe/probe-progress.ts';
import type { ProbeReport } from '../probe/run-probe.ts';
import { positiveInteger } from '../shared/positive-integer.ts';
import { redactSecrets } from '../shared/redact-secrets.ts';

/** Parses `1k,4k,16k` or `1024,4096` into token counts (k = 1024). */
export function parseDepths(value: string): number[] {
  return value.split(',').map((item) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(k?)\s*$/i.exec(item);
    if (!match) throw new InvalidArgumentError(`"${item}" is not a depth like 4k or 4096`);
    const depth = Math.round(Number(match[1]) * (match[2] ? 1024 : 1));
    if (depth <= 0) throw new InvalidArgumentError('depths must be positive');
    return depth;
  });
}

/** Parses `1,2,4` into positive integers. */
export function parseConcurrency(value: string): number[] {
  return value.split(',').map((item) => positiveInteger(item.trim()));
}

/** Parses `tools,retention` into probe sections. */
export function parseSections(value: string): ProbeSection[] {
  return value.split(',').map((item) => {
    const section = item.trim() as ProbeSection;
    if (!PROBE_SECTIONS.includes(section)) {
      throw new InvalidArgumentError(`unknown section "${item}" (choose from ${PROBE_SECTIONS.join(', ')})`);
    }
    return section;
  });
}

interface ProbeCommandOptions {
  model: string[];
  repeat: number;
  depths?: number[];
  concurrency?: number[];
  only?: ProbeSection[];
  json?: boolean;
  out?: string;
  numCtx?: number;
}

function progressLine(model: string, progress: ProbeProgress): string {
  return `[${model}] ${progress.section} ${progress.done}/${progress.total} ${progress.label}\n`;
}

/**
 * `shakedown probe --model M [--model M2] [--repeat N] [--depths 1k,4k,16k] [--concurrency 1,2,4]
 * [--only tools,retention,throughput] [--json] [--out FILE]`: a few-minute suite without a repository. Exits 0
 * unless an endpoint is unreachable (exit 1). JSON output is `{ "reports": [ProbeReport, ...] }`.
 */
export function createProbeCommand(): Command {
  return new Command('probe')
    .description('Probe a model endpoint: tool-calling reliability, context retention by depth, throughput')
    .requiredOption(
      '-m, --model <id>',
      'model id (repeat for several), e.g. ollama:qwen3.5:9b, llamacpp:http://127.0.0.1:8080',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--repeat <n>', 'runs per tool case and retention question', positiveInteger, 3)
    .option('--depths <list>', 'retention depths in tokens, e.g. 1k,4k,16k', parseDepths)
    .option('--concurrency <list>', 'throughput concurrency levels, e.g. 1,2,4', parseConcurrency)
    .option('--only <sections>', `sections to run: ${PROBE_SECTIONS.join(',')}`, parseSections)
    .option('--json', 'print the reports as JSON')
    .option('--out <file>', 'also write the JSON reports to this file')
    .option(
      '--num-ctx <tokens>',
      'context length to request (Ollama num_ctx, GGUF context size)',
      positiveInteger,
    )
    .action(async (options: ProbeCommandOptions) => {
      // Loaded on use so that the rest of the CLI starts without every provider's module.
      const { API_KEY_VARIABLES, createModelClient } = await import('../providers/create-model-client.ts');
      const { EndpointUnreachableError, runProbe } = await import('../probe/run-probe.ts');
      const { formatProbeReport } = await import('../probe/format-probe-report.ts');
      const secrets = Object.values(API_KEY_VARIABLES).map((variable) => process.env[variable]);
      const reports: ProbeReport[] = [];
      const unreachable: { model: string; error: string }[] = [];
      for (const model of options.model) {
        const client = createModelClient(model, { numCtx: options.numCtx, retry: { maxRetries: 2 } });
        try {
          const report = await runProbe(client, {
            repeat: options.repeat,
            depths: options.depths,
            concurrency: options.concurrency,
            only: options.only,
            onProgress: process.stderr.isTTY
              ? (progress) => process.stderr.write(redactSecrets(progressLine(client.id, progress), secrets))
              : undefined,
          });
          reports.push(report);
          if (!options.json) process.stdout.write(redactSecrets(`${formatProbeReport(report)}\n`, secrets));
        } catch (error) {
          if (!(error instanceof EndpointUnreachableError)) throw error;
          unreachable.push({ model: client.id, error: error.message });
          process.stderr.write(redactSecrets(`shakedown probe: ${error.message}\n`, secrets));
          process.exitCode = 1;
        } finally {
          await client.close?.();
        }
      }
      const json = `${JSON.stringify({ reports, unreachable }, null, 2)}\n`;
      if (options.json) process.stdout.write(redactSecrets(json, secrets));
      if (options.out) await writeFile(options.out, redactSecrets(json, secrets));
    });
}
