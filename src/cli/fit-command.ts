import { Command, InvalidArgumentError } from 'commander';
import { ARCHITECTURE_CATALOGUE } from '../hardware/architecture-catalogue.ts';
import { fitModel, formatFitReport } from '../hardware/fit-model.ts';

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive number');
  return parsed;
}

/** Prints the catalogue: id, name, trained maximum, source. */
function catalogueListing(): string {
  return `${ARCHITECTURE_CATALOGUE.map(
    (entry) =>
      `${entry.id.padEnd(22)} ${entry.name.padEnd(26)} max ${String(entry.shape.maxContext).padStart(7)}  ${entry.source}`,
  ).join('\n')}\n`;
}

/**
 * `shakedown fit --model NAME | --gguf FILE | --params 9B --quant Q4_K_M [--ctx 32768]`: memory for weights, KV
 * cache per layer kind and recurrent state against the GPU, or against common cards when there is none.
 */
export function createFitCommand(): Command {
  return new Command('fit')
    .description(
      'Will the model fit the GPU? Weights + KV cache (per layer kind) + recurrent state at a context length vs GPU memory',
    )
    .option('--model <name>', 'a catalogued architecture, e.g. qwen3.5-9b (--list-models shows them)')
    .option('--list-models', 'list the catalogued architectures and their sources')
    .option('--gguf <file>', 'GGUF file (only its header is read)')
    .option('--params <count>', 'parameter count, e.g. 9B')
    .option('--quant <type>', 'quantization, e.g. Q4_K_M (default for --model: Q4_K_M)')
    .option(
      '--ctx <tokens>',
      'context per slot (default 32768, or the trained maximum when smaller)',
      positiveNumber,
    )
    .option('--kv-cache <type>', 'KV cache type: f16, q8_0, q4_0, ...', 'f16')
    .option('--vision', 'count the vision tower (mmproj) too, from its parameter count')
    .option('--mmproj <file>', 'count the vision tower as this mmproj file (exact size)')
    .option(
      '--parallel <slots>',
      'parallel slots (llama-server -np), each with --ctx tokens of KV cache and its own recurrent state',
      positiveNumber,
      1,
    )
    .option('--layers <n>', 'layers (when not reading a GGUF)', positiveNumber)
    .option('--kv-heads <n>', 'KV heads (when not reading a GGUF)', positiveNumber)
    .option('--head-dim <n>', 'head dimension (when not reading a GGUF)', positiveNumber)
    .option(
      '--gpu-memory <GiB>',
      'judge against this much GPU memory instead of the local GPU',
      positiveNumber,
    )
    .option(
      '--flash-attention <mode>',
      'flash attention as llama-server will run it (-fa): on (default, llama.cpp auto on GPUs) or off',
      (value: string) => {
        if (value !== 'on' && value !== 'off') throw new InvalidArgumentError('use on or off');
        return value;
      },
      'on',
    )
    .option('--json', 'print JSON')
    .action(
      async (options: {
        model?: string;
        listModels?: boolean;
        vision?: boolean;
        mmproj?: string;
        gguf?: string;
        params?: string;
        quant?: string;
        ctx?: number;
        kvCache: string;
        parallel: number;
        layers?: number;
        kvHeads?: number;
        headDim?: number;
        gpuMemory?: number;
        flashAttention: 'on' | 'off';
        json?: boolean;
      }) => {
        if (options.listModels) {
          process.stdout.write(catalogueListing());
          return;
        }
        const report = await fitModel({
          model: options.model,
          vision: options.vision,
          mmproj: options.mmproj,
          gguf: options.gguf,
          parameters: options.params,
          quantization: options.quant,
          contextLength: options.ctx,
          kvCacheType: options.kvCache,
          parallelSlots: options.parallel,
          layers: options.layers,
          kvHeads: options.kvHeads,
          headDimension: options.headDim,
          gpuMemoryBytes: options.gpuMemory ? options.gpuMemory * 1024 ** 3 : undefined,
          flashAttention: options.flashAttention === 'on',
        });
        process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatFitReport(report));
        if (report.verdict === 'does-not-fit') process.exitCode = 1;
      },
    );
}
