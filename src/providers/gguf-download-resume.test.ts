/**
 * A download killed half way (SIGKILL, nothing flushed on purpose) resumes on the next run: only the bytes not yet
 * saved are requested again, with Range, and the finished file is byte-identical to the served one.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type StaticFileServer,
  type StaticRoute,
  startStaticFileServer,
} from '../../test-support/static-file-server.ts';
import { writeTinyRandomModel } from '../../test-support/tiny-model.ts';
import { cacheFileNameOf } from './gguf-download.ts';

const REPOSITORY = path.resolve(import.meta.dirname, '../..');
const CHILD = path.join(REPOSITORY, 'test-support/download-gguf-child.ts');

let directory: string;
let model: Buffer;
let server: StaticFileServer;
let route: StaticRoute;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'shakedown-resume-'));
  const source = path.join(directory, 'source.gguf');
  // Large enough (about 16 MiB) for several of the downloader's 5 MiB chunks.
  await writeTinyRandomModel(source, { vocabulary: 32768, embedding: 64 });
  model = await readFile(source);
  route = { body: model, holdFrom: Math.floor((model.length * 2) / 3) };
  server = await startStaticFileServer({ '/models/big.gguf': route });
});

afterAll(async () => {
  await server?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

interface SavedProgress {
  chunks: number[];
  chunkSize: number;
}

/** The progress ipull keeps after the data in `<file>.ipull`, once it parses. */
async function savedProgress(partial: string, dataBytes: number): Promise<SavedProgress | null> {
  const handle = await open(partial, 'r').catch(() => null);
  if (!handle) return null;
  try {
    const { size } = await handle.stat();
    if (size <= dataBytes) return null;
    const buffer = Buffer.alloc(size - dataBytes);
    await handle.read(buffer, 0, buffer.length, dataBytes);
    return JSON.parse(buffer.toString('utf8')) as SavedProgress;
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

/**
 * Starts the downloader as one Node process with tsx's loader in it. Through the `tsx` command, the download would
 * run in a child of the process the SIGKILL reaches, and go on after "the kill", finishing chunks the test has
 * already counted as missing.
 */
function startChild(uri: string, cache: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, uri, cache], {
    cwd: REPOSITORY,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

it('resumes a download whose process was killed, requesting only the missing bytes', {
  timeout: 300_000,
}, async () => {
  const cache = path.join(directory, 'cache');
  const uri = `${server.url}/models/big.gguf`;
  const partial = path.join(cache, `${cacheFileNameOf(uri)}.ipull`);

  const first = startChild(uri, cache);
  // Wait for at least one finished chunk on disk: the host sends nothing past the middle of the file.
  let saved: SavedProgress | null = null;
  while (!saved?.chunks.includes(2)) {
    const code = await Promise.race([
      first.exited,
      new Promise((resolve) => setTimeout(resolve, 100, 'running')),
    ]);
    if (code !== 'running') throw new Error(`download child ended early: ${JSON.stringify(first.output())}`);
    saved = await savedProgress(partial, model.length);
  }
  first.child.kill('SIGKILL');
  await first.exited;
  const firstRunRequests = server.requests.length;
  saved = await savedProgress(partial, model.length);
  if (!saved) throw new Error('no saved progress after the kill');
  const completeBytes = saved.chunks.filter((status) => status === 2).length * saved.chunkSize;
  expect(completeBytes).toBeGreaterThan(0);
  expect(completeBytes).toBeLessThan(model.length);

  // The host recovers: everything is served now.
  route.holdFrom = undefined;
  const second = startChild(uri, cache);
  expect(await second.exited).toBe(0);
  const done = JSON.parse(second.output().stdout.trim().split('\n').at(-1) ?? '{}') as { file?: string };
  expect(done.file).toBe(path.join(cache, cacheFileNameOf(uri) ?? ''));
  expect((await readFile(done.file ?? '')).equals(model)).toBe(true);

  const gets = server.requests.slice(firstRunRequests).filter((request) => request.method === 'GET');
  // Each start probes the size with one plain GET whose body it never reads (the first run made it too); the
  // data then comes in ranged GETs.
  const probes = gets.filter((request) => request.headers.range === undefined);
  expect(probes).toHaveLength(1);
  const ranges = gets
    .filter((request) => request.headers.range !== undefined)
    .map((request) => {
      const match = /^bytes=(\d+)-(\d*)$/.exec(String(request.headers.range));
      if (!match) throw new Error(`unexpected Range header ${request.headers.range}`);
      return { start: Number(match[1]), end: match[2] ? Number(match[2]) : model.length - 1 };
    });
  expect(ranges.length).toBeGreaterThan(0);
  // Exactly the chunks not saved are requested: each of them, none that was. (A range may come twice: the
  // downloader sends a chunk's request again when its first try breaks off, as a full run of the suite showed once.)
  const { chunkSize, chunks } = saved;
  const chunkOf = (offset: number) => Math.floor(offset / chunkSize);
  const requestedChunks = new Set<number>();
  for (const range of ranges) {
    expect(range.start % chunkSize).toBe(0);
    for (let chunk = chunkOf(range.start); chunk <= chunkOf(range.end); chunk++) requestedChunks.add(chunk);
  }
  const chunkCount = Math.ceil(model.length / chunkSize);
  const missing = Array.from({ length: chunkCount }, (_, chunk) => chunk).filter(
    (chunk) => chunks[chunk] !== 2,
  );
  expect([...requestedChunks].sort((a, b) => a - b)).toEqual(missing);
});
