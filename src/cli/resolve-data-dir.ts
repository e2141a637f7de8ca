import path from 'node:path';
import { loadConfig } from '../run/config.ts';

/**
 * The data directory a reading command uses: `--data-dir` when given, else the `dataDir` of the shakedown.yaml in
 * `directory` (resolved against the config file's folder, as `shakedown run` does), else `.shakedown` there.
 */
export async function resolveDataDir(flag: string | undefined, directory = process.cwd()): Promise<string> {
  if (flag !== undefined) return flag;
  const loaded = await loadConfig({ directory });
  return path.resolve(
    loaded.file ? path.dirname(path.resolve(loaded.file)) : directory,
    loaded.config.dataDir,
  );
}
