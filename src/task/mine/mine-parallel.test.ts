import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CandidatesHistory, createCandidatesHistory } from '../../../test-support/candidates-history.ts';
import { type MineProgressEvent, type MineRepositoryOptions, mineRepository } from './mine-repository.ts';
import { mineStateFileName } from './mine-state.ts';

/** Scratch workspace paths (random names) in messages, made comparable. */
const scratchPath = /\/shakedown-mine-[^/\s]+\/work\/[a-z]+-[0-9a-f]+/g;
const normalize = <T>(value: T): T => JSON.parse(JSON.stringify(value).replace(scratchPath, '/SCRATCH'));

/** Everything a mining run leaves: its result, its events, the saved state and every file of every task folder. */
async function mine(options: MineRepositoryOptions) {
  const events: MineProgressEvent[] = [];
  const result = normalize(
    await mineRepository({ ...options, onProgress: (event) => events.push(normalize(event)) }),
  );
  const folders: Record<string, Record<string, string>> = {};
  for (const name of (await readdir(options.outDir)).filter((entry) => !entry.startsWith('.')).sort()) {
    folders[name] = {};
    for (const file of (await readdir(join(options.outDir, name))).sort())
      folders[name][file] = normalize(await readFile(join(options.outDir, name, file), 'utf8'));
  }
  const state = normalize(JSON.parse(await readFile(join(options.outDir, mineStateFileName), 'utf8')));
  return { result, events, folders, state };
}

describe('mineRepository with candidates in parallel', () => {
  let directory: string;
  let history: CandidatesHistory;
  let sequential: Awaited<ReturnType<typeof mine>>;
  const base = () => ({
    repositoryDir: history.repositoryDir,
    runs: 1,
    jobs: 1,
    sandbox: { backend: 'none' as const },
  });
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'shakedown-mine-parallel-test-'));
    history = await createCandidatesHistory(directory);
    sequential = await mine({ ...base(), outDir: join(directory, 'sequential') });
  }, 900_000);
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('mines the fixture as expected one candidate at a time', () => {
    const id = (index: number) => `modules-${history.commits[index].slice(0, 10)}`;
    expect(sequential.result.written).toEqual([id(0), id(2), id(4), id(6)]);
    expect(sequential.result.skipped.map((skip) => skip.sha)).toEqual([
      history.commits[1],
      history.commits[3],
    ]);
    expect(sequential.result.skipped[0].reason).toMatch(/^broken with the commit applied/);
    expect(sequential.result.skipped[1].reason).toMatch(/^no FAIL_TO_PASS/);
    expect(sequential.events.filter((event) => event.kind === 'test-command')).toHaveLength(1);
  });

  it('gives the same tasks, skips, events (in the same order) and state with 3 at a time', {
    timeout: 900_000,
  }, async () => {
    const parallel = await mine({ ...base(), outDir: join(directory, 'parallel'), parallel: 3 });
    expect(parallel.result).toEqual(sequential.result);
    expect(parallel.events).toEqual(sequential.events);
    expect(parallel.state).toEqual(sequential.state);
    expect(parallel.folders).toEqual(sequential.folders);
  });

  it('stops at --max exactly where sequential mining stops, writing nothing past it', {
    timeout: 900_000,
  }, async () => {
    const one = await mine({ ...base(), outDir: join(directory, 'max-sequential'), max: 2 });
    const three = await mine({ ...base(), outDir: join(directory, 'max-parallel'), max: 2, parallel: 3 });
    expect(one.result.written).toHaveLength(2);
    expect(three.result).toEqual(one.result);
    expect(three.events).toEqual(one.events);
    expect(three.state).toEqual(one.state);
    expect(Object.keys(three.folders)).toEqual(Object.keys(one.folders));
  });

  it('resumes after an interruption and ends where an uninterrupted run does', {
    timeout: 900_000,
  }, async () => {
    const outDir = join(directory, 'interrupted');
    const controller = new AbortController();
    const first = await mineRepository({
      ...base(),
      outDir,
      parallel: 3,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.kind === 'task') controller.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    expect(first.written).toEqual(sequential.result.written.slice(0, 1));
    expect((await readdir(outDir)).filter((name) => !name.startsWith('.'))).toEqual(first.written);
    const rest = await mine({ ...base(), outDir, parallel: 3 });
    expect(rest.result.interrupted).toBe(false);
    expect([...first.written, ...rest.result.written]).toEqual(sequential.result.written);
    expect(rest.state).toEqual(sequential.state);
    expect(rest.folders).toEqual(sequential.folders);
  });
});
