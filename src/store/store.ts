import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { and, asc, desc, eq, inArray, type SQL } from 'drizzle-orm';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { parseEvent, type TranscriptEvent } from '../transcript/events.ts';
import { type DerivedStep, type DerivedToolCall, deriveRows, stepRow, toolCallRow } from './derive-rows.ts';
import { redactText, redactValue } from './redact-value.ts';
import { attemptIdOf, createRunId } from './run-id.ts';
import * as schema from './schema.ts';
import { stableStringify } from './stable-json.ts';
import { StoreError } from './store-error.ts';
import type {
  AttemptFilter,
  AttemptGrade,
  AttemptPlan,
  AttemptRecord,
  CreateRunInput,
  FinishAttemptInput,
  RowScope,
  RunModelRecord,
  RunRecord,
  RunStatus,
  RunTaskRecord,
  StepRecord,
  ToolCallRecord,
} from './store-types.ts';

/** File name of the database inside the data directory. */
export const DATABASE_FILE_NAME = 'shakedown.db';
/** Milliseconds a writer waits for another connection's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 10_000;

const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));
const FINISHED_STATUSES = ['finished', 'infrastructure-error'] as const;

/** Options of `openStore`. */
export interface OpenStoreOptions {
  /** Open an existing store read-only (no migrations are applied; its schema must be current). */
  readonly?: boolean;
}

/**
 * Opens (creating when needed) the store `<dataDir>/shakedown.db`, or an in-memory store for `:memory:`. A path
 * ending in `.db` is used as the database file itself. Applies pending migrations, and sets WAL mode,
 * `busy_timeout` and foreign keys.
 */
export function openStore(dataDir: string, options: OpenStoreOptions = {}): Store {
  return Store.open(dataDir, options);
}

/** Resolves a data directory (or a `.db` file, or `:memory:`) to the database file path. */
export function databasePathOf(dataDir: string): string {
  if (dataDir === ':memory:' || dataDir.endsWith('.db')) return dataDir;
  return path.join(dataDir, DATABASE_FILE_NAME);
}

function sleepSync(milliseconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, milliseconds);
}

function parseJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

function toRunRecord(row: typeof schema.runs.$inferSelect): RunRecord {
  const { configJson, ...rest } = row;
  return { ...rest, config: parseJson(configJson) };
}

function toAttemptRecord(row: typeof schema.attempts.$inferSelect): AttemptRecord {
  const { gradeJson, ...rest } = row;
  return { ...rest, grade: parseJson(gradeJson) as AttemptGrade | null };
}

/** Statements of the per-event write path. */
interface EventStatements {
  /** An attempt's status alone (the event path needs no more of its record). */
  attemptStatus: Database.Statement;
  lastSequence: Database.Statement;
  eventJson: Database.Statement;
  insertEvent: Database.Statement;
  insertStep: Database.Statement;
  insertToolCall: Database.Statement;
  completeToolCall: Database.Statement;
  deleteSteps: Database.Statement;
  deleteToolCalls: Database.Statement;
}

const STEP_COLUMNS: ReadonlyArray<readonly [keyof DerivedStep, string]> = [
  ['sequence', 'sequence'],
  ['stepIndex', 'step_index'],
  ['ttftMs', 'ttft_ms'],
  ['ttftSource', 'ttft_source'],
  ['prefillTps', 'prefill_tps'],
  ['decodeTps', 'decode_tps'],
  ['prefillMs', 'prefill_ms'],
  ['decodeMs', 'decode_ms'],
  ['loadMs', 'load_ms'],
  ['prefillSource', 'prefill_source'],
  ['decodeSource', 'decode_source'],
  ['wallMs', 'wall_ms'],
  ['inputTokens', 'input_tokens'],
  ['cachedInputTokens', 'cached_input_tokens'],
  ['outputTokens', 'output_tokens'],
  ['reasoningTokens', 'reasoning_tokens'],
  ['usageSource', 'usage_source'],
  ['finishReason', 'finish_reason'],
  ['toolCallCount', 'tool_call_count'],
  ['infrastructureRetries', 'infrastructure_retries'],
  ['simulated', 'simulated'],
];

