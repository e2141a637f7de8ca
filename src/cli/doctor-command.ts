import { Command, InvalidArgumentError } from 'commander';
import { formatDoctorReport, runDoctor } from '../model/doctor.ts';
import { redactSecrets } from '../model/redact-secrets.ts';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

/**
 * `shakedown doctor --model X [--json] [--num-ctx N]`: checks that a model endpoint is fit for agent work and
 * exits with code 1 when any check fails. Output never contains API keys.
 */
export function createDoctorCommand(): Command {
  return new Command('doctor')
    .description(
      'Check a model endpoint: reachable, context length, offload, tool calling round trip, latency',
    )
    .requiredOption(
      '-m, --model <id>',
      'model id, e.g. ollama:qwen3.5:9b, llamacpp:http://127.0.0.1:8080, ./model.gguf',
    )
    .option('--json', 'print the report as JSON')
    .option(
      '--num-ctx <tokens>',
      'context length to request (Ollama num_ctx, GGUF context size)',
      positiveInteger,
    )
    .action(async (options: { model: string; json?: boolean; numCtx?: number }) => {
      // Loaded on use so that the rest of the CLI starts without every provider's module.
      const { API_KEY_VARIABLES, createModelClient } = await import('../model/create-model-client.ts');
      const secrets = Object.values(API_KEY_VARIABLES).map((variable) => process.env[variable]);
      const client = createModelClient(options.model, { numCtx: options.numCtx, retry: { maxRetries: 2 } });
      try {
        const report = await runDoctor(client);
        const output = options.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report);
        process.stdout.write(redactSecrets(output, secrets));
        if (!report.ok) process.exitCode = 1;
      } finally {
        await client.close?.();
      }
    });
}
