import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';

/** The folder of a run's files under the data folder. */
export function runDirectoryOf(dataDir: string, runId: string): string {
  return path.join(dataDir, 'runs', runId);
}

/** A file-name-safe form of a model id (`openai:o3-mini@http://h:1/v1` → `openai_o3-mini_http_h_1_v1`). */
export function fileSafeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || '_';
}

/** `<dataDir>/runs/<run>/transcripts/<model>--<task>--<index>.jsonl`. */
export function transcriptPathOf(
  dataDir: string,
  runId: string,
  attempt: { modelId: string; taskId: string; attemptIndex: number },
): string {
  const name = `${fileSafeName(attempt.modelId)}--${fileSafeName(attempt.taskId)}--${attempt.attemptIndex}.jsonl`;
  return path.join(runDirectoryOf(dataDir, runId), 'transcripts', name);
}

/**
 * Moves an existing transcript aside into `transcripts/archive/` as `<name>.<reason>-<n>.jsonl` (the first free
 * n), so a fresh try never appends to a partial transcript and nothing already written is lost. Returns the
 * archive path, or null when there was no file.
 */
export async function archiveTranscript(transcriptPath: string, reason: string): Promise<string | null> {
  const exists = await stat(transcriptPath).then(
    () => true,
    () => false,
  );
  if (!exists) return null;
  const archiveDirectory = path.join(path.dirname(transcriptPath), 'archive');
  await mkdir(archiveDirectory, { recursive: true });
  const base = path.basename(transcriptPath, '.jsonl');
  for (let number = 1; ; number++) {
    const target = path.join(archiveDirectory, `${base}.${fileSafeName(reason)}-${number}.jsonl`);
    const taken = await stat(target).then(
      () => true,
      () => false,
    );
    if (!taken) {
      await rename(transcriptPath, target);
      return target;
    }
  }
}
