import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandbox } from './create-sandbox.ts';
import { detectSandboxSupport, explainBubblewrapFailure } from './detect-sandbox-support.ts';
import { findExecutable } from './find-executable.ts';

const workspace = mkdtempSync(path.join(os.tmpdir(), 'shakedown-detect-test-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));
const docker = await detectSandboxSupport('docker');

describe('detectSandboxSupport', () => {
  it.skipIf(!findExecutable('bwrap'))('finds a working bubblewrap where bwrap is installed', async () => {
    const support = await detectSandboxSupport('bubblewrap');
    expect(support).toEqual({ backend: 'bubblewrap', available: true });
  });

  it('explains a refused namespace with a concrete fix', () => {
    const explained = explainBubblewrapFailure(
      'bwrap: No permissions to create new namespace, likely because the kernel does not allow non-privileged user namespaces.\n',
    );
    expect(explained.reason).toContain('No permissions to create new namespace');
    expect(explained.fix).toContain('--sandbox docker');
  });

  it.skipIf(docker.available)(
    `reports why docker cannot run here (${docker.reason ?? 'docker works'})`,
    async () => {
      expect(docker.available).toBe(false);
      expect(docker.reason).toMatch(/docker/);
      await expect(createSandbox(workspace, { backend: 'docker' })).rejects.toThrow(/unavailable: .*Fix: /);
    },
  );

  it('rejects a missing workspace and bad limits', async () => {
    await expect(createSandbox(path.join(workspace, 'missing'), { backend: 'none' })).rejects.toThrow(
      /does not exist/,
    );
    await expect(createSandbox(workspace, { backend: 'none', limits: { processes: 0 } })).rejects.toThrow(
      /processes/,
    );
  });
});

describe.skipIf(!docker.available)(
  `docker sandbox (live; needs a running engine: ${docker.reason ?? 'engine up'})`,
  () => {
    it('runs a command in an isolated container', async () => {
      const sandbox = await createSandbox(workspace, { backend: 'docker' });
      const result = await sandbox.exec(
        'echo inside > file && cat file && (getent hosts example.com || echo no-network)',
        {
          timeoutMs: 120_000,
        },
      );
      expect(result.stdout).toContain('inside');
      expect(result.stdout).toContain('no-network');
    });
  },
);
