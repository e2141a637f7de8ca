import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { referenceModel } from '../../test-support/reference-model.ts';
import { runCli } from '../../test-support/run-cli.ts';
import { TOOL_CASES } from '../probe/tool-cases.ts';
import { type SimulatedServer, startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import { parseConcurrency, parseDepths, parseSections } from './probe-command.ts';

let server: SimulatedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('probe option parsers', () => {
  it('parse depths, concurrency levels and sections, rejecting bad values', () => {
    expect(parseDepths('1k,4k,16k')).toEqual([1024, 4096, 16384]);
    expect(parseDepths('2000')).toEqual([2000]);
    expect(() => parseDepths('lots')).toThrow(/not a depth/);
    expect(parseConcurrency('1,2,4')).toEqual([1, 2, 4]);
    expect(() => parseConcurrency('0')).toThrow(/positive integer/);
    expect(parseSections('tools,throughput')).toEqual(['tools', 'throughput']);
    expect(() => parseSections('speed')).toThrow(/unknown section/);
  });
});

describe('shakedown probe (real CLI against a simulated llama.cpp server)', () => {
  it('prints a simulated JSON report of the tool cases and writes it to --out', async () => {
    server = await startSimulatedServer({ flavour: 'llamacpp', script: referenceModel() });
    const directory = await mkdtemp(join(tmpdir(), 'shakedown-probe-'));
    try {
      const out = join(directory, 'probe.json');
      const result = await runCli([
        'probe',
        '--model',
        `llamacpp:${server.url}`,
        '--json',
        '--repeat',
        '1',
        '--only',
        'tools',
        '--out',
        out,
      ]);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const output = JSON.parse(result.stdout);
      expect(output.unreachable).toEqual([]);
      const [report] = output.reports;
      expect(report.simulated).toBe(true);
      expect(report.sections).toEqual(['tools']);
      expect(report.retention).toBeNull();
      expect(report.tools.summary.passRate).toBe(1);
      expect(report.tools.cases).toHaveLength(TOOL_CASES.length);
      expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(output);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('exits 1 when the endpoint is unreachable', async () => {
    server = await startSimulatedServer({ script: [] });
    const url = server.url;
    await server.close();
    server = null;
    const result = await runCli(['probe', '--model', `llamacpp:${url}`, '--only', 'tools', '--repeat', '1']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/unreachable/);
  });
});
