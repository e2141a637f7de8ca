import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/**
 * Downloads of remote GGUF models (`hf:OWNER/REPO:QUANT`, `gguf:https://…/model.gguf`) into a local cache, once,
 * through node-llama-cpp's `resolveModelFile`. Its downloader (ipull) writes `<file>.ipull` with its progress after
 * the data and resumes from the last completed 5 MiB chunk when the process was killed. A second use finds the
 * finished file by name and makes no request (offline included): `hf:OWNER/REPO:QUANT` is saved under a name
 * derived from the URI itself (`hf_OWNER_REPO.QUANT.gguf`), a URL under {@link cacheFileNameOf}.
 */

/** Environment variable naming the model cache folder. */
export const MODEL_CACHE_VARIABLE = 'SHAKEDOWN_MODEL_CACHE';

/** The model cache: `$SHAKEDOWN_MODEL_CACHE`, else `$XDG_CACHE_HOME/shakedown/models`, else `~/.cache/shakedown/models`. */
export function modelCacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env[MODEL_CACHE_VARIABLE]?.trim();
  if (explicit) return path.resolve(explicit);
  const cacheHome = env.XDG_CACHE_HOME?.trim() || path.join(homedir(), '.cache');
  return path.join(cacheHome, 'shakedown', 'models');
}

/** Whether a GGUF model reference (the `model` of a `gguf` spec) must be downloaded first. */
export function isRemoteGguf(model: string): boolean {
  return /^hf:/i.test(model) || /^https?:\/\//i.test(model);
}

/** Download progress. */
export interface DownloadProgress {
  uri: string;
  downloadedBytes: number;
  totalBytes: number;
}

/** Options of {@link downloadGgufModel}. */
export interface DownloadGgufOptions {
  /** Cache folder (default {@link modelCacheDirectory}). */
  directory?: string;
  /** Hugging Face endpoint for `hf:` URIs (default: `HF_ENDPOINT`/`MODEL_ENDPOINT`, else huggingface.co). */
  huggingFaceEndpoint?: string;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

const inFlight = new Map<string, Promise<string>>();

/** What the model cache holds: finished model files and partial downloads (`.ipull`), with their sizes. */
export interface ModelCacheSummary {
  directory: string;
  exists: boolean;
  models: number;
  modelBytes: number;
  partialDownloads: number;
  partialBytes: number;
}

function humanBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  return `${mebibytes(bytes)} MiB`;
}

/** One line about the model cache: its folder, what it holds, and the partial downloads a next use resumes. */
export function formatModelCacheSummary(summary: ModelCacheSummary): string {
  if (!summary.exists || (summary.models === 0 && summary.partialDownloads === 0)) {
    return `model cache: ${summary.directory} (empty; hf: and gguf: models download here once)`;
  }
  const partial =
    summary.partialDownloads > 0
      ? `; ${summary.partialDownloads} partial download(s), ${humanBytes(summary.partialBytes)}, resumed on next use`
      : '';
  return `model cache: ${summary.directory}: ${summary.models} model file(s), ${humanBytes(summary.modelBytes)}${partial}`;
}

/** Sums the model cache folder (for `doctor`). */
export async function summarizeModelCache(directory = modelCacheDirectory()): Promise<ModelCacheSummary> {
  const summary: ModelCacheSummary = {
    directory,
    exists: false,
    models: 0,
    modelBytes: 0,
    partialDownloads: 0,
    partialBytes: 0,
  };
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch {
    return summary;
  }
  summary.exists = true;
  for (const name of entries) {
    const info = await stat(path.join(directory, name)).catch(() => null);
    if (!info?.isFile()) continue;
    if (/\.gguf\.ipull$/i.test(name)) {
      summary.partialDownloads += 1;
      summary.partialBytes += info.size;
    } else if (/\.gguf$/i.test(name)) {
      summary.models += 1;
      summary.modelBytes += info.size;
    }
  }
  return summary;
}

/**
 * The cache file name of a URL: a short hash of the URL, then its last path segment (`3f2a9c1e-model.gguf`), so
 * that a cached file is found without asking the server and two hosts' `model.gguf` never collide. Null for `hf:`
 * URIs, which node-llama-cpp names itself.
 */
export function cacheFileNameOf(uri: string): string | null {
  if (!/^https?:\/\//i.test(uri)) return null;
  const segment = decodeURIComponent(new URL(uri).pathname.split('/').filter(Boolean).at(-1) ?? 'model.gguf');
  const safe = segment.replace(/[^A-Za-z0-9._-]/g, '_');
  const hash = createHash('sha256').update(uri).digest('hex').slice(0, 8);
  return `${hash}-${/\.gguf$/i.test(safe) ? safe : `${safe}.gguf`}`;
}

/**
 * The local path of a remote GGUF model, downloading it into the cache on first use. Concurrent calls for one
 * model share one download. Throws one line naming the model and the reason when it cannot be fetched.
 */
export function downloadGgufModel(uri: string, options: DownloadGgufOptions = {}): Promise<string> {
  const directory = options.directory ?? modelCacheDirectory();
  const key = `${directory}\0${uri}`;
  let download = inFlight.get(key);
  if (!download) {
    download = (async () => {
      const { resolveModelFile } = await import('node-llama-cpp');
      try {
        const fileName = cacheFileNameOf(uri);
        return await resolveModelFile(uri, {
          directory,
          cli: false,
          ...(fileName ? { fileName } : {}),
          ...(options.huggingFaceEndpoint ? { endpoints: { huggingFace: options.huggingFaceEndpoint } } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          onProgress: ({ totalSize, downloadedSize }) =>
            options.onProgress?.({ uri, downloadedBytes: downloadedSize, totalBytes: totalSize }),
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`could not download ${uri} into ${directory}: ${reason.split('\n')[0]}`);
      }
    })();
    inFlight.set(key, download);
    download.then(
      () => inFlight.delete(key),
      () => inFlight.delete(key),
    );
  }
  return download;
}

function mebibytes(bytes: number): string {
  return (bytes / 1024 ** 2).toFixed(1);
}

/**
 * A progress bar on `stream` (stderr): redrawn in place on a terminal, else a line every 10%. Prints nothing when
 * the file is already cached (no progress is reported then).
 */
export function progressBar(
  stream: NodeJS.WriteStream = process.stderr,
): (progress: DownloadProgress) => void {
  let lastTenth = -1;
  return ({ uri, downloadedBytes, totalBytes }) => {
    const share = totalBytes > 0 ? Math.min(1, downloadedBytes / totalBytes) : 0;
    const width = 30;
    const filled = Math.round(share * width);
    const line =
      `downloading ${uri} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` +
      `${Math.floor(share * 100)}% ${mebibytes(downloadedBytes)}/${mebibytes(totalBytes)} MiB`;
    if (stream.isTTY) {
      stream.write(`\r${line}${share >= 1 ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor(share * 10);
    if (tenth > lastTenth) {
      lastTenth = tenth;
      stream.write(`${line}\n`);
    }
  };
}
