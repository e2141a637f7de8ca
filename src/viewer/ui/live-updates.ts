/** Subscribes to a run's server-sent progress stream. */
import type { LiveProgress } from '../api-types.ts';
import { api } from './api-client.ts';

/** Calls `onProgress` for every progress event until the run ends or the returned function is called. */
export function subscribeToRunProgress(
  runId: string,
  onProgress: (progress: LiveProgress) => void,
  onEnd: (progress: LiveProgress) => void,
): () => void {
  const source = new EventSource(api.liveUrl(runId));
  source.addEventListener('progress', (event) =>
    onProgress(JSON.parse((event as MessageEvent<string>).data)),
  );
  source.addEventListener('end', (event) => {
    source.close();
    onEnd(JSON.parse((event as MessageEvent<string>).data));
  });
  return () => source.close();
}
