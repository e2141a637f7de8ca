/** Typed fetches of the viewer API. */
import type {
  AgentComparisonView,
  AttemptDetail,
  AttemptPage,
  LeaderboardEntry,
  RunDetail,
  RunMatrix,
  RunPage,
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
  /** One page of the runs list (newest first): `limit` runs after the first `offset`. */
  runs: (page: { offset: number; limit: number }) =>
    getJson<RunPage>(`api/runs?offset=${page.offset}&limit=${page.limit}`),
  leaderboard: () => getJson<LeaderboardEntry[]>('api/leaderboard'),
  run: (runId: string) => getJson<RunDetail>(`api/runs/${encodeURIComponent(runId)}`),
  /** The run's model × agent cells side by side (`severalAgents` false for a run of one agent). */
  agents: (runId: string) => getJson<AgentComparisonView>(`api/runs/${encodeURIComponent(runId)}/agents`),
  /** One page of the run's task × model matrix: `limit` tasks after the first `offset`. */
  matrix: (runId: string, page: { offset: number; limit: number }) =>
    getJson<RunMatrix>(
      `api/runs/${encodeURIComponent(runId)}/matrix?offset=${page.offset}&limit=${page.limit}`,
    ),
  /** One page of the run's attempts: `limit` after the first `offset` that match the query. */
  attempts: (runId: string, query: AttemptQuery, page: { offset: number; limit: number }) => {
    const parameters = new URLSearchParams(
      Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1])),
    );
    parameters.set('offset', String(page.offset));
    parameters.set('limit', String(page.limit));
    return getJson<AttemptPage>(`api/runs/${encodeURIComponent(runId)}/attempts?${parameters}`);
  },
  attempt: (attemptId: string) => getJson<AttemptDetail>(`api/attempts/${encodeURIComponent(attemptId)}`),
  /** URL of the run's server-sent progress stream. */
  liveUrl: (runId: string) => `api/runs/${encodeURIComponent(runId)}/live`,
};
