/** The embedded SQLite store under `.shakedown/`: runs, attempts, transcripts and rows derived from them. */
export { type DerivedRows, type DerivedStep, type DerivedToolCall, deriveRows } from './derive-rows.ts';
export { type MergeConflict, type MergeReport, mergeStores } from './merge-stores.ts';
export { type RedactValueOptions, redactText, redactValue } from './redact-value.ts';
export { attemptIdOf, createRunId, RUN_ID_PATTERN } from './run-id.ts';
export { computeConfigHash, stableStringify } from './stable-json.ts';
export {
  BUSY_TIMEOUT_MS,
  DATABASE_FILE_NAME,
  databasePathOf,
  type OpenStoreOptions,
  openStore,
  Store,
} from './store.ts';
export { StoreError } from './store-error.ts';
export type * from './store-types.ts';
