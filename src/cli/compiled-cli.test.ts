import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
let outDir: string;

// The published package runs lib/, compiled by scripts/build.mjs: build into a folder of the repository (so
// node_modules and suites/ resolve as they do from lib/) and run it with plain node, no tsx.
beforeAll(async () => {
  outDir = await mkdtemp(path.join(root, '.compiled-test-'));
  await execa('node', ['scripts/build.mjs', '--out', outDir], { cwd: root });
}, 600_000);
afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

function runCompiled(args: string[], cwd = root) {
  return execa('node', [path.join(outDir, 'cli/main.js'), ...args], { cwd, reject: false });
}

describe('the compiled CLI', () => {
  it('prints the version and the command list without TypeScript', async () => {
    const version = await runCompiled(['--version']);
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runCompiled(['--help']);
    expect(help.stdout).toMatch(/run \[options\]|run\s+Run models/);
    expect(help.stdout).toContain('report');
  });

  it('runs a command that reads its copied assets (store migrations)', async () => {
    const dataDir = await mkdtemp(path.join(outDir, 'data-'));
    // The compiled twin of a source file (named from the repository root, so folder moves rewrite it).
    const storeModule = path.join(outDir, path.relative('src', 'src/store/store.ts').replace(/\.ts$/, '.js'));
    const created = await execa('node', [
      '--input-type=module',
      '-e',
      `const { openStore } = await import(${JSON.stringify(storeModule)}); openStore(${JSON.stringify(dataDir)}).close();`,
    ]);
    expect(created.exitCode).toBe(0);
    const report = await runCompiled(['report', '--data-dir', dataDir]);
    expect(report.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find|\.ts'/);
    expect(report.stderr).toMatch(/no run|No run/i);
    const schema = await runCompiled(['config', 'schema']);
    expect(schema.exitCode).toBe(0);
    expect(JSON.parse(schema.stdout)).toHaveProperty('properties');
  });

  it('sends model requests from its request thread without tsx (the copied entry, the compiled worker)', async () => {
    const threadModule = path.join(outDir, 'providers', 'request-thread', 'index.js');
    const script = `
      import http from 'node:http';
      const { requestThread } = await import(${JSON.stringify(threadModule)});
      const server = http.createServer((request, response) => response.end('answered on the thread'));
      server.listen(0, '127.0.0.1', async () => {
        const url = 'http://127.0.0.1:' + server.address().port + '/';
        const response = await requestThread().fetch(url, {}, { queue: 'q', slots: 1, priority: 0 });
        console.log(await response.text());
        server.close();
      });`;
    const sent = await execa('node', ['--input-type=module', '-e', script]);
    expect(sent.stdout.trim()).toBe('answered on the thread');
  });
});
