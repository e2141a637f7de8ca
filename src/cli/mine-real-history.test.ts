import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedTestRunner } from '../../test-support/pinned-test-runners.ts';
import { runCli } from '../../test-support/run-cli.ts';
import { loadTask } from '../task/load-task.ts';

const bundle = fileURLToPath(
  new URL('../../test-support/fixtures/histories/jshttp-cookie.bundle', import.meta.url),
);
const mocha = pinnedTestRunner('mocha');

// A real history (jshttp/cookie, see test-support/fixtures/histories/PROVENANCE.md) mined through the CLI with the
// test runner the project names (mocha), then every mined task checked with `shakedown task check`.
describe.skipIf(mocha.skip)(`shakedown mine on a real JavaScript history (mocha ${mocha.status})`, () => {
  let directory: string;
  let repositoryDir: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'shakedown-mine-real-test-'));
    repositoryDir = join(directory, 'cookie');
    await execa('git', ['clone', '--quiet', bundle, repositoryDir]);
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('yields tasks whose FAIL_TO_PASS fail at the base and pass with the commit', {
    timeout: 900_000,
  }, async () => {
    if (!mocha.nodeModules) throw new Error(`mocha@${mocha.version} ${mocha.status}`);
    const outDir = join(directory, 'tasks');
    // ab057d6 is "0.7.0"; after it come "Remove more code and perf wins (#172)" and "Allow leading dot for domain
    // (#174)", each changing index.js and test/*.js.
    const mined = await runCli([
      'mine',
      repositoryDir,
      '--out',
      outDir,
      '--since',
      'ab057d6',
      '--runs',
      '2',
      '--sandbox',
      'none',
      '--setup',
      `ln -sfn '${mocha.nodeModules}' node_modules`,
    ]);
    expect(mined.exitCode, mined.stderr).toBe(0);
    expect(mined.stderr).toContain('test command: npx mocha --reporter xunit');
    expect(mined.stderr).toContain('(detected: mocha (package.json))');
    expect(mined.stdout).toContain('2 task(s) written');
    const taskIds = (await readdir(outDir)).filter((name) => !name.startsWith('.')).sort();
    expect(taskIds).toEqual(['cookie-58015c0b93', 'cookie-6a8b8f5a49']);

    const leadingDot = await loadTask(join(outDir, 'cookie-6a8b8f5a49'));
    expect(leadingDot.title).toBe('Allow leading dot for domain');
    expect(leadingDot.failToPass).toEqual([
      'cookie.serialize(name, value, options) with "domain" option::should serialize valid domain',
    ]);
    expect(leadingDot.passToPass.length).toBeGreaterThan(10);
    const perfWins = await loadTask(join(outDir, 'cookie-58015c0b93'));
    expect(perfWins.failToPass.length).toBeGreaterThan(0);
    expect(perfWins.passToPass.length).toBeGreaterThan(10);

    const checked = await runCli([
      'task',
      'check',
      outDir,
      '--runs',
      '1',
      '--json',
      '--sandbox',
      'none',
      '--cache-dir',
      join(directory, 'cache'),
    ]);
    expect(checked.exitCode, `${checked.stdout}\n${checked.stderr}`).toBe(0);
    const reports = JSON.parse(checked.stdout) as { taskId: string; valid: boolean }[];
    expect(reports.map((report) => report.taskId).sort()).toEqual(taskIds);
    expect(reports.every((report) => report.valid)).toBe(true);
  });
});
