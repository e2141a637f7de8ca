import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseRunTarget, type RunTarget } from './choose-run-target.ts';
import { parseConfig } from './config.ts';

describe('chooseRunTarget', () => {
  const opened: RunTarget[] = [];
  const folders: string[] = [];
  afterEach(() => {
    for (const target of opened.splice(0)) target.store.close();
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });
  const base = () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'run-target-'));
    folders.push(folder);
    return folder;
  };
  const config = parseConfig('dataDir: data\n');
  const request = (baseDirectory: string) => ({
    config,
    models: [{ id: 'simulated:alpha', protocol: 'auto' as const }],
    tasks: [],
    baseDirectory,
    distributed: false,
    dataDirGiven: false,
  });

  it('opens the configured data folder, relative to the config, for a new run', () => {
    const baseDirectory = base();
    const target = chooseRunTarget(request(baseDirectory));
    opened.push(target);
    expect(target.dataDir).toBe(path.join(baseDirectory, 'data'));
    expect(target.shard).toBeUndefined();
    expect(target.runId).toBeUndefined();
    expect(target.resume).toBeUndefined();
  });

  it('gives a shard its own data folder and a run id derived from the config, the same for every shard', () => {
    const baseDirectory = base();
    const first = chooseRunTarget({ ...request(baseDirectory), shard: '1/2' });
    const second = chooseRunTarget({ ...request(baseDirectory), shard: '2/2' });
    opened.push(first, second);
    expect(first.shard).toEqual({ index: 1, count: 2 });
    expect(first.dataDir).not.toBe(second.dataDir);
    expect(first.dataDir.startsWith(path.join(baseDirectory, 'data'))).toBe(true);
    expect(first.runId).toMatch(/^run-shard-[0-9a-f]{12}$/);
    expect(second.runId).toBe(first.runId);
  });

  it('keeps an explicit run id and data folder of a shard', () => {
    const baseDirectory = base();
    const target = chooseRunTarget({
      ...request(baseDirectory),
      shard: '1/2',
      dataDirGiven: true,
      runId: 'mine',
    });
    opened.push(target);
    expect(target.dataDir).toBe(path.join(baseDirectory, 'data'));
    expect(target.runId).toBe('mine');
  });

  it('refuses a shard of a distributed run and a bad shard, in one line', () => {
    const baseDirectory = base();
    expect(() => chooseRunTarget({ ...request(baseDirectory), shard: '1/2', distributed: true })).toThrow(
      '--shard and --queue do not go together',
    );
    expect(() => chooseRunTarget({ ...request(baseDirectory), shard: '3/2' })).toThrow(/shard/);
  });

  it('says there is nothing to resume in an empty data folder', () => {
    const baseDirectory = base();
    expect(() => chooseRunTarget({ ...request(baseDirectory), resume: true })).toThrow(
      `no interrupted run to resume in ${path.join(baseDirectory, 'data')}`,
    );
  });

  it('resumes the run it is given by id', () => {
    const baseDirectory = base();
    const target = chooseRunTarget({ ...request(baseDirectory), resume: 'run-1' });
    opened.push(target);
    expect(target.resume).toBe('run-1');
    expect(target.runId).toBeUndefined();
  });
});
