import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../run/store/store.ts';
import { seedViewerStore } from '../viewer/seed-viewer-store.test-helper.ts';
import { runCli } from './run-cli.test-helper.ts';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function temporaryDirectory(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'view-command-'));
  directories.push(directory);
  return directory;
}

describe('shakedown view (real CLI)', () => {
  it('serves the API and the UI on 127.0.0.1 until stopped', async () => {
    const dataDir = temporaryDirectory();
    const store = openStore(dataDir);
    const { runId } = seedViewerStore(store);
    store.close();
    const child = runCli(['view', '--port', '0', '--data-dir', dataDir]);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
          if (match) resolve(match[1]!);
        });
        child.once('exit', () => reject(new Error(`view exited early: ${output}`)));
      });
      const runs = (await (await fetch(`${url}api/runs`)).json()) as Array<{ id: string }>;
      expect(runs.map((run) => run.id)).toEqual([runId]);
      const page = await (await fetch(url)).text();
      expect(page).toContain('<main id="app">');
    } finally {
      child.kill('SIGTERM');
    }
    // SIGTERM closes the server and the store, then exits cleanly.
    expect((await child).exitCode).toBe(0);
  });

  it('fails with a clear message when there is no store', async () => {
    const result = await runCli(['view', '--data-dir', path.join(temporaryDirectory(), 'none')]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('no store at');
  });

  it('rejects an invalid port', async () => {
    const result = await runCli(['view', '--port', 'abc']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('expected a port');
  });
});
