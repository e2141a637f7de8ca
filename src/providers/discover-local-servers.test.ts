import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_LOCAL_SERVERS,
  discoverLocalServers,
  LOCAL_SERVERS_VARIABLE,
  localServerCandidates,
  noModelServerHelp,
} from './discover-local-servers.ts';
import { type SimulatedServer, startSimulatedServer } from './simulated/simulated-server.ts';

const servers: SimulatedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function simulated(flavour: 'llamacpp' | 'vllm' | 'lmstudio' | 'openai', model: string) {
  const server = await startSimulatedServer({ script: [], flavour, endpoint: { model } });
  servers.push(server);
  return server;
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as import('node:net').AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

describe('discoverLocalServers', () => {
  it('finds simulated Ollama, llama.cpp, LM Studio and vLLM servers and lists their models as ids', async () => {
    const ollama = await simulated('openai', 'qwen3.5:9b');
    const llamacpp = await simulated('llamacpp', 'qwen3-8b-q4');
    const lmstudio = await simulated('lmstudio', 'qwen/qwen3-8b');
    const vllm = await simulated('vllm', 'Qwen/Qwen3-8B');
    const dead = await closedPort();
    const env = {
      [LOCAL_SERVERS_VARIABLE]: [
        `ollama=${ollama.url}`,
        `llamacpp=${llamacpp.url}/`,
        `lmstudio=${lmstudio.url}`,
        `vllm=${vllm.url}`,
        `ollama=http://127.0.0.1:${dead}`,
      ].join(','),
    };
    // A generous timeout: the simulated servers share this process with a busy test runner.
    const found = await discoverLocalServers({ env, timeoutMs: 60_000 });
    expect(found.map((server) => [server.name, server.modelIds, server.primaryModelIds])).toEqual([
      ['Ollama', [`ollama:qwen3.5:9b@${ollama.url}`], [`ollama:qwen3.5:9b@${ollama.url}`]],
      ['llama.cpp', [`llamacpp:default@${llamacpp.url}`], [`llamacpp:default@${llamacpp.url}`]],
      [
        'LM Studio',
        [`lmstudio:qwen/qwen3-8b@${lmstudio.url}/v1`],
        [`lmstudio:qwen/qwen3-8b@${lmstudio.url}/v1`],
      ],
      ['vLLM', [`vllm:Qwen/Qwen3-8B@${vllm.url}/v1`], [`vllm:Qwen/Qwen3-8B@${vllm.url}/v1`]],
    ]);
    // Ollama was asked for its models and the loaded ones; the OpenAI-compatible servers for /v1/models.
    expect(ollama.requests.map((request) => request.path).sort()).toEqual(['/api/ps', '/api/tags']);
    expect(vllm.requests.map((request) => request.path)).toEqual(['/v1/models']);
  });

  it('finds nothing where nothing listens, and says what to do instead', async () => {
    const port = await closedPort();
    const candidates = [{ provider: 'ollama' as const, url: `http://127.0.0.1:${port}` }];
    expect(await discoverLocalServers({ candidates })).toEqual([]);
    const help = noModelServerHelp(candidates);
    expect(help).toContain(`Ollama http://127.0.0.1:${port}`);
    expect(help).toContain('npx shakedown demo');
    expect(help).toContain('--model hf:');
  });

  it('gives up on a server that does not answer in time', async () => {
    const never: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    const found = await discoverLocalServers({
      candidates: [{ provider: 'vllm', url: 'http://127.0.0.1:8000' }],
      timeoutMs: 50,
      fetch: never,
    });
    expect(found).toEqual([]);
  });

  it('uses the usual ports unless told otherwise, and rejects a malformed override in one line', () => {
    expect(localServerCandidates({})).toEqual(DEFAULT_LOCAL_SERVERS);
    expect(() => localServerCandidates({ [LOCAL_SERVERS_VARIABLE]: 'olama=http://x' })).toThrow(
      /SHAKEDOWN_LOCAL_SERVERS: expected provider=url entries/,
    );
  });
});
