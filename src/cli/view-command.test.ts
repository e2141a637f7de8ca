import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/run-cli.ts';
import { seedViewerStore } from '../../test-support/seed-viewer-store.ts';
import { openStore } from '../store/store.ts';
import { explainListenError } from './view-command.ts';

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
      const runs = (await (await fetch(`${url}api/runs`)).json()) as {
        items: Array<{ id: string }>;
        total: number;
      };
      expect(runs.items.map((run) => run.id)).toEqual([runId]);
      expect(runs.total).toBe(1);
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
    expect(result.stderr).toContain('--data-dir .shakedown-demo');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('rejects an invalid port', async () => {
    const result = await runCli(['view', '--port', 'abc']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('expected a port');
  });

  it('turns a port in use into one line with the --port fix', async () => {
    const { createServer } = await import('node:net');
    const first = createServer();
    await new Promise<void>((resolve) => first.listen(0, '127.0.0.1', resolve));
    const { port } = first.address() as import('node:net').AddressInfo;
    const second = createServer();
    try {
      const error = await new Promise<Error>((resolve) => {
        second.once('error', resolve);
        second.listen(port, '127.0.0.1');
      });
      const explained = explainListenError(error, port);
      expect(explained.message).toBe(
        `port ${port} is already in use (another viewer?): pass --port <another port>, or --port 0 for any free port`,
      );
      const other = new Error('something else');
      expect(explainListenError(other, port)).toBe(other);
    } finally {
      await new Promise<void>((resolve) => first.close(() => resolve()));
    }
  });
});
