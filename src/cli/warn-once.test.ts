import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../sandbox/create-sandbox.ts';
import { warnOnce } from './warn-once.ts';

const directory = mkdtempSync(path.join(tmpdir(), 'shakedown-warn-once-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('warnOnce', () => {
  it("prints backend 'none''s isolation warning once however many sandboxes are created", async () => {
    const lines: string[] = [];
    const write = (text: string) => lines.push(text);
    for (let index = 0; index < 3; index++) {
      const sandbox = await createSandbox(directory, {
        backend: 'none',
        onWarning: (message) => warnOnce(message, write),
      });
      await sandbox.dispose();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warning: sandbox backend 'none': .*NO filesystem or network isolation\n$/);
    warnOnce('something else', write);
    warnOnce('something else', write);
    expect(lines).toEqual([lines[0], 'warning: something else\n']);
  });
});
