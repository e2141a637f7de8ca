import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedViewerStore } from '../../test-support/seed-viewer-store.ts';
import { rawTranscript, transcript } from '../../test-support/transcript-fixture.ts';
import { RUN_ID_PATTERN } from './run-id.ts';
import { computeConfigHash } from './stable-json.ts';
import { openStore } from './store.ts';
import { StoreError } from './store-error.ts';
import type { CreateRunInput } from './store-types.ts';

const config = { models: ['ollama:qwen3.5:9b', 'openai:o3-mini'], tasks: ['suites/demo'], attempts: 2 };

function runInput(overrides: Partial<CreateRunInput> = {}): CreateRunInput {
  return {
    config,
    configHash: computeConfigHash(config),
    priceTableVersion: '2026-11-01',
    simulated: true,
    models: [
      {
        modelId: 'ollama:qwen3.5:9b',
        provider: 'ollama',
        simulated: true,
        endpointInfo: { contextLength: 8192 },
      },
      { modelId: 'openai:o3-mini', label: 'o3-mini', provider: 'openai', simulated: true },
    ],
    tasks: [
      { taskId: 'sum-off-by-one', suite: 'demo', taskHash: 'h1' },
      { taskId: 'parse-dates', suite: 'demo', taskHash: 'h2', multiTurn: true },
    ],
    ...overrides,
  };
}

