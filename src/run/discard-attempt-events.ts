import { eq } from 'drizzle-orm';
import * as schema from './store/schema.ts';
import type { Store } from './store/store.ts';

/**
 * Deletes the stored events and derived step and tool-call rows of one running attempt, so that a fresh try of
 * it (after an infrastructure error) starts an empty transcript. The attempt row itself is left as it is.
 */
export function discardAttemptEvents(store: Store, attemptId: string): void {
  store.transaction(() => {
    store.database.delete(schema.events).where(eq(schema.events.attemptId, attemptId)).run();
    store.database.delete(schema.steps).where(eq(schema.steps.attemptId, attemptId)).run();
    store.database.delete(schema.toolCalls).where(eq(schema.toolCalls.attemptId, attemptId)).run();
  });
}
