/**
 * Test helper: counts the SQL statements a store prepares and the times they run (`all`, `get`, `iterate`, `run`),
 * while `work` runs. Guards that a code path makes a fixed number of queries however many attempts the store holds
 * (a query per attempt or per task would grow with them).
 */
import type Database from 'better-sqlite3';
import type { Store } from '../src/store/store.ts';

/** Statements prepared and executed during one call of `countStoreQueries`. */
export interface QueryCounts {
  prepared: number;
  executed: number;
}

const EXECUTING_METHODS = ['all', 'get', 'iterate', 'run'] as const;

/** Runs `work` with the store's connection instrumented; returns its result and the query counts. */
export async function countStoreQueries<Result>(
  store: Store,
  work: () => Result | Promise<Result>,
): Promise<{ result: Result; counts: QueryCounts }> {
  const connection = store.database.$client;
  const counts: QueryCounts = { prepared: 0, executed: 0 };
  const original = connection.prepare;
  connection.prepare = function countedPrepare(this: Database.Database, source: string) {
    counts.prepared++;
    const statement = original.call(this, source);
    for (const method of EXECUTING_METHODS) {
      const run = statement[method] as (...parameters: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = (...parameters: unknown[]) => {
        counts.executed++;
        return run.apply(statement, parameters);
      };
    }
    return statement;
  } as typeof connection.prepare;
  try {
    return { result: await work(), counts };
  } finally {
    connection.prepare = original;
  }
}