function matrix() {
  return ['ollama:qwen3.5:9b', 'openai:o3-mini'].flatMap((modelId) =>
    ['sum-off-by-one', 'parse-dates'].flatMap((taskId) =>
      [0, 1].map((attemptIndex) => ({ modelId, taskId, attemptIndex })),
    ),
  );
}

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'shakedown-store-'));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('openStore', () => {
  it('creates the directory and database, applies migrations, and re-opens cleanly', () => {
    const dataDir = path.join(directory, 'nested', '.shakedown');
    const store = openStore(dataDir);
    expect(readdirSync(dataDir)).toContain('shakedown.db');
    const run = store.createRun(runInput());
    store.close();

    const reopened = openStore(dataDir);
    expect(reopened.getRun(run.id)?.configHash).toBe(run.configHash);
    const raw = new Database(path.join(dataDir, 'shakedown.db'), { readonly: true });
    expect(raw.prepare('SELECT COUNT(*) AS count FROM __drizzle_migrations').get()).toEqual({ count: 1 });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    expect(tables.map((row) => (row as { name: string }).name)).toEqual([
      '__drizzle_migrations',
      'attempts',
      'events',
      'run_models',
      'run_tasks',
      'runs',
      'steps',
      'tool_calls',
    ]);
    raw.close();
    reopened.close();
  });

  it('refuses a store written by a newer schema', () => {
    openStore(directory).close();
    const raw = new Database(path.join(directory, 'shakedown.db'));
    raw
      .prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('future', 99999999999999)")
      .run();
    raw.close();
    expect(() => openStore(directory)).toThrow(/newer version of shakedown/);
  });

  it('turns on foreign keys', () => {
    const store = openStore(':memory:');
    expect(() => store.ensureAttempts('run-missing', matrix())).toThrow(StoreError);
    expect(() =>
      store.database.$client
        .prepare(
          "INSERT INTO attempts (id, run_id, model_id, task_id, attempt_index, status) VALUES ('a', 'nope', 'm', 't', 0, 'pending')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    store.close();
  });
});

describe('runs', () => {
  it('creates, lists and marks runs', () => {
    const store = openStore(':memory:');
    const first = store.createRun(runInput({ createdAt: new Date('2026-11-26T13:29:00Z') }));
    const second = store.createRun(
      runInput({ id: 'run-20261127-080000-beef', createdAt: new Date('2026-11-27T08:00:00Z') }),
    );
    expect(first.id).toMatch(RUN_ID_PATTERN);
    expect(first.id.startsWith('run-20261126-132900-')).toBe(true);
    expect(first).toMatchObject({ status: 'running', finishedAt: null, simulated: true, config });
    expect(store.listRuns().map((run) => run.id)).toEqual([second.id, first.id]);
    expect(store.latestRun()?.id).toBe(second.id);
    expect(store.runModels(first.id)).toEqual([
      {
        runId: first.id,
        modelId: 'ollama:qwen3.5:9b',
        label: 'ollama:qwen3.5:9b',
        provider: 'ollama',
        simulated: true,
        endpointInfo: { contextLength: 8192 },
      },
      {
        runId: first.id,
        modelId: 'openai:o3-mini',
        label: 'o3-mini',
        provider: 'openai',
        simulated: true,
        endpointInfo: null,
      },
    ]);
    expect(store.runTasks(first.id).map((task) => [task.taskId, task.multiTurn])).toEqual([
      ['parse-dates', true],
      ['sum-off-by-one', false],
    ]);
    const completed = store.markRun(first.id, 'completed');
    expect(completed.status).toBe('completed');
    expect(completed.finishedAt).not.toBeNull();
    expect(() => store.createRun(runInput({ id: second.id }))).toThrow(/already exists/);
    expect(() => store.markRun('run-nope', 'failed')).toThrow(/no run run-nope/);
    expect(openStore(':memory:').latestRun()).toBeNull();
    store.close();
  });
});

describe('attempt lifecycle', () => {
  it('ensures, claims, records and finishes attempts', () => {
    const store = openStore(':memory:');
    const run = store.createRun(runInput());
    expect(store.ensureAttempts(run.id, matrix())).toBe(8);
    expect(store.ensureAttempts(run.id, matrix())).toBe(0);
    const id = `${run.id}/ollama:qwen3.5:9b/sum-off-by-one/0`;
    expect(store.attempt(id)?.status).toBe('pending');

    const claimed = store.claimAttempt(id, 'worker-a@host');
    expect(claimed).toMatchObject({ status: 'running', worker: 'worker-a@host' });
    expect(claimed?.startedAt).not.toBeNull();
    expect(store.claimAttempt(id, 'worker-b')).toBeNull();

    const events = transcript();
    expect(store.recordAttemptEvents(id, events.slice(0, 7))).toBe(7);
    expect(store.steps({ attemptId: id })).toHaveLength(1);
    expect(store.toolCalls({ attemptId: id }).map((row) => row.durationMs)).toEqual([3, null]);

    const finished = store.finishAttempt(id, {
      events: events.slice(7),
      grade: {
        status: 'unresolved',
        partialScore: 0.5,
        constraintsKept: 1,
        constraintsTotal: 2,
        failing: ['sum adds'],
      },
      testMs: 950,
      transcriptPath: 'transcripts/a.jsonl',
    });
    expect(finished).toMatchObject({
      status: 'finished',
      agentStatus: 'step-limit',
      gradeStatus: 'unresolved',
      resolved: false,
      partialScore: 0.5,
      constraintsKept: 1,
      constraintsTotal: 2,
      steps: 2,
      inputTokens: 2401,
      cachedInputTokens: 1600,
      outputTokens: 128,
      reasoningTokens: 16,
      wallMs: 6000,
      modelMs: 4201,
      toolMs: 1837.5,
      testMs: 950,
      costUsd: 0.0042,
      infrastructureRetries: 2,
      transcriptPath: 'transcripts/a.jsonl',
    });
    expect(finished.grade?.failing).toEqual(['sum adds']);
    expect(store.events(id)).toEqual(events);
    expect(store.toolCalls({ attemptId: id }).map((row) => row.durationMs)).toEqual([3, 1834.5, null]);
    expect(store.steps({ runId: run.id })).toHaveLength(2);
    expect(() => store.finishAttempt(id, {})).toThrow(/is finished, not running/);
    expect(() => store.recordAttemptEvents(id, [{ ...rawTranscript()[0], sequence: 99 }])).toThrow(
      /cannot grow/,
    );

    expect(store.attempts(run.id, { status: 'finished' }).map((attempt) => attempt.id)).toEqual([id]);
    expect(
      store.attempts(run.id, { status: ['pending', 'running'], modelId: 'openai:o3-mini' }),
    ).toHaveLength(4);
    expect(store.attempts(run.id, { taskId: 'parse-dates' })).toHaveLength(4);
    store.close();
  });

  it('records an infrastructure error with a redacted message', () => {
    const store = openStore(':memory:');
    const run = store.createRun(runInput());
    store.ensureAttempts(run.id, matrix());
    const next = store.claimNextAttempt(run.id, 'w');
    expect(next?.attemptIndex).toBe(0);
    const finished = store.finishAttempt(next!.id, {
      agentStatus: 'infrastructure-error',
      error: 'HTTP 401 for key sk-test-1234567890',
      infrastructureRetries: 4,
    });
    expect(finished).toMatchObject({
      status: 'infrastructure-error',
      infrastructureRetries: 4,
      grade: null,
      resolved: null,
    });
    expect(finished.error).not.toContain('sk-test');
    store.close();
  });

  it('ingests the same transcript twice idempotently and rejects a changed event', () => {
    const store = openStore(':memory:');
    const run = store.createRun(runInput());
    store.ensureAttempts(run.id, matrix());
    const id = store.claimNextAttempt(run.id)!.id;
    expect(store.recordAttemptEvents(id, rawTranscript())).toBe(12);
    expect(store.recordAttemptEvents(id, rawTranscript())).toBe(0);
    expect(store.recordAttemptEvents(id, [...transcript()].reverse())).toBe(0);
    expect(store.events(id)).toHaveLength(12);
    expect(store.steps({ attemptId: id })).toHaveLength(2);
    expect(store.toolCalls({ attemptId: id })).toHaveLength(3);
    const changed = { ...rawTranscript()[1], content: 'something else' };
    expect(() => store.recordAttemptEvents(id, [changed])).toThrow(/event 1 \(user-message\) differs/);
    expect(() => store.recordAttemptEvents(id, [{ type: 'tool-call', sequence: 40 }])).toThrow(
      /Invalid transcript event/,
    );
    expect(store.events(id)).toHaveLength(12);
    store.close();
  });

  it('derives the same step and tool-call rows event by event, in batches and out of order', () => {
    const store = openStore(':memory:');
    const run = store.createRun(runInput());
    store.ensureAttempts(run.id, matrix());
    const rowsOf = (id: string) => ({
      steps: store.steps({ attemptId: id }).map(({ attemptId: _, ...row }) => row),
      toolCalls: store.toolCalls({ attemptId: id }).map(({ attemptId: _, ...row }) => row),
    });
    const whole = store.claimNextAttempt(run.id)!.id;
    store.recordAttemptEvents(whole, rawTranscript());
    const expected = rowsOf(whole);
    expect(expected.toolCalls.some((call) => call.durationMs !== null)).toBe(true);

    const oneByOne = store.claimNextAttempt(run.id)!.id;
    for (const event of rawTranscript()) store.recordAttemptEvents(oneByOne, [event]);
    expect(rowsOf(oneByOne)).toEqual(expected);

    const gapFirst = store.claimNextAttempt(run.id)!.id;
    const events = rawTranscript();
    store.recordAttemptEvents(
      gapFirst,
      events.filter((_, index) => index % 2 === 0),
    );
    store.recordAttemptEvents(
      gapFirst,
      events.filter((_, index) => index % 2 === 1),
    );
    expect(rowsOf(gapFirst)).toEqual(expected);

    // Events built by the typed writer skip the schema parse and are stored exactly as parsed ones are.
    const built = store.claimNextAttempt(run.id)!.id;
    for (const event of transcript()) store.recordAttemptEvents(built, [event], { built: true });
    expect(rowsOf(built)).toEqual(expected);
    expect(store.events(built)).toEqual(store.events(whole));
    store.close();
  });

  it('rolls back finishAttempt as a whole when its events are invalid', () => {
    const store = openStore(':memory:');
    const run = store.createRun(runInput());
    store.ensureAttempts(run.id, matrix());
    const id = store.claimNextAttempt(run.id)!.id;
    const events = [...rawTranscript().slice(0, 4), { type: 'tool-result', sequence: 4 }];
    expect(() => store.finishAttempt(id, { events })).toThrow(/Invalid transcript event/);
    expect(store.attempt(id)?.status).toBe('running');
    expect(store.events(id)).toEqual([]);
    store.close();
  });
});

describe('resetAttempt', () => {
  it('clears one attempt back to pending in a transaction, leaving the others alone', () => {
    const store = openStore(':memory:');
    const run = store.createRun(runInput());
    store.ensureAttempts(run.id, matrix());
    const finished = store.claimNextAttempt(run.id, 'w')!;
    store.finishAttempt(finished.id, {
      events: transcript(),
      grade: { status: 'resolved', partialScore: 1, constraintsKept: 0, constraintsTotal: 0 },
      error: 'boom',
    });
    const other = store.claimNextAttempt(run.id, 'w')!;
    store.recordAttemptEvents(other.id, transcript().slice(0, 5));

    const reset = store.resetAttempt(finished.id);
    expect(reset).toMatchObject({
      status: 'pending',
      agentStatus: null,
      gradeStatus: null,
      resolved: null,
      grade: null,
      startedAt: null,
      finishedAt: null,
      steps: null,
      inputTokens: null,
      costUsd: null,
      error: null,
      worker: null,
      infrastructureRetries: 0,
    });
    expect(store.events(finished.id)).toEqual([]);
    expect(store.steps({ attemptId: finished.id })).toEqual([]);
    expect(store.toolCalls({ attemptId: finished.id })).toEqual([]);
    expect(store.events(other.id)).toHaveLength(5);
    expect(store.attempt(other.id)?.status).toBe('running');

    // Claimable again, and its transcript can be written afresh.
    expect(store.claimAttempt(finished.id, 'w2')?.status).toBe('running');
    expect(store.recordAttemptEvents(finished.id, transcript())).toBe(12);
    expect(() => store.resetAttempt('no-such-attempt')).toThrow(StoreError);
    store.close();
  });

  it('rolls back as a whole inside an outer transaction that fails', () => {
    const store = openStore(':memory:');
    const run = store.createRun(runInput());
    store.ensureAttempts(run.id, matrix());
    const attempt = store.claimNextAttempt(run.id, 'w')!;
    store.recordAttemptEvents(attempt.id, transcript().slice(0, 5));
    expect(() =>
      store.transaction(() => {
        store.resetAttempt(attempt.id);
        throw new Error('later step failed');
      }),
    ).toThrow(/later step failed/);
    expect(store.attempt(attempt.id)?.status).toBe('running');
    expect(store.events(attempt.id)).toHaveLength(5);
    store.close();
  });
});

describe('resume', () => {
  it('resets running attempts and refuses a changed config', () => {
    const store = openStore(':memory:');
    const run = store.createRun(runInput());
    store.ensureAttempts(run.id, matrix());
    const done = store.claimNextAttempt(run.id)!;
    store.finishAttempt(done.id, { events: transcript() });
    const partial = store.claimNextAttempt(run.id)!;
    store.recordAttemptEvents(partial.id, transcript().slice(0, 5));
    store.markRun(run.id, 'interrupted');

    const changed = computeConfigHash({ ...config, attempts: 3 });
    expect(() => store.resumeRun(run.id, changed)).toThrow(/configuration .* changed/);
    expect(store.attempt(partial.id)?.status).toBe('running');

    const { run: resumed, resetAttempts } = store.resumeRun(run.id, run.configHash);
    expect(resetAttempts).toBe(1);
    expect(resumed).toMatchObject({ status: 'running', finishedAt: null });
    expect(store.attempt(partial.id)).toMatchObject({ status: 'pending', startedAt: null, worker: null });
    expect(store.events(partial.id)).toEqual([]);
    expect(store.steps({ attemptId: partial.id })).toEqual([]);
    expect(store.toolCalls({ attemptId: partial.id })).toEqual([]);
    expect(store.attempt(done.id)?.status).toBe('finished');
    expect(store.events(done.id)).toHaveLength(12);
    expect(store.ensureAttempts(run.id, matrix())).toBe(0);
    expect(store.attempts(run.id, { status: 'pending' })).toHaveLength(7);
    store.close();
  });
});

describe('secrets', () => {
  it('never writes an API key to the database file', () => {
    const store = openStore(directory);
    const secretConfig = {
      ...config,
      models: [{ id: 'openai:o3-mini', apiKeyEnv: 'OPENAI_API_KEY', apiKey: 'sk-test-123' }],
      headers: { authorization: 'Bearer sk-test-123' },
      note: 'key sk-test-123',
    };
    const run = store.createRun(
      runInput({
        config: secretConfig,
        notes: 'sk-test-123',
        models: [
          {
            modelId: 'openai:o3-mini',
            provider: 'openai',
            simulated: false,
            endpointInfo: { token: 'sk-test-123' },
          },
        ],
      }),
    );
    expect(JSON.stringify(store.getRun(run.id)?.config)).toContain('OPENAI_API_KEY');
    store.ensureAttempts(run.id, [{ modelId: 'openai:o3-mini', taskId: 'sum-off-by-one', attemptIndex: 0 }]);
    const id = store.claimNextAttempt(run.id)!.id;
    store.finishAttempt(id, {
      events: transcript({ secret: 'sk-test-123' }),
      error: 'provider said: invalid api key sk-test-123',
      grade: { status: 'invalid', log: 'Authorization: Bearer sk-test-123' },
    });
    store.close();
    for (const file of readdirSync(directory)) {
      expect(readFileSync(path.join(directory, file)).includes('sk-test-123'), file).toBe(false);
    }
    expect(readFileSync(path.join(directory, 'shakedown.db')).includes('OPENAI_API_KEY')).toBe(true);
  });
});

const here = path.dirname(fileURLToPath(import.meta.url));

/** Runs a TypeScript/JS module body in a child node process; resolves with its output once it prints `marker`. */
function startChild(code: string, marker: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: here,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const reached = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(marker)) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => {
      if (!output.includes(marker)) reject(new Error(`child exited ${code} before "${marker}": ${output}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, reached, exited, output: () => output };
}

describe('concurrency and crashes', () => {
  it('lets a second process write while this one writes (WAL, busy timeout, atomic claims)', async () => {
    const store = openStore(directory);
    const run = store.createRun(runInput());
    const plans = Array.from({ length: 40 }, (_, index) => ({
      modelId: 'm',
      taskId: `t${index}`,
      attemptIndex: 0,
    }));
    store.ensureAttempts(run.id, plans);
    const storeModule = JSON.stringify(path.join(here, 'store.ts'));
    const fixtureModule = JSON.stringify(path.join(here, '../../test-support/transcript-fixture.ts'));
    const worker = startChild(
      `import { openStore } from ${storeModule};
       import { transcript } from ${fixtureModule};
       const store = openStore(${JSON.stringify(directory)});
       console.log('ready');
       let claimed = 0;
       for (let next; (next = store.claimNextAttempt(${JSON.stringify(run.id)}, 'child')); claimed++) {
         store.finishAttempt(next.id, { events: transcript() });
         await new Promise((resolve) => setTimeout(resolve, 2));
       }
       store.close();
       console.log('done ' + claimed);`,
      'ready',
    );
    await worker.reached;
    let claimedHere = 0;
    for (
      let next = store.claimNextAttempt(run.id, 'parent');
      next;
      next = store.claimNextAttempt(run.id, 'parent')
    ) {
      store.finishAttempt(next.id, { events: transcript() });
      claimedHere++;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(await worker.exited).toBe(0);
    const claimedThere = Number(/done (\d+)/.exec(worker.output())?.[1]);
    expect(claimedHere + claimedThere).toBe(40);
    const finished = store.attempts(run.id, { status: 'finished' });
    expect(finished).toHaveLength(40);
    expect(new Set(finished.map((attempt) => attempt.worker))).toEqual(
      new Set([claimedHere > 0 ? 'parent' : null, claimedThere > 0 ? 'child' : null].filter(Boolean)),
    );
    expect(store.steps({ runId: run.id })).toHaveLength(80);
    store.close();
  });

  it('opens cleanly with prior data intact after a writer is killed mid-transaction', async () => {
    const store = openStore(directory);
    const run = store.createRun(runInput());
    store.ensureAttempts(run.id, matrix());
    const id = store.claimNextAttempt(run.id)!.id;
    store.finishAttempt(id, { events: transcript() });
    store.close();

    const databaseFile = JSON.stringify(path.join(directory, 'shakedown.db'));
    const writer = startChild(
      `import Database from 'better-sqlite3';
       const db = new Database(${databaseFile});
       db.pragma('busy_timeout = 5000');
       db.exec('BEGIN IMMEDIATE');
       db.prepare("INSERT INTO runs (id, created_at, status, config_json, config_hash, simulated) VALUES ('run-ghost', 'now', 'running', '{}', 'x', 1)").run();
       db.prepare("UPDATE attempts SET status = 'running' WHERE status = 'pending'").run();
       const insert = db.prepare("INSERT INTO events (attempt_id, sequence, type, time, json) VALUES (?, ?, 'ghost', 'now', ?)");
       for (let index = 100; index < 6000; index++) insert.run(${JSON.stringify(id)}, index, 'x'.repeat(2000));
       console.log('in-transaction');
       setInterval(() => {}, 1000);`,
      'in-transaction',
    );
    await writer.reached;
    // The uncommitted transaction spilled pages into the WAL before the kill.
    expect(statSync(path.join(directory, 'shakedown.db-wal')).size).toBeGreaterThan(1_000_000);
    writer.child.kill('SIGKILL');
    await writer.exited;

    const reopened = openStore(directory);
    expect(reopened.getRun('run-ghost')).toBeNull();
    expect(reopened.events(id)).toEqual(transcript());
    expect(reopened.attempt(id)?.status).toBe('finished');
    expect(reopened.attempts(run.id, { status: 'pending' })).toHaveLength(7);
    expect(reopened.database.$client.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(reopened.claimNextAttempt(run.id)).not.toBeNull();
    reopened.close();
  });
});

describe('runEvents', () => {
  it("streams the run's events of the given types, attempt by attempt in sequence, equal to events()", () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'store-run-events-'));
    const store = openStore(directory);
    try {
      const { runId } = seedViewerStore(store, {
        taskIds: ['a', 'b'],
        attemptsPerCell: 2,
        pendingAttempts: 1,
      });
      const types = ['model-response', 'attempt-finished'] as const;
      const streamed = [...store.runEvents(runId, types)];
      const expected = store
        .attempts(runId)
        .map((attempt) => attempt.id)
        .sort()
        .flatMap((attemptId) =>
          store
            .events(attemptId)
            .filter((event) => (types as readonly string[]).includes(event.type))
            .map((event) => ({ attemptId, event })),
        );
      expect(expected.length).toBeGreaterThan(8);
      expect(streamed).toEqual(expected);
      // Unvalidated, the same events as parsed JSON; no type asked, nothing read.
      expect([...store.runEvents(runId, types, { validate: false })]).toEqual(expected);
      expect([...store.runEvents(runId, [])]).toEqual([]);
      expect([...store.runEvents('run-unknown', types)]).toEqual([]);
    } finally {
      store.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
