/**
 * Drizzle schema of the embedded SQLite store (`.shakedown/shakedown.db`). Changing it requires a new migration:
 * `npx drizzle-kit generate` writes it to `src/store/migrations/`, which is applied on open.
 */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Lifecycle of a run. */
export const runStatuses = ['running', 'completed', 'interrupted', 'failed'] as const;
/** Lifecycle of one attempt of the run matrix. */
export const attemptStatuses = ['pending', 'running', 'finished', 'infrastructure-error'] as const;
/** Outcome of grading a finished attempt. */
export const gradeStatuses = ['resolved', 'unresolved', 'invalid'] as const;

/** One invocation of `shakedown run` (possibly resumed, possibly sharded over several stores). */
export const runs = sqliteTable('runs', {
  id: text('id').primaryKey(),
  createdAt: text('created_at').notNull(),
  finishedAt: text('finished_at'),
  status: text('status', { enum: runStatuses }).notNull(),
  /** The run's configuration with secrets redacted. */
  configJson: text('config_json').notNull(),
  /** sha256 of the normalized matrix-determining config; a resume with a different hash is refused. */
  configHash: text('config_hash').notNull(),
  priceTableVersion: text('price_table_version'),
  simulated: integer('simulated', { mode: 'boolean' }).notNull(),
  notes: text('notes'),
});

/** Models under test in a run. */
export const runModels = sqliteTable(
  'run_models',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    modelId: text('model_id').notNull(),
    label: text('label').notNull(),
    provider: text('provider').notNull(),
    simulated: integer('simulated', { mode: 'boolean' }).notNull(),
    endpointInfoJson: text('endpoint_info_json'),
  },
  (table) => [primaryKey({ columns: [table.runId, table.modelId] })],
);

/** Tasks of a run. */
export const runTasks = sqliteTable(
  'run_tasks',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    taskId: text('task_id').notNull(),
    suite: text('suite'),
    taskHash: text('task_hash').notNull(),
    multiTurn: integer('multi_turn', { mode: 'boolean' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.runId, table.taskId] })],
);

/** One attempt of one model at one task (a cell of the run matrix times attempt index). */
export const attempts = sqliteTable(
  'attempts',
  {
    id: text('id').primaryKey(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    modelId: text('model_id').notNull(),
    taskId: text('task_id').notNull(),
    attemptIndex: integer('attempt_index').notNull(),
    status: text('status', { enum: attemptStatuses }).notNull(),
    /** The transcript's `attempt-finished` status. */
    agentStatus: text('agent_status'),
    gradeStatus: text('grade_status', { enum: gradeStatuses }),
    resolved: integer('resolved', { mode: 'boolean' }),
    partialScore: real('partial_score'),
    constraintsKept: integer('constraints_kept'),
    constraintsTotal: integer('constraints_total'),
    gradeJson: text('grade_json'),
    startedAt: text('started_at'),
    finishedAt: text('finished_at'),
    wallMs: real('wall_ms'),
    modelMs: real('model_ms'),
    toolMs: real('tool_ms'),
    testMs: real('test_ms'),
    steps: integer('steps'),
    inputTokens: integer('input_tokens'),
    cachedInputTokens: integer('cached_input_tokens'),
    outputTokens: integer('output_tokens'),
    reasoningTokens: integer('reasoning_tokens'),
    costUsd: real('cost_usd'),
    transcriptPath: text('transcript_path'),
    /** Redacted error message (infrastructure errors, crashes). */
    error: text('error'),
    /** Which worker / host produced the attempt. */
    worker: text('worker'),
    infrastructureRetries: integer('infrastructure_retries').notNull().default(0),
  },
  (table) => [
    uniqueIndex('attempts_matrix_cell').on(table.runId, table.modelId, table.taskId, table.attemptIndex),
    index('attempts_run_id').on(table.runId),
    index('attempts_run_id_status').on(table.runId, table.status),
  ],
);

/** The transcript events of an attempt, one row per event; `(attempt_id, sequence)` makes ingest idempotent. */
export const events = sqliteTable(
  'events',
  {
    attemptId: text('attempt_id')
      .notNull()
      .references(() => attempts.id, { onDelete: 'cascade' }),
    sequence: integer('sequence').notNull(),
    type: text('type').notNull(),
    time: text('time').notNull(),
    json: text('json').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.attemptId, table.sequence] }),
    index('events_attempt_id').on(table.attemptId),
  ],
);

/** One model step (a `model-response` event), derived from the events on ingest. */
export const steps = sqliteTable(
  'steps',
  {
    attemptId: text('attempt_id')
      .notNull()
      .references(() => attempts.id, { onDelete: 'cascade' }),
    /** Sequence of the `model-response` event. */
    sequence: integer('sequence').notNull(),
    stepIndex: integer('step_index').notNull(),
    ttftMs: real('ttft_ms'),
    ttftSource: text('ttft_source').notNull(),
    prefillTps: real('prefill_tps'),
    decodeTps: real('decode_tps'),
    prefillMs: real('prefill_ms'),
    decodeMs: real('decode_ms'),
    loadMs: real('load_ms'),
    prefillSource: text('prefill_source').notNull(),
    decodeSource: text('decode_source').notNull(),
    wallMs: real('wall_ms').notNull(),
    inputTokens: integer('input_tokens').notNull(),
    cachedInputTokens: integer('cached_input_tokens').notNull(),
    outputTokens: integer('output_tokens').notNull(),
    reasoningTokens: integer('reasoning_tokens').notNull(),
    usageSource: text('usage_source').notNull(),
    finishReason: text('finish_reason').notNull(),
    toolCallCount: integer('tool_call_count').notNull(),
    infrastructureRetries: integer('infrastructure_retries').notNull(),
    simulated: integer('simulated', { mode: 'boolean' }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.attemptId, table.sequence] }),
    index('steps_attempt_id').on(table.attemptId),
  ],
);

/** One tool call (a `tool-call` event joined with its `tool-result`), derived from the events on ingest. */
export const toolCalls = sqliteTable(
  'tool_calls',
  {
    attemptId: text('attempt_id')
      .notNull()
      .references(() => attempts.id, { onDelete: 'cascade' }),
    /** Sequence of the `tool-call` event. */
    sequence: integer('sequence').notNull(),
    stepIndex: integer('step_index').notNull(),
    callId: text('call_id').notNull(),
    name: text('name').notNull(),
    origin: text('origin').notNull(),
    format: text('format').notNull(),
    validity: text('validity').notNull(),
    detail: text('detail'),
    /** Null when no `tool-result` was recorded for the call. */
    durationMs: real('duration_ms'),
    isError: integer('is_error', { mode: 'boolean' }),
  },
  (table) => [
    primaryKey({ columns: [table.attemptId, table.sequence] }),
    index('tool_calls_attempt_id').on(table.attemptId),
  ],
);
