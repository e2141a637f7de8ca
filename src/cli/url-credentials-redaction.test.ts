import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { seedViewerStore } from '../../test-support/seed-viewer-store.ts';
import { FIXED_SOURCE, writeSyntheticSuite } from '../../test-support/synthetic-suite.ts';
import { type SimulatedServer, startSimulatedServer } from '../providers/simulated/simulated-server.ts';
import { renderHtmlReport, renderJsonReport, renderMarkdownReport } from '../report/index.ts';
import { openStore } from '../store/index.ts';
import { createViewerApp } from '../viewer/server.ts';
import { shownModelId } from '../viewer/ui/format.ts';
import { loadMetricsFromDataDir } from './report-command.ts';
import { runCommand } from './run-command.ts';

/**
 * A whole run against a server whose URL carries credentials (`http://user:pass@host`): the credentials reach the
 * server as Basic auth, and neither the user nor the password appears in any output path: store file bytes,
 * transcript file names and contents, the Markdown, HTML and JSON reports, the viewer API, stdout and stderr.
 */

const USER = 'alice-proxy-user';
const PASSWORD = 's3cret-pass-42';
let directory: string;
let server: SimulatedServer;

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'shakedown-url-credentials-'));
  server = await startSimulatedServer({
    flavour: 'vllm',
    script: (request) => {
      const messages = (request.body as { messages?: Array<{ role: string }> }).messages ?? [];
      if (!messages.some((message) => message.role === 'tool')) {
        return {
          toolCalls: [{ name: 'write_file', arguments: { path: 'src/calc.js', content: FIXED_SOURCE } }],
        };
      }
      return { toolCalls: [{ name: 'finish', arguments: { summary: 'done' } }] };
    },
  });
});

afterEach(async () => {
  await server.close();
  await rm(directory, { recursive: true, force: true });
});

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('credentials in an endpoint URL', () => {
  it('work as Basic auth and never appear in the store, transcripts, reports, viewer API or output', async () => {
    await writeSyntheticSuite(path.join(directory, 'suite'), 1);
    const dataDir = path.join(directory, 'data');
    const serverUrl = new URL(server.url);
    const model = `vllm:simulated-model@http://${USER}:${PASSWORD}@${serverUrl.host}/v1`;
    let output = '';
    const capture = (chunk: unknown) => {
      output += String(chunk);
      return true;
    };
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    let code: number;
    try {
      code = await runCommand({
        model: [model],
        suite: [path.join(directory, 'suite')],
        dataDir,
        sandbox: 'none',
      });
      code += await runCommand({
        model: [model],
        suite: [path.join(directory, 'suite')],
        dataDir,
        sandbox: 'none',
        json: true,
      });
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    expect(code, output).toBe(0);

    // The credentials were really in play: every request carried them as Basic auth.
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    expect(server.requests.length).toBeGreaterThan(0);
    for (const request of server.requests) expect(request.headers.authorization).toBe(basic);

    const outputs: Array<[string, string]> = [['stdout and stderr', output]];
    const files = await filesUnder(dataDir);
    expect(files.some((file) => file.endsWith('.jsonl'))).toBe(true);
    for (const file of files) {
      outputs.push([`file name ${file}`, path.relative(dataDir, file)]);
      outputs.push([`file ${file}`, (await readFile(file)).toString('latin1')]);
    }
    const store = openStore(dataDir);
    try {
      const runs = store.listRuns();
      expect(runs).toHaveLength(2);
      const app = createViewerApp({ store });
      const get = async (route: string) => {
        const response = await app.request(route);
        expect(response.status, route).toBe(200);
        return response.text();
      };
      outputs.push(['/api/runs', await get('/api/runs')]);
      outputs.push(['/api/leaderboard', await get('/api/leaderboard')]);
      for (const run of runs) {
        const metrics = loadMetricsFromDataDir(dataDir, run.id);
        expect(metrics.models.map((entry) => entry.modelId)).toEqual([
          `vllm:simulated-model@http://${serverUrl.host}/v1`,
        ]);
        const markdown = renderMarkdownReport(metrics);
        // The cost note names the model: it is among the outputs checked.
        expect(markdown).toContain(`no price for vllm:simulated-model@http://${serverUrl.host}/v1`);
        outputs.push(['Markdown report', markdown]);
        outputs.push(['JSON report', renderJsonReport(metrics)]);
        outputs.push(['HTML report', renderHtmlReport(metrics)]);
        for (const route of ['', '/matrix', '/attempts']) {
          outputs.push([`/api/runs/${run.id}${route}`, await get(`/api/runs/${run.id}${route}`)]);
        }
        const attempts = store.attempts(run.id);
        expect(attempts.map((attempt) => attempt.status)).toEqual(['finished']);
        for (const attempt of attempts) {
          outputs.push([
            `/api/attempts/${attempt.id}`,
            await get(`/api/attempts/${encodeURIComponent(attempt.id)}`),
          ]);
        }
      }
    } finally {
      store.close();
    }
    const leaks = outputs.filter(
      ([, text]) =>
        text.includes(USER) ||
        text.includes(PASSWORD) ||
        text.includes(encodeURIComponent(PASSWORD)) ||
        text.includes(basic.slice('Basic '.length)),
    );
    expect(leaks.map(([where]) => where)).toEqual([]);
    expect(outputs.length).toBeGreaterThan(10);
  }, 120_000);

  it('stay out of the cost note and the viewer hover titles of a run stored with them in the model id', async () => {
    const dataDir = path.join(directory, 'stored');
    const store = openStore(dataDir);
    try {
      const modelId = `llamacpp:http://${USER}:${PASSWORD}@gpu-box.example.internal:8080`;
      const { runId } = seedViewerStore(store, {
        models: [{ modelId, simulated: false }],
        taskIds: ['sum-off-by-one'],
        attemptsPerCell: 1,
      });
      const metrics = loadMetricsFromDataDir(dataDir, runId);
      const basis = metrics.models[0]!.cost.basis;
      expect(basis).toContain('no price for llamacpp:http://gpu-box.example.internal:8080 in price table');
      const costSection = renderMarkdownReport(metrics).split('**Cost**')[1]!;
      expect(costSection).toContain(basis);
      const html = renderHtmlReport(metrics);
      expect(html).toContain(basis);
      const response = await createViewerApp({ store }).request(`/api/runs/${runId}`);
      const detail = (await response.json()) as { summary: Array<{ cost: { basis: string } }> };
      expect(detail.summary[0]!.cost.basis).toBe(basis);
      for (const text of [basis, costSection, shownModelId(modelId)]) {
        expect(text).not.toContain(USER);
        expect(text).not.toContain(PASSWORD);
      }
    } finally {
      store.close();
    }
  });
});
