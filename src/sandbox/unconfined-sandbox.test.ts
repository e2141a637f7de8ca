import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandbox } from './create-sandbox.ts';

const workspace = mkdtempSync(path.join(os.tmpdir(), 'shakedown-none-test-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe("backend 'none'", () => {
  it('warns, marks itself none, and still enforces timeout, output cap, clean env and group kill', async () => {
    const warnings: string[] = [];
    const sandbox = await createSandbox(workspace, {
      backend: 'none',
      onWarning: (message) => warnings.push(message),
    });
    expect(sandbox.backend).toBe('none');
    expect(warnings.join('\n')).toMatch(/NO filesystem or network isolation/);

    process.env.SHAKEDOWN_TEST_API_KEY = 'sk-none-secret';
    try {
      const environment = await sandbox.exec('pwd; env');
      expect(environment.stdout.startsWith(`${workspace}\n`)).toBe(true);
      expect(environment.stdout).not.toContain('sk-none-secret');
    } finally {
      delete process.env.SHAKEDOWN_TEST_API_KEY;
    }

    const capped = await sandbox.exec('yes', { outputLimitBytes: 5_000, timeoutMs: 10_000 });
    expect(capped).toMatchObject({ outputTruncated: true, timedOut: false });
    expect(capped.stdout.length).toBe(5_000);

    const marker = `shakedown-none-${randomBytes(4).toString('hex')}`;
    const slow = await sandbox.exec(`bash -c "sleep 100; : ${marker}-child" & sleep 100; : ${marker}`, {
      timeoutMs: 500,
    });
    expect(slow).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    let leftovers = '';
    try {
      leftovers = execFileSync('pgrep', ['-af', marker], { encoding: 'utf8' });
    } catch {
      // Nothing matched: every process of the group is gone.
    }
    expect(leftovers).toBe('');

    // Only the generous RLIMIT_AS backstop applies here: Node's fetch (WebAssembly) still works.
    const fetched = await sandbox.exec(
      `node -e "fetch('http://127.0.0.1:1').catch((e) => console.log('ok', e.cause?.code ?? e.message))"`,
      { timeoutMs: 30_000 },
    );
    expect(fetched).toMatchObject({ exitCode: 0 });
    expect(fetched.stdout).toMatch(/^ok (ECONNREFUSED|fetch failed)/);

    const failing = await sandbox.exec('exit 3');
    expect(failing).toMatchObject({ exitCode: 3, signal: null, timedOut: false });
    await sandbox.dispose();
  });
});
