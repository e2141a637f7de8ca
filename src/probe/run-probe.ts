import { isInfrastructureError } from '../providers/infrastructure-error.ts';
import type { EndpointInfo, ModelClient } from '../providers/types.ts';
import { PROBE_SECTIONS, type ProbeProgressListener, type ProbeSection } from './probe-progress.ts';
import { type RetentionProbeResult, runRetention } from './run-retention.ts';
import { runThroughput, type ThroughputProbeResult } from './run-throughput.ts';
import { runToolCases, type ToolProbeResult } from './run-tool-cases.ts';

/** Everything one probe found about one model endpoint. JSON-serializable; per-case answers are kept for re-scoring. */
export interface ProbeReport {
  version: 1;
  model: string;
  provider: string;
  /** True when any answer came from a simulated server or scripted model: never a real measurement. */
  simulated: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  endpoint: EndpointInfo;
  sections: ProbeSection[];
  tools: ToolProbeResult | null;
  retention: RetentionProbeResult | null;
  throughput: ThroughputProbeResult | null;
  /** Requests that failed for infrastructure reasons (excluded from every model score). */
  infrastructureErrors: number;
  notes: string[];
}

/** Options of {@link runProbe}. */
export interface ProbeOptions {
  /** Runs per tool case and per retention question (default 3). */
  repeat?: number;
  /** Retention depths in tokens (default 1k, 4k, 16k). */
  depths?: readonly number[];
  /** Throughput concurrency levels (default 1, 2, 4). */
  concurrency?: readonly number[];
  /** Sections to run (default all). */
  only?: readonly ProbeSection[];
  /** Throughput batches per level (default 2). */
  throughputRounds?: number;
  /** Throughput time budget per level in milliseconds (default 60 s). */
  throughputLevelTimeBudgetMs?: number;
  onProgress?: ProbeProgressListener;
  signal?: AbortSignal;
}

/** The endpoint could not be reached (or said so): nothing was probed. */
export class EndpointUnreachableError extends Error {
  constructor(
    readonly model: string,
    message: string,
  ) {
    super(`${model} is unreachable: ${message}`);
    this.name = 'EndpointUnreachableError';
  }
}

async function describeEndpoint(client: ModelClient): Promise<EndpointInfo> {
  let endpoint: EndpointInfo;
  try {
    endpoint = await client.describe();
  } catch (error) {
    if (isInfrastructureError(error)) throw new EndpointUnreachableError(client.id, error.message);
    throw error;
  }
  if (!endpoint.reachable) {
    throw new EndpointUnreachableError(client.id, endpoint.notes.join('; ') || 'the endpoint did not answer');
  }
  return endpoint;
}

/**
 * Runs the probe suite against one model: tool-calling reliability with the agent's own tools, context retention
 * by depth, and endpoint throughput by concurrency. Throws {@link EndpointUnreachableError} when the endpoint is
 * unreachable; infrastructure failures during the probe are counted apart from the model's scores.
 */
export async function runProbe(client: ModelClient, options: ProbeOptions = {}): Promise<ProbeReport> {
  const started = new Date();
  const startedMs = performance.now();
  const endpoint = await describeEndpoint(client);
  const sections = PROBE_SECTIONS.filter((section) => (options.only ?? PROBE_SECTIONS).includes(section));
  const repeat = options.repeat ?? 3;
  const common = { onProgress: options.onProgress, signal: options.signal };
  const notes: string[] = [];

  const tools = sections.includes('tools') ? await runToolCases(client, { ...common, repeat }) : null;
  const retention = sections.includes('retention')
    ? await runRetention(client, {
        ...common,
        repeat,
        depths: options.depths,
        contextLength: endpoint.contextLength,
      })
    : null;
  const throughput = sections.includes('throughput')
    ? await runThroughput(client, {
        ...common,
        concurrency: options.concurrency,
        rounds: options.throughputRounds,
        levelTimeBudgetMs: options.throughputLevelTimeBudgetMs,
      })
    : null;

  const infrastructureErrors =
    (tools?.summary.infrastructureErrors ?? 0) +
    (retention?.runs.filter((run) => run.status === 'infrastructure-error').length ?? 0) +
    (throughput?.requests.filter((request) => request.status !== 'ok').length ?? 0);
  if (infrastructureErrors > 0) {
    notes.push(`${infrastructureErrors} request(s) failed for infrastructure reasons and were not scored`);
  }
  const simulated =
    client.simulated ||
    endpoint.simulated ||
    (tools?.cases.some((each) => each.runs.some((run) => run.turns.some((turn) => turn.simulated))) ??
      false) ||
    (retention?.runs.some((run) => run.simulated) ?? false) ||
    (throughput?.requests.some((request) => request.simulated) ?? false);

  return {
    version: 1,
    model: client.id,
    provider: client.provider,
    simulated,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - startedMs),
    endpoint,
    sections,
    tools,
    retention,
    throughput,
    infrastructureErrors,
    notes,
  };
}
