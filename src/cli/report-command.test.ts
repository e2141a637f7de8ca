import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureStdout } from '../../test-support/capture-stdout.ts';
import { createSyntheticDataDir } from '../../test-support/synthetic-data-directory.ts';
import { createReportCommand, loadMetricsFromDataDir } from './report-command.ts';
import { resolveDataDir } from './resolve-data-dir.ts';

let directory: string;
let dataDir: string;
let runId: string;

beforeAll(() => {
  ({ directory, dataDir, runId } = createSyntheticDataDir('shakedown-report-cli-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function report(args: string[]): Promise<string> {
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return captureStdout(() => createReportCommand().exitOverride().parseAsync(args, { from: 'user' }));
}

describe('shakedown report', () => {
  it('prints the Markdown report of the newest run by default', async () => {
    const output = await report(['--data-dir', dataDir]);
    expect(output).toContain(`## Shakedown report — ${runId}`);
    expect(output).toContain('47.4% (9/19)');
  });

  it("defaults the data directory to shakedown.yaml's dataDir, resolved against the config's folder", async () => {
    const project = path.join(directory, 'project');
    mkdirSync(project, { recursive: true });
    writeFileSync(path.join(project, 'shakedown.yaml'), `dataDir: ${path.relative(project, dataDir)}\n`);
    vi.spyOn(process, 'cwd').mockReturnValue(project);
    const output = await report([]);
    expect(output).toContain(`## Shakedown report — ${runId}`);
    expect(await resolveDataDir(undefined, project)).toBe(dataDir);
    expect(await resolveDataDir('elsewhere', project)).toBe('elsewhere');
    expect(await resolveDataDir(undefined, path.join(directory, 'empty'))).toBe(
      path.join(directory, 'empty', '.shakedown'),
    );
  });

  it('prints JSON for a named run', async () => {
    const output = await report([runId, '--format', 'json', '--data-dir', dataDir]);
    expect(JSON.parse(output)).toEqual(loadMetricsFromDataDir(dataDir, runId));
  });

  it('compares several runs side by side by agent (md, json and one HTML page)', async () => {
    const output = await report([runId, runId, '--data-dir', dataDir]);
    expect(output).toContain('## Agents side by side');
    expect(output).toContain(`| built-in | ${runId} |`);
    const json = JSON.parse(await report([runId, runId, '-f', 'json', '--data-dir', dataDir]));
    expect(json.rows.map((row: { agent: string }) => row.agent)).toContain('built-in');
    const html = await report([runId, runId, '-f', 'html', '--data-dir', dataDir]);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('data-testid="table-agent-comparison"');
    expect(html).toContain(`<td>built-in</td><td>${runId}</td>`);
    // The synthetic run's simulated model is labelled so on the page.
    expect(html).toContain('data-testid="simulated-banner"');
    expect(html).not.toMatch(/(src|href)=["']?https?:/i);
  });

  it('writes a self-contained HTML file with --out', async () => {
    const file = path.join(directory, 'report.html');
    const output = await report([runId, '-f', 'html', '--out', file, '--data-dir', dataDir]);
    expect(output).toBe('');
    const html = readFileSync(file, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/(src|href)=["']?https?:/i);
  });

  it('rejects an unknown format and explains a missing store or run', async () => {
    await expect(report(['--format', 'pdf', '--data-dir', dataDir])).rejects.toThrow(
      /Allowed choices are md, html, json/,
    );
    expect(() => loadMetricsFromDataDir(path.join(directory, 'nowhere'), undefined)).toThrow(
      /no shakedown store at .*shakedown\.db/,
    );
    expect(() => loadMetricsFromDataDir(dataDir, 'run-missing')).toThrow(/no run run-missing .*recent runs/);
  });
});
