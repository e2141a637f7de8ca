import { afterEach, describe, expect, it } from 'vitest';
import { referenceModel } from '../../test-support/reference-model.ts';
import { createModelClient } from '../providers/create-model-client.ts';
import { type SimulatedServer, startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import { formatProbeReport } from './format-probe-report.ts';
import type { ProbeProgress } from './probe-progress.ts';
import { EndpointUnreachableError, type ProbeReport, runProbe } from './run-probe.ts';
import { scoreToolCase } from './run-tool-cases.ts';
import { TOOL_CASES } from './tool-cases.ts';

let server: SimulatedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('runProbe', () => {
  it('runs every section, labels a simulated endpoint, and survives a JSON round trip for re-scoring', async () => {
    server = await startSimulatedServer({
      flavour: 'llamacpp',
      script: referenceModel(),
      endpoint: { contextLength: 8192 },
    });
    const client = createModelClient(`llamacpp:${server.url}`, { retry: false });
    const progress: ProbeProgress[] = [];
    const report = await runProbe(client, {
      repeat: 1,
      depths: [1024, 16384],
      concurrency: [1, 2],
      throughputRounds: 1,
      onProgress: (event) => progress.push(event),
    });
    expect(report.simulated).toBe(true);
    expect(report.sections).toEqual(['tools', 'retention', 'throughput']);
    expect(report.endpoint.contextLength).toBe(8192);
    expect(report.tools?.summary.passRate).toBe(1);
    expect(report.retention?.depths.map((depth) => depth.ran)).toEqual([true, false]);
    expect(report.throughput?.levels.map((level) => level.completed)).toEqual([1, 2]);
    expect(report.infrastructureErrors).toBe(0);
    expect(new Set(progress.map((event) => event.section))).toEqual(
      new Set(['tools', 'retention', 'throughput']),
    );

    const stored = JSON.parse(JSON.stringify(report)) as ProbeReport;
    expect(stored).toEqual(report);
    for (const result of stored.tools!.cases) {
      const testCase = TOOL_CASES.find((each) => each.id === result.id)!;
      expect(scoreToolCase(testCase, result.runs[0].turns).passed).toBe(result.runs[0].passed);
    }

    const text = formatProbeReport(report);
    expect(text.split('\n')[0]).toMatch(/SIMULATED/);
    expect(text).toMatch(/Tool calling \(\d+ cases × 1\): pass 100%/);
    expect(text).toMatch(/^16384\s+does not fit/m);
    expect(text).toMatch(/^1024\s+6\/6\s+100%/m);
    expect(text).toMatch(/^2\s+2\/2\s+/m);
  });

  it('runs only the requested sections', async () => {
    server = await startSimulatedServer({ flavour: 'llamacpp', script: referenceModel() });
    const client = createModelClient(`llamacpp:${server.url}`, { retry: false });
    const report = await runProbe(client, { only: ['throughput'], concurrency: [1], throughputRounds: 1 });
    expect(report).toMatchObject({ sections: ['throughput'], tools: null, retention: null });
    expect(server.chatRequests).toHaveLength(1);
    expect(formatProbeReport(report)).not.toMatch(/Tool calling/);
  });

  it('throws EndpointUnreachableError when nothing listens', async () => {
    server = await startSimulatedServer({ script: [] });
    const url = server.url;
    await server.close();
    server = null;
    const client = createModelClient(`llamacpp:${url}`, { retry: false, requestTimeoutMs: 2000 });
    await expect(runProbe(client, { repeat: 1 })).rejects.toBeInstanceOf(EndpointUnreachableError);
  });
});
