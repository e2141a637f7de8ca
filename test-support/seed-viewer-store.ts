/**
 * Test and benchmark helper: seeds a store with a run whose attempts carry realistic, schema-valid transcripts — a
 * valid server-parsed call, a schema error, and an edit recovered from leaked text (with its diff) — and grades
 * with FAIL_TO_PASS / PASS_TO_PASS tables.
 */

import type { Store } from '../src/store/store.ts';
import type { AttemptGrade } from '../src/store/store-types.ts';
import type { AttemptStatus } from '../src/transcript/events.ts';
import {
  attemptStartedEvent,
  call,
  instructionEvent,
  modelRequestEvent,
  modelResponseEvent,
  toolCallEvent,
  toolResultEvent,
} from './transcript-fixture.ts';

/** A model of the seeded run. */
export interface SeedModel {
  modelId: string;
  simulated: boolean;
  /** A `label:` as configured in shakedown.yaml. */
  label?: string;
  /** The endpoint info stored with the model (e.g. an embedded model's `backend`). */
  endpointInfo?: unknown;
}

/** Options of `seedViewerStore`. */
export interface SeedOptions {
  runId?: string;
  models?: SeedModel[];
  taskIds?: string[];
  attemptsPerCell?: number;
  /** How many attempts (the last of the matrix) to leave pending. */
  pendingAttempts?: number;
  /** Creation time of the run (default 2026-11-26 13:00 UTC). */
  createdAt?: Date;
  /** Run status to leave (default `completed`, or `running` when attempts are pending). */
  runStatus?: 'running' | 'completed';
  /**
   * The run's agents as a stored config holds them (`['built-in', { preset: 'qwen-code' }]`): a run with several
   * agents, whose model ids are then cell ids `<model id>~<agent>`. Absent: a run of the built-in agent alone.
   */
  agents?: unknown[];
}

/** Outcomes cycled through the matrix: R resolved, W wrong fix, L step limit, X infrastructure error. */
const OUTCOME_CYCLE = ['R', 'W', 'R', 'L', 'R', 'X'] as const;
type SeedOutcome = (typeof OUTCOME_CYCLE)[number];

const DIFF = [
  '--- a/src/sum.ts',
  '+++ b/src/sum.ts',
  '@@ -1,3 +1,3 @@',
  ' // Adds two numbers.',
  '-export const sum = (a: number, b: number) => a + b + 1;',
  '+export const sum = (a: number, b: number) => a + b;',
  ' export default sum;',
].join('\n');

function time(sequence: number): string {
  return new Date(Date.UTC(2026, 10, 26, 13, 0, sequence)).toISOString();
}

/** The recording proxy's part of an external agent's response (its own TTFT, 90 ms + 10 per step). */
function proxyOf(step: number) {
  return { proxy: { streamed: true, timeToFirstTokenMs: 90 + 10 * step } };
}

function response(
  sequence: number,
  step: number,
  simulated: boolean,
  text: string,
  calls: unknown[],
  external = false,
) {
  const event = modelResponseEvent({
    sequence,
    time: time(sequence),
    step,
    text,
    reasoning: step === 0 ? 'The test expects sum(1, 2) to be 3; read the source first.' : '',
    toolCalls: calls,
    usage: {
      inputTokens: 1500 + 400 * step,
      cachedInputTokens: 1000,
      outputTokens: 80,
      reasoningTokens: 20,
    },
    timings: {
      timeToFirstTokenMs: 250 + 50 * step,
      prefillTokensPerSecond: 1800,
      decodeTokensPerSecond: 42.5,
      prefillMs: 600,
      decodeMs: 1900,
      wallMs: 2600 + step,
    },
    provider: simulated ? 'simulated' : 'ollama',
    model: 'model',
    simulated,
  });
  return external ? { ...event, ...proxyOf(step) } : event;
}

/** Whether a seeded model id is the cell of an external agent (`<model id>~<preset>`, not `~built-in`). */
function isExternalCell(modelId: string): boolean {
  const separator = modelId.lastIndexOf('~');
  return separator > 0 && modelId.slice(separator + 1) !== 'built-in';
}

