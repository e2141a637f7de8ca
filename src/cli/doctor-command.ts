import { Command } from 'commander';
import { type DoctorReport, formatDoctorReport, runDoctor } from '../doctor/doctor.ts';
import {
  type DiscoveredServer,
  discoverLocalServers,
  localServerCandidates,
  noModelServerHelp,
} from '../providers/discover-local-servers.ts';
import { formatModelCacheSummary, summarizeModelCache } from '../providers/gguf-download.ts';
import { positiveInteger } from '../shared/positive-integer.ts';
import { redactSecrets } from '../shared/redact-secrets.ts';

/** Options of `shakedown doctor`. */
interface DoctorCommandOptions {
  model?: string;
  json?: boolean;
  numCtx?: number;
  /** Without --model: check every model each local server serves, not only its loaded (or first) one. */
  all?: boolean;
}

async function checkModel(id: string, numCtx: number | undefined): Promise<DoctorReport> {
  // Loaded on use so that the rest of the CLI starts without every provider's module.
  const { createModelClient } = await import('../providers/create-model-client.ts');
  const client = createModelClient(id, { numCtx, retry: { maxRetries: 2 } });
  try {
    return await runDoctor(client);
  } finally {
    await client.close?.();
  }
}

/** The line introducing one discovered server: what it serves and which of its models are checked. */
export function describeDiscoveredServer(server: DiscoveredServer, checked: readonly string[]): string {
  const others = server.modelIds.length - checked.length;
  return (
    `${server.name} at ${server.url}: serves ${server.modelIds.length} model(s); checking ${checked.join(', ')}` +
    (others > 0 ? ` (${others} more: pass --all, or --model <id> for one)` : '')
  );
}

/**
 * `shakedown doctor [--model X] [--all] [--json] [--num-ctx N]`: checks that a model endpoint is fit for agent work;
 * without --model, checks the local servers it finds (Ollama, llama.cpp, LM Studio, vLLM at their usual ports).
 * Exits with code 1 when any check fails or nothing is found. Output never contains API keys.
 */
export function createDoctorCommand(): Command {
  return new Command('doctor')
    .description(
      'Check a model endpoint: reachable, context length, offload, tool calling round trip, latency ' +
        '(without --model: every local model server found)',
    )
    .option(
      '-m, --model <id>',
      'model id, e.g. ollama:qwen3.5:9b, llamacpp:http://127.0.0.1:8080, ./model.gguf (default: local servers found)',
    )
    .option('--all', 'without --model: check every model each local server serves (default: its loaded one)')
    .option('--json', 'print the report as JSON (an array without --model)')
    .option(
      '--num-ctx <tokens>',
      'context length to request (Ollama num_ctx, GGUF context size)',
      positiveInteger,
    )
    .action(async (options: DoctorCommandOptions) => {
      const { API_KEY_VARIABLES } = await import('../providers/create-model-client.ts');
      const secrets = Object.values(API_KEY_VARIABLES).map((variable) => process.env[variable]);
      const print = (text: string) => process.stdout.write(redactSecrets(text, secrets));
      // Where hf:/gguf: models are kept and how much they take (text output only: the JSON stays the reports).
      const cacheLine = async () => `${formatModelCacheSummary(await summarizeModelCache())}\n`;
      if (options.model) {
        const report = await checkModel(options.model, options.numCtx);
        print(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
        if (!options.json) print(`\n${await cacheLine()}`);
        if (!report.ok) process.exitCode = 1;
        return;
      }
      const candidates = localServerCandidates();
      const servers = await discoverLocalServers({ candidates });
      if (servers.length === 0) {
        process.stderr.write(`${noModelServerHelp(candidates)}\n`);
        if (!options.json) process.stderr.write(await cacheLine());
        process.exitCode = 1;
        return;
      }
      const reports: DoctorReport[] = [];
      for (const server of servers) {
        const ids = options.all ? server.modelIds : server.primaryModelIds;
        if (!options.json) print(`${describeDiscoveredServer(server, ids)}\n\n`);
        for (const id of ids) {
          const report = await checkModel(id, options.numCtx);
          reports.push(report);
          if (!options.json) print(`${formatDoctorReport(report)}\n`);
        }
      }
      if (options.json) print(`${JSON.stringify(reports, null, 2)}\n`);
      else print(await cacheLine());
      if (reports.some((report) => !report.ok)) process.exitCode = 1;
    });
}
