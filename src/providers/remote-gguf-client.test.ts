/**
 * hf: and gguf:URL models: downloaded once into the cache from a local HTTP server serving the tiny random-weight
 * GGUF (a Hugging Face look-alike for hf:), then run in-process.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type StaticFileServer, startStaticFileServer } from '../../test-support/static-file-server.ts';
import { writeTinyRandomModel } from '../../test-support/tiny-model.ts';
import { createModelClient } from './create-model-client.ts';
import {
  type DownloadProgress,
  downloadGgufModel,
  MODEL_CACHE_VARIABLE,
  modelCacheDirectory,
  summarizeModelCache,
} from './gguf-download.ts';

let directory: string;
let model: Buffer;
let server: StaticFileServer;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'shakedown-remote-gguf-'));
  const source = path.join(directory, 'source.gguf');
  await writeTinyRandomModel(source, { contextLength: 2048 });
  model = await readFile(source);
  server = await startStaticFileServer({
    '/models/tiny.gguf': { body: model },
    '/models/flaky.gguf': { body: model, dropFirstRangedGetAfter: 40_000 },
    '/v2/tester/tiny-GGUF/manifests/Q8_0': {
      body: { json: { ggufFile: { rfilename: 'tiny-random.Q8_0.gguf' } } },
    },
    '/tester/tiny-GGUF/resolve/main/tiny-random.Q8_0.gguf': { body: model },
  });
});

afterAll(async () => {
  await server?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

function fileGets(filePath: string): number {
  return server.requests.filter((request) => request.method === 'GET' && request.path === filePath).length;
}

describe('remote GGUF models', () => {
  it('gguf:URL downloads once into the cache, with progress, then finds the cached file', async () => {
    const cache = path.join(directory, 'cache-url');
    const uri = `${server.url}/models/tiny.gguf`;
    const progress: DownloadProgress[] = [];
    const first = await downloadGgufModel(uri, {
      directory: cache,
      onProgress: (event) => progress.push(event),
    });
    expect(path.dirname(first)).toBe(cache);
    expect(path.basename(first)).toMatch(/^[0-9a-f]{8}-tiny\.gguf$/);
    expect((await readFile(first)).equals(model)).toBe(true);
    expect(progress.at(-1)).toEqual({ uri, downloadedBytes: model.length, totalBytes: model.length });
    const gets = fileGets('/models/tiny.gguf');
    expect(gets).toBeGreaterThan(0);

    const second = await downloadGgufModel(uri, { directory: cache });
    expect(second).toBe(first);
    expect(fileGets('/models/tiny.gguf')).toBe(gets);
  });

  it('completes a download whose connection drops half way', async () => {
    const cache = path.join(directory, 'cache-flaky');
    const file = await downloadGgufModel(`${server.url}/models/flaky.gguf`, { directory: cache });
    expect((await readFile(file)).equals(model)).toBe(true);
    const ranged = server.requests.filter(
      (request) => request.path === '/models/flaky.gguf' && request.headers.range,
    );
    expect(ranged.length).toBeGreaterThanOrEqual(2);
  });

  it('hf:OWNER/REPO:QUANT resolves through the Hugging Face manifest of the configured endpoint', async () => {
    const cache = path.join(directory, 'cache-hf');
    const file = await downloadGgufModel('hf:tester/tiny-GGUF:Q8_0', {
      directory: cache,
      huggingFaceEndpoint: server.url,
    });
    expect((await readFile(file)).equals(model)).toBe(true);
    expect(server.requests.map((request) => request.path)).toContain('/v2/tester/tiny-GGUF/manifests/Q8_0');
    const gets = fileGets('/tester/tiny-GGUF/resolve/main/tiny-random.Q8_0.gguf');
    expect(gets).toBeGreaterThan(0);
    const again = await downloadGgufModel('hf:tester/tiny-GGUF:Q8_0', {
      directory: cache,
      huggingFaceEndpoint: server.url,
    });
    expect(again).toBe(file);
    expect(fileGets('/tester/tiny-GGUF/resolve/main/tiny-random.Q8_0.gguf')).toBe(gets);
  });

  it('a second use, the host stopped, runs from the cache without any request (hf: needs no manifest)', async () => {
    const cache = path.join(directory, 'cache-offline');
    const host = await startStaticFileServer({
      '/v2/tester/tiny-GGUF/manifests/Q8_0': {
        body: { json: { ggufFile: { rfilename: 'tiny-random.Q8_0.gguf' } } },
      },
      '/tester/tiny-GGUF/resolve/main/tiny-random.Q8_0.gguf': { body: model },
      '/models/tiny.gguf': { body: model },
    });
    const hfUri = 'hf:tester/tiny-GGUF:Q8_0';
    const urlUri = `${host.url}/models/tiny.gguf`;
    let hfFile: string;
    let urlFile: string;
    try {
      hfFile = await downloadGgufModel(hfUri, { directory: cache, huggingFaceEndpoint: host.url });
      urlFile = await downloadGgufModel(urlUri, { directory: cache });
      const requests = host.requests.length;
      expect(await downloadGgufModel(hfUri, { directory: cache, huggingFaceEndpoint: host.url })).toBe(
        hfFile,
      );
      expect(await downloadGgufModel(urlUri, { directory: cache })).toBe(urlFile);
      expect(host.requests.length).toBe(requests);
    } finally {
      await host.close();
    }
    expect(await downloadGgufModel(hfUri, { directory: cache, huggingFaceEndpoint: host.url })).toBe(hfFile);
    expect(await downloadGgufModel(urlUri, { directory: cache })).toBe(urlFile);
    const summary = await summarizeModelCache(cache);
    expect(summary).toMatchObject({
      directory: cache,
      exists: true,
      models: 2,
      modelBytes: 2 * model.length,
    });

    vi.stubEnv(MODEL_CACHE_VARIABLE, cache);
    vi.stubEnv('HF_ENDPOINT', host.url);
    const client = createModelClient(hfUri, { retry: false, threads: 1, numCtx: 512 });
    try {
      const result = await client.step({
        messages: [{ role: 'user', content: 'Say hello.' }],
        tools: [],
        maxOutputTokens: 2,
        seed: 1,
      });
      expect(result.usage.outputTokens).toBeGreaterThan(0);
    } finally {
      vi.unstubAllEnvs();
      await client.close?.();
    }
  });

  it('names the model and the reason in one line when the download fails', async () => {
    const cache = path.join(directory, 'cache-missing');
    await expect(
      downloadGgufModel(`${server.url}/models/missing.gguf`, { directory: cache }),
    ).rejects.toThrow(
      new RegExp(`^could not download ${server.url}/models/missing.gguf into ${cache}: [^\\n]+$`),
    );
  });

  it('--model gguf:http://…/x.gguf runs the downloaded model in-process, its id the URL', async () => {
    const cache = path.join(directory, 'cache-client');
    vi.stubEnv(MODEL_CACHE_VARIABLE, cache);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const uri = `${server.url}/models/tiny.gguf`;
    const client = createModelClient(`gguf:${uri}`, { retry: false, threads: 1, numCtx: 512 });
    try {
      expect(modelCacheDirectory()).toBe(cache);
      expect(client.id).toBe(`gguf:${uri}`);
      const result = await client.step({
        messages: [{ role: 'user', content: 'Say hello.' }],
        tools: [],
        maxOutputTokens: 4,
        seed: 1,
      });
      expect(result.provider).toBe('gguf');
      expect(result.simulated).toBe(false);
      expect(result.usage.outputTokens).toBeGreaterThan(0);
      const bar = stderr.mock.calls.map(([chunk]) => String(chunk)).join('');
      expect(bar).toContain(`downloading ${uri} [`);
      expect(bar).toContain('100%');
    } finally {
      stderr.mockRestore();
      vi.unstubAllEnvs();
      await client.close?.();
    }
  });
});
