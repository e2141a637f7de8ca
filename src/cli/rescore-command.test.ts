import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureStdout } from '../../test-support/capture-stdout.ts';
import { createSyntheticDataDir } from '../../test-support/synthetic-data-directory.ts';
import { renderHeadlineTable } from '../report/render-markdown-report.ts';
import { createReportCommand, loadMetricsFromDataDir } from './report-command.ts';
import { createRescoreCommand } from './rescore-command.ts';

let directory: string;
let dataDir: string;
let runId: string;

beforeAll(() => {
  ({ directory, dataDir, runId } = createSyntheticDataDir('shakedown-rescore-cli-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('shakedown rescore', () => {
  it('prints exactly the JSON of `report --format json`', async () => {
    const rescored = await captureStdout(() =>
      createRescoreCommand().parseAsync([runId, '--json', '--data-dir', dataDir], { from: 'user' }),
    );
    const reported = await captureStdout(() =>
      createReportCommand().parseAsync([runId, '--format', 'json', '--data-dir', dataDir], { from: 'user' }),
    );
    expect(rescored).toBe(reported);
    expect(JSON.parse(rescored).models[0].resolved.successes).toBe(9);
  });

  it('prints the headline table of the report, with the simulated warning', async () => {
    const output = await captureStdout(() =>
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
    const output = await captureStdout(() => {
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
