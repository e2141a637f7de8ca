import { createGgufClient, type GgufClientOptions } from './gguf-client.ts';
import { type DownloadGgufOptions, downloadGgufModel, progressBar } from './gguf-download.ts';
import type { ModelClient } from './types.ts';

/** Options of {@link createRemoteGgufClient}. */
export interface RemoteGgufClientOptions extends Omit<GgufClientOptions, 'modelPath'>, DownloadGgufOptions {
  /** `hf:OWNER/REPO:QUANT` or an http(s) URL of a `.gguf` file. */
  uri: string;
  /** Canonical model id (default `gguf:<uri>`, `hf:` URIs as they are). */
  id?: string;
}

/**
 * An in-process GGUF model that is downloaded into the model cache on first use (progress on stderr by default),
 * then run like a local `.gguf` file. Its id stays the URI the user gave.
 */
export function createRemoteGgufClient(options: RemoteGgufClientOptions): ModelClient {
  const { uri, id, directory, huggingFaceEndpoint, onProgress, signal, ...ggufOptions } = options;
  let inner: Promise<ModelClient> | null = null;
  const client = (): Promise<ModelClient> => {
    inner ??= downloadGgufModel(uri, {
      ...(directory ? { directory } : {}),
      ...(huggingFaceEndpoint ? { huggingFaceEndpoint } : {}),
      ...(signal ? { signal } : {}),
      onProgress: onProgress ?? progressBar(),
    }).then((modelPath) => createGgufClient({ ...ggufOptions, modelPath }));
    // A failed download is tried again on the next call.
    inner.catch(() => {
      inner = null;
    });
    return inner;
  };
  return {
    id: id ?? (/^hf:/i.test(uri) ? uri : `gguf:${uri}`),
    provider: 'gguf',
    model: uri,
    simulated: false,
    step: async (request) => (await client()).step(request),
    describe: async () => (await client()).describe(),
    close: async () => {
      const current = inner;
      inner = null;
      const opened = current ? await current.catch(() => null) : null;
      await opened?.close?.();
    },
  };
}
