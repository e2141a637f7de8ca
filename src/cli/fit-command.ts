import { Command, InvalidArgumentError } from 'commander';
import { fitModel, formatFitReport } from '../model/fit-model.ts';

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive number');
  return parsed;
}

/** `shakedown fit --gguf FILE | --params 9B --quant Q4_K_M --ctx 32768`: VRAM for weights + KV cache vs the GPU. */
export function createFitCommand(): Command {
  return new Command('fit')
    .description('Will the model fit the GPU? Weights + KV cache at a context length vs GPU memory')
    .option('--gguf <file>', 'GGUF file (only its header is read)')
    .option('--params <count>', 'parameter count, e.g. 9B')
    .option('--quant <type>', 'quantization, e.g. Q4_K_M')
    .option('--ctx <tokens>', 'context length', positiveNumber, 32768)
    .option('--kv-cache <type>', 'KV cache type: f16, q8_0, q4_0', 'f16')
    .option(
      '--parallel <slots>',
      'parallel slots (llama-server -np), each with its own KV cache',
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
    .option('--json', 'print JSON')
    .action(
      async (options: {
        gguf?: string;
        params?: string;
        quant?: string;
        ctx: number;
        kvCache: string;
        parallel: number;
        layers?: number;
        kvHeads?: number;
        headDim?: number;
        gpuMemory?: number;
        json?: boolean;
      }) => {
        const report = await fitModel({
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
        });
        process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatFitReport(report));
        if (report.verdict === 'does-not-fit') process.exitCode = 1;
      },
    );
}
