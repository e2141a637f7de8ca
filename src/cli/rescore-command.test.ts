import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeSyntheticRun } from '../metrics/synthetic-run.test-helper.ts';
import { renderHeadlineTable } from '../report/render-markdown-report.ts';
import { openStore } from '../run/store/store.ts';
import { createReportCommand, loadMetricsFromDataDir } from './report-command.ts';
import { createRescoreCommand } from './rescore-command.ts';

let directory: string;
let dataDir: string;
let runId: string;

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'shakedown-rescore-cli-'));
  dataDir = path.join(directory, '.shakedown');
  const store = openStore(dataDir);
  runId = writeSyntheticRun(store);
  store.close();
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function capture(run: () => Promise<unknown>): Promise<string> {
  let output = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    output += String(chunk);
    return true;
  });
  await run();
  vi.restoreAllMocks();
  return output;
}

describe('shakedown rescore', () => {
  it('prints exactly the JSON of `report --format json`', async () => {
    const rescored = await capture(() =>
      createRescoreCommand().parseAsync([runId, '--json', '--data-dir', dataDir], { from: 'user' }),
    );
    const reported = await capture(() =>
      createReportCommand().parseAsync([runId, '--format', 'json', '--data-dir', dataDir], { from: 'user' }),
    );
    expect(rescored).toBe(reported);
    expect(JSON.parse(rescored).models[0].resolved.successes).toBe(9);
  });

  it('prints the headline table of the report, with the simulated warning', async () => {
    const output = await capture(() =>
      createRescoreCommand().parseAsync([runId, '--data-dir', dataDir], { from: 'user' }),
    );
    expect(output).toContain(`Rescored ${runId} from 40 stored attempts (no model was called).`);
    expect(output).toContain('SIMULATED');
    for (const line of renderHeadlineTable(loadMetricsFromDataDir(dataDir, runId)))
      expect(output).toContain(line);
  });

  it("reads the store of shakedown.yaml's dataDir when --data-dir is not given", async () => {
    const project = path.join(directory, 'project');
    mkdirSync(project, { recursive: true });
    writeFileSync(path.join(project, 'shakedown.yaml'), `dataDir: ${path.relative(project, dataDir)}\n`);
    const output = await capture(() => {
      vi.spyOn(process, 'cwd').mockReturnValue(project);
      return createRescoreCommand().parseAsync([runId], { from: 'user' });
    });
    expect(output).toContain(`Rescored ${runId} from 40 stored attempts`);
  });

  it('requires a run id', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await expect(
      createRescoreCommand().exitOverride().parseAsync(['--data-dir', dataDir], { from: 'user' }),
    ).rejects.toThrow(/missing required argument 'run'/);
  });
});
