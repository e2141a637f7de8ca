/** A hash router: `#/`, `#/leaderboard`, `#/runs/<id>?model=&task=&failure=&status=`, `#/attempts/<id>`. */

/** A parsed route. */
export type Route =
  | { page: 'runs' }
  | { page: 'leaderboard' }
  | { page: 'run'; runId: string; query: URLSearchParams }
  | { page: 'attempt'; attemptId: string }
  | { page: 'not-found'; hash: string };

/** Parses a location hash. */
export function parseRoute(hash: string): Route {
  const [pathPart = '', queryPart = ''] = hash.replace(/^#/, '').split('?');
  const segments = pathPart.split('/').filter((segment) => segment !== '');
  if (segments.length === 0) return { page: 'runs' };
  if (segments[0] === 'leaderboard' && segments.length === 1) return { page: 'leaderboard' };
  if (segments[0] === 'runs' && segments.length === 2)
    return { page: 'run', runId: decodeURIComponent(segments[1]!), query: new URLSearchParams(queryPart) };
  if (segments[0] === 'attempts' && segments.length === 2)
    return { page: 'attempt', attemptId: decodeURIComponent(segments[1]!) };
  return { page: 'not-found', hash };
}

/** The hash of a run page, with optional attempt filters. */
export function runHref(runId: string, query: Record<string, string | undefined> = {}): string {
  const parameters = new URLSearchParams(
    Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
  return `#/runs/${encodeURIComponent(runId)}${parameters.size > 0 ? `?${parameters}` : ''}`;
}

/** The hash of an attempt page. */
export function attemptHref(attemptId: string): string {
  return `#/attempts/${encodeURIComponent(attemptId)}`;
}

/** The hash of the leaderboard across runs. */
export const LEADERBOARD_HREF = '#/leaderboard';