const TOOL_CALL_COLUMNS: ReadonlyArray<readonly [keyof DerivedToolCall, string]> = [
  ['sequence', 'sequence'],
  ['stepIndex', 'step_index'],
  ['callId', 'call_id'],
  ['name', 'name'],
  ['origin', 'origin'],
  ['format', 'format'],
  ['validity', 'validity'],
  ['detail', 'detail'],
  ['durationMs', 'duration_ms'],
  ['isError', 'is_error'],
];

function insertStatement(table: string, columns: ReadonlyArray<readonly [string, string]>): string {
  const names = ['attempt_id', ...columns.map(([, column]) => column)];
  const values = ['@attemptId', ...columns.map(([key]) => `@${key}`)];
  return `INSERT INTO ${table} (${names.join(', ')}) VALUES (${values.join(', ')})`;
}

/** SQLite binds no booleans: store them as 0/1, as drizzle's boolean mode does. */
function sqliteValue(value: unknown): unknown {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

function stepParameters(attemptId: string, step: DerivedStep): Record<string, unknown> {
  return Object.fromEntries([
    ['attemptId', attemptId],
    ...STEP_COLUMNS.map(([key]) => [key, sqliteValue(step[key])]),
  ]);
}

function toolCallParameters(attemptId: string, call: DerivedToolCall): Record<string, unknown> {
  return Object.fromEntries([
    ['attemptId', attemptId],
    ...TOOL_CALL_COLUMNS.map(([key]) => [key, sqliteValue(call[key])]),
  ]);
}

function prepareEventStatements(connection: Database.Database): EventStatements {
  return {
    attemptStatus: connection.prepare('SELECT status FROM attempts WHERE id = ?'),
    lastSequence: connection.prepare('SELECT MAX(sequence) AS last FROM events WHERE attempt_id = ?'),
    eventJson: connection.prepare('SELECT json FROM events WHERE attempt_id = ? AND sequence = ?'),
    insertEvent: connection.prepare(
      'INSERT INTO events (attempt_id, sequence, type, time, json) VALUES (?, ?, ?, ?, ?)',
    ),
    insertStep: connection.prepare(insertStatement('steps', STEP_COLUMNS)),
    insertToolCall: connection.prepare(insertStatement('tool_calls', TOOL_CALL_COLUMNS)),
    // The earliest call of that step and id still waiting for its result, as `deriveRows` pairs them.
    completeToolCall: connection.prepare(
      `UPDATE tool_calls SET duration_ms = @durationMs, is_error = @isError
       WHERE attempt_id = @attemptId AND sequence = (
         SELECT MIN(sequence) FROM tool_calls
         WHERE attempt_id = @attemptId AND step_index = @stepIndex AND call_id = @callId AND duration_ms IS NULL)`,
    ),
    deleteSteps: connection.prepare('DELETE FROM steps WHERE attempt_id = ?'),
    deleteToolCalls: connection.prepare('DELETE FROM tool_calls WHERE attempt_id = ?'),
  };
}

/** The embedded SQLite store of runs, attempts and their transcripts. Create it with `openStore`. */
export class Store {
  /** Database file path, or `:memory:`. */
  readonly path: string;
  /** The drizzle database (for queries the methods do not cover); `$client` is the better-sqlite3 connection. */
  readonly database: BetterSQLite3Database<typeof schema> & { $client: Database.Database };
  private readonly connection: Database.Database;
  /** Prepared statements of the per-event hot path, made once per connection. */
  private statementCache: EventStatements | undefined;

  private constructor(databasePath: string, connection: Database.Database) {
    this.path = databasePath;
    this.connection = connection;
    this.database = drizzle(connection, { schema });
  }

  /** See `openStore`. */
  static open(dataDir: string, options: OpenStoreOptions = {}): Store {
    const databasePath = databasePathOf(dataDir);
    const readonly = options.readonly === true;
    if (databasePath !== ':memory:' && !readonly) mkdirSync(path.dirname(databasePath), { recursive: true });
    let connection: Database.Database;
    try {
      connection = new Database(databasePath, readonly ? { readonly: true, fileMustExist: true } : {});
    } catch (error) {
      throw new StoreError(`cannot open store ${databasePath}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      connection.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      if (!readonly) {
        if (databasePath !== ':memory:') connection.pragma('journal_mode = WAL');
        connection.pragma('synchronous = NORMAL');
      }
      connection.pragma('foreign_keys = ON');
      const store = new Store(databasePath, connection);
      store.migrate(readonly);
      return store;
    } catch (error) {
      connection.close();
      if (error instanceof StoreError) throw error;
      throw new StoreError(`cannot open store ${databasePath}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private migrate(readonly: boolean): void {
    const known = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
    const latestKnown = Math.max(...known.map((migration) => migration.folderMillis));
    const applied = (): number | null => {
      const exists = this.connection
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
        .get();
      if (!exists) return null;
      const row = this.connection
        .prepare('SELECT MAX(CAST(created_at AS INTEGER)) AS latest FROM __drizzle_migrations')
        .get() as { latest: number | null };
      return row.latest;
    };
    const before = applied();
    if (before !== null && before > latestKnown) {
      throw new StoreError(
        `store ${this.path} was written by a newer version of shakedown (schema ${before} > ${latestKnown}); upgrade shakedown`,
      );
    }
    if (readonly) {
      if (before !== latestKnown) {
        throw new StoreError(
          `store ${this.path} has an older schema; open it once with this version of shakedown to migrate it`,
        );
      }
      return;
    }
    // Two processes may open a fresh store at once; the loser of the race sees "already exists" or SQLITE_BUSY
    // and retries, by then finding the migrations applied.
    for (let attempt = 1; ; attempt++) {
      try {
        migrate(this.database, { migrationsFolder: MIGRATIONS_FOLDER });
        return;
      } catch (error) {
        const message = (error as Error).message;
        const code = (error as { code?: string }).code;
        const race = code?.startsWith('SQLITE_BUSY') || /already exists/.test(message);
        if (!race || attempt >= 10) {
          throw new StoreError(`cannot migrate store ${this.path}: ${message}`, { cause: error });
        }
        sleepSync(20 * attempt);
      }
    }
  }

  /** Runs `work` in one IMMEDIATE transaction (nested calls become savepoints). */
  transaction<Result>(work: () => Result): Result {
    return this.connection.transaction(work).immediate();
  }

  /** Creates a run with its models and tasks; the config is stored redacted. Throws when the id exists. */
  createRun(input: CreateRunInput): RunRecord {
    const id = input.id ?? createRunId(input.createdAt);
    return this.transaction(() => {
      if (this.getRun(id)) throw new StoreError(`run ${id} already exists`);
      this.database
        .insert(schema.runs)
        .values({
          id,
          createdAt: (input.createdAt ?? new Date()).toISOString(),
          finishedAt: null,
          status: 'running',
          configJson: stableStringify(redactValue(input.config ?? null)),
          configHash: input.configHash,
          priceTableVersion: input.priceTableVersion ?? null,
          simulated: input.simulated,
          notes: redactText(input.notes),
        })
        .run();
      for (const model of input.models) {
        this.database
          .insert(schema.runModels)
          .values({
            runId: id,
            modelId: model.modelId,
            label: model.label ?? model.modelId,
            provider: model.provider,
            simulated: model.simulated,
            endpointInfoJson:
              model.endpointInfo === undefined ? null : stableStringify(redactValue(model.endpointInfo)),
          })
          .run();
      }
      for (const task of input.tasks) {
        this.database
          .insert(schema.runTasks)
          .values({
            runId: id,
            taskId: task.taskId,
            suite: task.suite ?? null,
            taskHash: task.taskHash,
            multiTurn: task.multiTurn ?? false,
          })
          .run();
      }
      return this.requireRun(id);
    });
  }

  /** The run, or null. */
  getRun(id: string): RunRecord | null {
    const row = this.database.select().from(schema.runs).where(eq(schema.runs.id, id)).get();
    return row ? toRunRecord(row) : null;
  }

  private requireRun(id: string): RunRecord {
    const run = this.getRun(id);
    if (!run) throw new StoreError(`no run ${id} in store ${this.path}`);
    return run;
  }

  /** All runs, newest first. */
  listRuns(): RunRecord[] {
    return this.database
      .select()
      .from(schema.runs)
      .orderBy(desc(schema.runs.createdAt), desc(schema.runs.id))
      .all()
      .map(toRunRecord);
  }

  /** The newest run, or null when the store has none. */
  latestRun(): RunRecord | null {
    return this.listRuns()[0] ?? null;
  }

  /** The models of a run. */
  runModels(runId: string): RunModelRecord[] {
    return this.database
      .select()
      .from(schema.runModels)
      .where(eq(schema.runModels.runId, runId))
      .orderBy(asc(schema.runModels.modelId))
      .all()
      .map(({ endpointInfoJson, ...rest }) => ({ ...rest, endpointInfo: parseJson(endpointInfoJson) }));
  }

  /** The tasks of a run. */
  runTasks(runId: string): RunTaskRecord[] {
    return this.database
      .select()
      .from(schema.runTasks)
      .where(eq(schema.runTasks.runId, runId))
      .orderBy(asc(schema.runTasks.taskId))
      .all();
  }

  /** Sets a run's status; a status other than `running` stamps `finished_at`, `running` clears it. */
  markRun(id: string, status: RunStatus, notes?: string): RunRecord {
    return this.transaction(() => {
      this.requireRun(id);
      this.database
        .update(schema.runs)
        .set({
          status,
          finishedAt: status === 'running' ? null : new Date().toISOString(),
          ...(notes === undefined ? {} : { notes: redactText(notes) }),
        })
        .where(eq(schema.runs.id, id))
        .run();
      return this.requireRun(id);
    });
  }

  /**
   * Prepares an interrupted run for resuming: refuses (StoreError) when the matrix config changed, then turns its
   * running attempts back to pending (discarding their partial rows) and marks the run running.
   */
  resumeRun(id: string, configHash: string): { run: RunRecord; resetAttempts: number } {
    return this.transaction(() => {
      const run = this.requireRun(id);
      if (run.configHash !== configHash) {
        throw new StoreError(
          `run ${id} cannot be resumed: its configuration (models, tasks, attempts, limits, protocol) changed ` +
            `(stored hash ${run.configHash.slice(0, 12)}, now ${configHash.slice(0, 12)}); start a new run instead`,
        );
      }
      const resetAttempts = this.resetRunningAttempts(id);
      return { run: this.markRun(id, 'running'), resetAttempts };
    });
  }

  /** Inserts the pending attempts of a run's matrix, leaving existing ones alone. Returns how many were new. */
  ensureAttempts(runId: string, plans: readonly AttemptPlan[]): number {
    return this.transaction(() => {
      this.requireRun(runId);
      let inserted = 0;
      for (const plan of plans) {
        if (!Number.isInteger(plan.attemptIndex) || plan.attemptIndex < 0) {
          throw new StoreError(`attempt index must be a non-negative integer, got ${plan.attemptIndex}`);
        }
        const result = this.database
          .insert(schema.attempts)
          .values({
            id: plan.id ?? attemptIdOf(runId, plan.modelId, plan.taskId, plan.attemptIndex),
            runId,
            modelId: plan.modelId,
            taskId: plan.taskId,
            attemptIndex: plan.attemptIndex,
            status: 'pending',
          })
          .onConflictDoNothing()
          .run();
        inserted += result.changes;
      }
      return inserted;
    });
  }

  /** The attempt, or null. */
  attempt(id: string): AttemptRecord | null {
    const row = this.database.select().from(schema.attempts).where(eq(schema.attempts.id, id)).get();
    return row ? toAttemptRecord(row) : null;
  }

  private requireAttempt(id: string): AttemptRecord {
    const attempt = this.attempt(id);
    if (!attempt) throw new StoreError(`no attempt ${id} in store ${this.path}`);
    return attempt;
  }

  /**
   * Atomically moves a pending attempt to running (stamping `started_at` and the worker). Returns null when the
   * attempt is not pending (another worker claimed it, or it is finished); throws when it does not exist.
   */
  claimAttempt(id: string, worker?: string): AttemptRecord | null {
    return this.transaction(() => {
      this.requireAttempt(id);
      const row = this.database
        .update(schema.attempts)
        .set({ status: 'running', startedAt: new Date().toISOString(), worker: worker ?? null })
        .where(and(eq(schema.attempts.id, id), eq(schema.attempts.status, 'pending')))
        .returning()
        .get();
      return row ? toAttemptRecord(row) : null;
    });
  }

  /** Claims the first pending attempt of a run (by task, model, index), or returns null when none is left. */
  claimNextAttempt(runId: string, worker?: string): AttemptRecord | null {
    return this.transaction(() => {
      const next = this.database
        .select({ id: schema.attempts.id })
        .from(schema.attempts)
        .where(and(eq(schema.attempts.runId, runId), eq(schema.attempts.status, 'pending')))
        .orderBy(asc(schema.attempts.attemptIndex), asc(schema.attempts.taskId), asc(schema.attempts.modelId))
        .limit(1)
        .get();
      return next ? this.claimAttempt(next.id, worker) : null;
    });
  }

  /**
   * Stores transcript events of an attempt (validated and redacted), idempotently by sequence: an event already
   * stored is skipped, one that differs from the stored event of the same sequence is an error. Re-derives the
   * attempt's steps and tool calls. One transaction. Returns how many events were new.
   *
   * `built: true` says the events were built in this process by the typed transcript writer (the live run path,
   * once per step): their schema parse is skipped, the one CPU cost of a flush that grows with event size.
   * Events from elsewhere (merged stores, distributed workers, files) are always parsed; every read parses again.
   */
  recordAttemptEvents(
    attemptId: string,
    events: readonly unknown[],
    options: { built?: boolean } = {},
  ): number {
    return this.transaction(() => {
      const statements = this.eventStatements();
      const attempt = statements.attemptStatus.get(attemptId) as { status: string } | undefined;
      if (!attempt) throw new StoreError(`no attempt ${attemptId} in store ${this.path}`);
      const finished = (FINISHED_STATUSES as readonly string[]).includes(attempt.status);
      let lastSequence = (statements.lastSequence.get(attemptId) as { last: number | null }).last ?? -1;
      let appendOnly = true;
      const added: TranscriptEvent[] = [];
      for (const raw of events) {
        const typed = options.built === true ? (raw as TranscriptEvent) : parseEvent(raw);
        const event = redactValue(typed, { byKeyName: false });
        const json = stableStringify(event);
        const stored = statements.eventJson.get(attemptId, event.sequence) as { json: string } | undefined;
        if (stored) {
          if (stored.json !== json) {
            throw new StoreError(
              `attempt ${attemptId}: event ${event.sequence} (${event.type}) differs from the one already stored`,
            );
          }
          continue;
        }
        if (finished) throw new StoreError(`attempt ${attemptId} is finished; its transcript cannot grow`);
        statements.insertEvent.run(attemptId, event.sequence, event.type, event.time, json);
        if (event.sequence < lastSequence) appendOnly = false;
        lastSequence = Math.max(lastSequence, event.sequence);
        added.push(event);
      }
      // Events appended in order extend the derived rows in O(1) each; an event filling a gap re-derives them all.
      if (!appendOnly) this.rederive(attemptId);
      else for (const event of added) this.applyDerivedRows(attemptId, event, statements);
      return added.length;
    });
  }

  private eventStatements(): EventStatements {
    this.statementCache ??= prepareEventStatements(this.connection);
    return this.statementCache;
  }

  /** Adds the rows one appended event derives: a step, a tool call, or a tool call's result. */
  private applyDerivedRows(attemptId: string, event: TranscriptEvent, statements: EventStatements): void {
    if (event.type === 'model-response') statements.insertStep.run(stepParameters(attemptId, stepRow(event)));
    else if (event.type === 'tool-call')
      statements.insertToolCall.run(toolCallParameters(attemptId, toolCallRow(event)));
    else if (event.type === 'tool-result')
      statements.completeToolCall.run({
        attemptId,
        stepIndex: event.step,
        callId: event.callId,
        durationMs: event.durationMs,
        isError: event.isError ? 1 : 0,
      });
  }

  private rederive(attemptId: string): void {
    const { steps, toolCalls } = deriveRows(this.events(attemptId));
    const statements = this.eventStatements();
    statements.deleteSteps.run(attemptId);
    statements.deleteToolCalls.run(attemptId);
    for (const step of steps) statements.insertStep.run(stepParameters(attemptId, step));
    for (const call of toolCalls) statements.insertToolCall.run(toolCallParameters(attemptId, call));
  }

  /**
   * Finishes a running attempt: records any given events, then the outcome, in one transaction (so a crash never
   * leaves a finished attempt without its events). Missing status and totals come from the stored
   * `attempt-finished` event.
   */
  finishAttempt(id: string, input: FinishAttemptInput = {}): AttemptRecord {
    return this.transaction(() => {
      const attempt = this.requireAttempt(id);
      if (attempt.status !== 'running') {
        throw new StoreError(`attempt ${id} is ${attempt.status}, not running; claim it before finishing it`);
      }
      if (input.events && input.events.length > 0) this.recordAttemptEvents(id, input.events);
      const finishedEvent = this.events(id).findLast((event) => event.type === 'attempt-finished');
      const agentStatus = input.agentStatus ?? finishedEvent?.status ?? null;
      const totals = input.totals ?? finishedEvent?.totals ?? null;
      const grade = input.grade ?? null;
      const retries =
        input.infrastructureRetries ??
        this.steps({ attemptId: id }).reduce((sum, step) => sum + step.infrastructureRetries, 0);
      const status =
        input.status ?? (agentStatus === 'infrastructure-error' ? 'infrastructure-error' : 'finished');
      const row = this.database
        .update(schema.attempts)
        .set({
          status,
          agentStatus,
          gradeStatus: grade?.status ?? null,
          resolved: grade ? grade.status === 'resolved' : null,
          partialScore: grade?.partialScore ?? null,
          constraintsKept: grade?.constraintsKept ?? null,
          constraintsTotal: grade?.constraintsTotal ?? null,
          gradeJson: grade ? stableStringify(redactValue(grade)) : null,
          finishedAt: (input.finishedAt ?? new Date()).toISOString(),
          wallMs: totals?.wallMs ?? null,
          modelMs: totals?.modelMs ?? null,
          toolMs: totals?.toolMs ?? null,
          testMs: input.testMs ?? null,
          steps: totals?.steps ?? null,
          inputTokens: totals?.usage.inputTokens ?? null,
          cachedInputTokens: totals?.usage.cachedInputTokens ?? null,
          outputTokens: totals?.usage.outputTokens ?? null,
          reasoningTokens: totals?.usage.reasoningTokens ?? null,
          costUsd: input.costUsd ?? totals?.costUsd ?? null,
          transcriptPath: input.transcriptPath ?? null,
          error: redactText(input.error),
          infrastructureRetries: retries,
        })
        .where(eq(schema.attempts.id, id))
        .returning()
        .get();
      return toAttemptRecord(row!);
    });
  }

  /** Turns a run's running attempts (left by a crash) back to pending, deleting their events and derived rows. */
  resetRunningAttempts(runId: string): number {
    return this.transaction(() => {
      const running = this.database
        .select({ id: schema.attempts.id })
        .from(schema.attempts)
        .where(and(eq(schema.attempts.runId, runId), eq(schema.attempts.status, 'running')))
        .all()
        .map((row) => row.id);
      if (running.length === 0) return 0;
      this.deleteAttemptRows(running);
      this.database
        .update(schema.attempts)
        .set({ status: 'pending', startedAt: null, worker: null })
        .where(inArray(schema.attempts.id, running))
        .run();
      return running.length;
    });
  }

  /**
   * Turns one attempt back to pending, whatever its status: deletes its events and derived step and tool-call rows
   * and clears its outcome, timing, usage and claim, in one transaction. Throws when the attempt does not exist.
   */
  resetAttempt(id: string): AttemptRecord {
    return this.transaction(() => {
      this.requireAttempt(id);
      this.deleteAttemptRows([id]);
      const row = this.database
        .update(schema.attempts)
        .set({
          status: 'pending',
          agentStatus: null,
          gradeStatus: null,
          resolved: null,
          partialScore: null,
          constraintsKept: null,
          constraintsTotal: null,
          gradeJson: null,
          startedAt: null,
          finishedAt: null,
          wallMs: null,
          modelMs: null,
          toolMs: null,
          testMs: null,
          steps: null,
          inputTokens: null,
          cachedInputTokens: null,
          outputTokens: null,
          reasoningTokens: null,
          costUsd: null,
          transcriptPath: null,
          error: null,
          worker: null,
          infrastructureRetries: 0,
        })
        .where(eq(schema.attempts.id, id))
        .returning()
        .get();
      return toAttemptRecord(row!);
    });
  }

  private deleteAttemptRows(attemptIds: string[]): void {
    this.database.delete(schema.events).where(inArray(schema.events.attemptId, attemptIds)).run();
    this.database.delete(schema.steps).where(inArray(schema.steps.attemptId, attemptIds)).run();
    this.database.delete(schema.toolCalls).where(inArray(schema.toolCalls.attemptId, attemptIds)).run();
  }

  /** Attempts of a run, ordered by model, task and index. */
  attempts(runId: string, filter: AttemptFilter = {}): AttemptRecord[] {
    const conditions: SQL[] = [eq(schema.attempts.runId, runId)];
    if (filter.status !== undefined) {
      const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
      conditions.push(inArray(schema.attempts.status, statuses));
    }
    if (filter.modelId !== undefined) conditions.push(eq(schema.attempts.modelId, filter.modelId));
    if (filter.taskId !== undefined) conditions.push(eq(schema.attempts.taskId, filter.taskId));
    return this.database
      .select()
      .from(schema.attempts)
      .where(and(...conditions))
      .orderBy(asc(schema.attempts.modelId), asc(schema.attempts.taskId), asc(schema.attempts.attemptIndex))
      .all()
      .map(toAttemptRecord);
  }

  /** The stored events of an attempt, by sequence. */
  events(attemptId: string): TranscriptEvent[] {
    return this.database
      .select({ json: schema.events.json })
      .from(schema.events)
      .where(eq(schema.events.attemptId, attemptId))
      .orderBy(asc(schema.events.sequence))
      .all()
      .map((row) => parseEvent(JSON.parse(row.json)));
  }

  /**
   * The events of the given types of every attempt of a run, attempt after attempt (by attempt id, each by
   * sequence), in one query read one row at a time: memory holds one event whatever the run's size. Events are
   * validated as `events` validates them unless `validate` is false (they were validated when stored). Run no other
   * statement of this store until the iteration ends.
   */
  *runEvents(
    runId: string,
    types: readonly TranscriptEvent['type'][],
    options: { validate?: boolean } = {},
  ): Generator<{ attemptId: string; event: TranscriptEvent }> {
    if (types.length === 0) return;
    const rows = this.connection
      .prepare(
        // Walks the (attempt_id, sequence) key in order: no sort of the run's events in memory.
        `SELECT e.attempt_id AS attemptId, e.json FROM events e
         WHERE e.attempt_id IN (SELECT id FROM attempts WHERE run_id = ?)
           AND e.type IN (${types.map(() => '?').join(', ')})
         ORDER BY e.attempt_id, e.sequence`,
      )
      .iterate(runId, ...types) as IterableIterator<{ attemptId: string; json: string }>;
    const validate = options.validate !== false;
    for (const row of rows) {
      const json: unknown = JSON.parse(row.json);
      yield { attemptId: row.attemptId, event: validate ? parseEvent(json) : (json as TranscriptEvent) };
    }
  }

  /** Step rows of one attempt or of a whole run, by attempt and sequence. */
  steps(scope: RowScope): StepRecord[] {
    const attemptIds = this.scopeAttemptIds(scope);
    if (attemptIds.length === 0) return [];
    return this.database
      .select()
      .from(schema.steps)
      .where(inArray(schema.steps.attemptId, attemptIds))
      .orderBy(asc(schema.steps.attemptId), asc(schema.steps.sequence))
      .all();
  }

  /** Tool-call rows of one attempt or of a whole run, by attempt and sequence. */
  toolCalls(scope: RowScope): ToolCallRecord[] {
    const attemptIds = this.scopeAttemptIds(scope);
    if (attemptIds.length === 0) return [];
    return this.database
      .select()
      .from(schema.toolCalls)
      .where(inArray(schema.toolCalls.attemptId, attemptIds))
      .orderBy(asc(schema.toolCalls.attemptId), asc(schema.toolCalls.sequence))
      .all();
  }

  private scopeAttemptIds(scope: RowScope): string[] {
    if ('attemptId' in scope) return [scope.attemptId];
    return this.database
      .select({ id: schema.attempts.id })
      .from(schema.attempts)
      .where(eq(schema.attempts.runId, scope.runId))
      .all()
      .map((row) => row.id);
  }

  /**
   * Copies a finished attempt (with its events) from another store, replacing an unfinished attempt of the same
   * matrix cell. Used by `mergeStores`; the run must exist here.
   */
  importFinishedAttempt(attempt: AttemptRecord, events: readonly TranscriptEvent[]): void {
    this.transaction(() => {
      this.requireRun(attempt.runId);
      const cell = this.database
        .select()
        .from(schema.attempts)
        .where(
          and(
            eq(schema.attempts.runId, attempt.runId),
            eq(schema.attempts.modelId, attempt.modelId),
            eq(schema.attempts.taskId, attempt.taskId),
            eq(schema.attempts.attemptIndex, attempt.attemptIndex),
          ),
        )
        .get();
      const sameId = this.attempt(attempt.id);
      for (const existing of [cell, sameId]) {
        if (!existing) continue;
        if ((FINISHED_STATUSES as readonly string[]).includes(existing.status)) {
          throw new StoreError(`attempt ${existing.id} is already finished in store ${this.path}`);
        }
        this.deleteAttemptRows([existing.id]);
        this.database.delete(schema.attempts).where(eq(schema.attempts.id, existing.id)).run();
      }
      const { grade, ...row } = attempt;
      this.database
        .insert(schema.attempts)
        .values({
          ...row,
          error: redactText(row.error),
          gradeJson: grade ? stableStringify(redactValue(grade)) : null,
        })
        .run();
      this.recordAttemptEventsUnchecked(attempt.id, events);
    });
  }

  private recordAttemptEventsUnchecked(attemptId: string, events: readonly TranscriptEvent[]): void {
    const insert = this.eventStatements().insertEvent;
    for (const raw of events) {
      const event = redactValue(parseEvent(raw), { byKeyName: false });
      insert.run(attemptId, event.sequence, event.type, event.time, stableStringify(event));
    }
    this.rederive(attemptId);
  }

  /** Copies a run with its models and tasks from another store when this store lacks it. Returns true if copied. */
  importRun(run: RunRecord, models: readonly RunModelRecord[], tasks: readonly RunTaskRecord[]): boolean {
    return this.transaction(() => {
      if (this.getRun(run.id)) return false;
      const { config, ...row } = run;
      this.database
        .insert(schema.runs)
        .values({ ...row, notes: redactText(row.notes), configJson: stableStringify(redactValue(config)) })
        .run();
      for (const { endpointInfo, ...model } of models) {
        this.database
          .insert(schema.runModels)
          .values({
            ...model,
            endpointInfoJson: endpointInfo === null ? null : stableStringify(redactValue(endpointInfo)),
          })
          .run();
      }
      for (const task of tasks) this.database.insert(schema.runTasks).values(task).run();
      return true;
    });
  }

  /** Checkpoints the WAL into the database file and closes the connection. */
  close(): void {
    if (!this.connection.open) return;
    if (!this.connection.readonly && this.path !== ':memory:')
      this.connection.pragma('wal_checkpoint(TRUNCATE)');
    this.connection.close();
  }
}
