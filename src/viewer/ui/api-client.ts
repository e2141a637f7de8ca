/** Typed fetches of the viewer API. */
import type {
  AttemptDetail,
  AttemptListItem,
  LeaderboardEntry,
  RunDetail,
  RunListItem,
  RunMatrix,
} from '../api-types.ts';

async function getJson<Body>(url: string): Promise<Body> {
  const response = await fetch(url);
  const body = (await response.json()) as Body & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${url}: HTTP ${response.status}`);
  return body;
}

/** Query filters of the attempts list. */
export interface AttemptQuery {
  status?: string;
  failure?: string;
  model?: string;
  task?: string;
}

/** The viewer API. */
export const api = {
  runs: () => getJson<RunListItem[]>('api/runs'),
  leaderboard: () => getJson<LeaderboardEntry[]>('api/leaderboard'),
  run: (runId: string) => getJson<RunDetail>(`api/runs/${encodeURIComponent(runId)}`),
  matrix: (runId: string) => getJson<RunMatrix>(`api/runs/${encodeURIComponent(runId)}/matrix`),
  attempts: (runId: string, query: AttemptQuery = {}) => {
    const parameters = new URLSearchParams(
      Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1])),
    );
    const suffix = parameters.size > 0 ? `?${parameters}` : '';
    return getJson<AttemptListItem[]>(`api/runs/${encodeURIComponent(runId)}/attempts${suffix}`);
  },
  attempt: (attemptId: string) => getJson<AttemptDetail>(`api/attempts/${encodeURIComponent(attemptId)}`),
  /** URL of the run's server-sent progress stream. */
  liveUrl: (runId: string) => `api/runs/${encodeURIComponent(runId)}/live`,
};
