/** Test helper: a temporary data folder whose store holds the synthetic run. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from '../src/store/store.ts';
import { writeSyntheticRun } from './synthetic-run.ts';

/** Makes a folder (`prefix…`, removed by the caller) with `.shakedown/` holding the synthetic run. */
export function createSyntheticDataDir(prefix: string): {
  directory: string;
  dataDir: string;
  runId: string;
} {
  const directory = mkdtempSync(path.join(tmpdir(), prefix));
  const dataDir = path.join(directory, '.shakedown');
  const store = openStore(dataDir);
  const runId = writeSyntheticRun(store);
  store.close();
  return { directory, dataDir, runId };
}