function toolResult(
  sequence: number,
  step: number,
  callId: string,
  name: string,
  content: string,
  isError: boolean,
  metadata: Record<string, unknown> = {},
) {
  return toolResultEvent({
    sequence,
    time: time(sequence),
    step,
    callId,
    name,
    content,
    isError,
    metadata,
    durationMs: 12.5,
  });
}

/** The transcript of one seeded attempt (15 events, 3 steps, 3 tool calls). */
export function seedTranscript(options: {
  attemptId: string;
  taskId: string;
  modelId: string;
  simulated: boolean;
  status: AttemptStatus;
}) {
  const { simulated } = options;
  const external = isExternalCell(options.modelId);
  const readCall = call('call_1', 'read_file', { path: 'src/sum.ts' });
  const badCall = call('call_2', 'edit_file', { path: 'src/sum.ts', old_string: 'a + b + 1' });
  const editArgs = { path: 'src/sum.ts', old_string: 'a + b + 1', new_string: 'a + b' };
  const editCall = call('call_3', 'edit_file', editArgs, 'recovered', 'hermes-json');
  return [
    attemptStartedEvent({
      sequence: 0,
      time: time(0),
      attemptId: options.attemptId,
      taskId: options.taskId,
      modelId: options.modelId,
      simulated,
      maxSteps: 30,
      toolNames: ['read_file', 'edit_file', 'finish'],
    }),
    instructionEvent(1, time(1), 'sum(1, 2) returns 4; fix it.'),
    modelRequestEvent(2, time(2), 0, 2, 1200),
    response(3, 0, simulated, 'Let me read the source.', [readCall], external),
    toolCallEvent(4, time(4), 0, readCall),
    toolResult(
      5,
      0,
      'call_1',
      'read_file',
      '1 // Adds two numbers.\n2 export const sum = (a: number, b: number) => a + b + 1;\n3 export default sum;',
      false,
    ),
    modelRequestEvent(6, time(6), 1, 4, 2400),
    response(7, 1, simulated, '', [badCall], external),
    toolCallEvent(8, time(8), 1, badCall, 'schema', 'missing required argument new_string'),
    toolResult(
      9,
      1,
      'call_2',
      'edit_file',
      'Invalid arguments for edit_file: missing required argument new_string',
      true,
    ),
    modelRequestEvent(10, time(10), 2, 6, 3000),
    response(
      11,
      2,
      simulated,
      `<tool_call>${JSON.stringify({ name: 'edit_file', arguments: editArgs })}</tool_call>`,
      [{ ...editCall, recoveredFrom: 'content' }],
      external,
    ),
    toolCallEvent(12, time(12), 2, editCall),
    toolResult(13, 2, 'call_3', 'edit_file', `Edited src/sum.ts (1 replacement).\n${DIFF}`, false, {
      path: 'src/sum.ts',
      replacements: 1,
    }),
    {
      type: 'attempt-finished',
      sequence: 14,
      time: time(14),
      status: options.status,
      summary: options.status === 'submitted' ? 'Removed the stray + 1.' : null,
      totals: {
        steps: 3,
        turnsCompleted: 1,
        usage: { inputTokens: 5700, cachedInputTokens: 3000, outputTokens: 240, reasoningTokens: 60 },
        costUsd: 0.0031,
        wallMs: 8200,
        modelMs: 7803,
        toolMs: 37.5,
        toolCalls: 3,
        invalidToolCalls: 1,
        formatErrors: 0,
      },
    },
  ];
}

function gradeOf(outcome: SeedOutcome): AttemptGrade {
  const resolved = outcome === 'R';
  return {
    status: resolved ? 'resolved' : 'unresolved',
    partialScore: resolved ? 1 : 0,
    reason: resolved ? null : 'FAIL_TO_PASS sum adds two numbers failed',
    exitCode: resolved ? 0 : 1,
    failToPass: [
      {
        id: 'sum adds two numbers',
        status: resolved ? 'passed' : 'failed',
        found: true,
        matchedIds: ['sum adds two numbers'],
        message: resolved ? undefined : 'expected 4 to be 3',
      },
    ],
    passToPass: [
      { id: 'sum is exported', status: 'passed', found: true, matchedIds: ['sum is exported'] },
      { id: 'sum handles zero', status: 'passed', found: true, matchedIds: ['sum handles zero'] },
    ],
    testOutputTail: resolved ? '3 passed' : '1 failed, 2 passed',
  };
}

/** Claims and finishes one pending attempt of the seeded shape (`R` resolved by default). */
export function finishSeededAttempt(store: Store, attemptId: string, outcome: SeedOutcome = 'R'): void {
  const attempt = store.claimAttempt(attemptId, 'seed');
  if (!attempt) throw new Error(`attempt ${attemptId} is not pending`);
  const simulated =
    store.runModels(attempt.runId).find((model) => model.modelId === attempt.modelId)?.simulated ?? false;
  const status: AttemptStatus =
    outcome === 'L' ? 'step-limit' : outcome === 'X' ? 'infrastructure-error' : 'submitted';
  const events = seedTranscript({
    attemptId,
    taskId: attempt.taskId,
    modelId: attempt.modelId,
    simulated,
    status,
  });
  if (outcome === 'X') {
    store.finishAttempt(attemptId, {
      events: events.slice(0, 6),
      status: 'infrastructure-error',
      agentStatus: 'infrastructure-error',
      error: 'connection refused',
    });
    return;
  }
  store.finishAttempt(attemptId, { events, grade: gradeOf(outcome), testMs: 1500 });
}

/** Seeds a run (default: 2 models — one simulated — × 3 tasks × 2 attempts) and returns its id and attempt ids. */
export function seedViewerStore(
  store: Store,
  options: SeedOptions = {},
): { runId: string; attemptIds: string[] } {
  const runId = options.runId ?? 'run-20261126-130000-view';
  const models = options.models ?? [
    { modelId: 'ollama:qwen3.5:9b', simulated: false },
    { modelId: 'simulated:echo', simulated: true },
  ];
  const taskIds = options.taskIds ?? ['sum-off-by-one', 'parse-date', 'retry-backoff'];
  const perCell = options.attemptsPerCell ?? 2;
  const pending = options.pendingAttempts ?? 0;
  store.createRun({
    id: runId,
    config: {
      models: models.map((model) => ({ id: model.modelId })),
      ...(options.agents ? { fingerprint: { agents: options.agents } } : {}),
    },
    configHash: 'seed',
    simulated: models.some((model) => model.simulated),
    models: models.map((model) => ({
      modelId: model.modelId,
      ...(model.label ? { label: model.label } : {}),
      ...(model.endpointInfo === undefined ? {} : { endpointInfo: model.endpointInfo }),
      provider: model.modelId.split(':')[0]!,
      simulated: model.simulated,
    })),
    tasks: taskIds.map((taskId) => ({ taskId, taskHash: `hash-${taskId}` })),
    createdAt: options.createdAt ?? new Date(Date.UTC(2026, 10, 26, 13, 0, 0)),
  });
  const plans = models.flatMap((model) =>
    taskIds.flatMap((taskId) =>
      Array.from({ length: perCell }, (_, attemptIndex) => ({
        modelId: model.modelId,
        taskId,
        attemptIndex,
      })),
    ),
  );
  store.ensureAttempts(runId, plans);
  const attemptIds = store.attempts(runId).map((attempt) => attempt.id);
  store.transaction(() => {
    attemptIds.slice(0, attemptIds.length - pending).forEach((attemptId, index) => {
      finishSeededAttempt(store, attemptId, OUTCOME_CYCLE[index % OUTCOME_CYCLE.length]);
    });
  });
  const runStatus = options.runStatus ?? (pending > 0 ? 'running' : 'completed');
  if (runStatus === 'completed') store.markRun(runId, 'completed');
  return { runId, attemptIds };
}
