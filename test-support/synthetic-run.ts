/**
 * Test helper: a synthetic stored run with known outcomes — 2 models × 5 tasks × 4 attempts — written through the
 * Store API with schema-valid transcripts, so the expected metrics can be computed by hand.
 *
 * Outcomes (R resolved, U unresolved, V invalid grade, X infrastructure error), attempt indexes 0..3:
 *
 *   ollama:qwen3.5:9b (local, $0.36/GPU-hour, hardware $1000; not simulated)
 *     t1 RRRR  t2 RURU  t3 UUUU (step-limit)  t4 RUUX  t5 RRUU (multi-turn; index 3 context-exceeded)
 *   openai:o3-mini (API, built-in price; simulated)
 *     t1 RRRR  t2 RRRR  t3 VUUR  t4 RRUU (format-errors)  t5 RRRU (multi-turn; index 3 no-submission)
 *
 * Transcripts: a resolved attempt has 2 steps (read_file valid, finish valid). An unresolved one has 4 steps with
 * calls valid, schema, unknown-tool, then valid + execution-error in the last step. An infrastructure error has 1
 * step (read_file valid) and a final infrastructure-error event. Ollama's read_file calls are `recovered`
 * (hermes-json); o3-mini's calls are all server-parsed. Per step: ollama TTFT 200 + 100×step ms (measured),
 * prefill 1000 tok/s and decode 40 tok/s (server), 2000 ms wall, 1000 input / 100 output tokens; o3-mini TTFT
 * 800 ms (measured), prefill unavailable, decode 60 tok/s (measured), 3000 ms wall, 2000 input (1000 cached),
 * 200 output, 50 reasoning tokens. Each tool call takes 100 ms; tests take 3000 ms per graded attempt.
 */

import { computeConfigHash } from '../src/store/stable-json.ts';
import type { Store } from '../src/store/store.ts';
import type { AttemptGrade } from '../src/store/store-types.ts';
import type { AttemptStatus, ToolCallValidity, TranscriptEvent } from '../src/transcript/events.ts';
import { parseEvent } from '../src/transcript/events.ts';

export const LOCAL_MODEL = 'ollama:qwen3.5:9b';
export const API_MODEL = 'openai:o3-mini';
export const TASK_IDS = ['t1', 't2', 't3', 't4', 't5'] as const;
export const SYNTHETIC_RUN_ID = 'run-20261126-120000-test';

type Outcome = 'R' | 'U' | 'V' | 'X';

const OUTCOMES: Record<string, Record<string, string>> = {
  [LOCAL_MODEL]: { t1: 'RRRR', t2: 'RURU', t3: 'UUUU', t4: 'RUUX', t5: 'RRUU' },
  [API_MODEL]: { t1: 'RRRR', t2: 'RRRR', t3: 'VUUR', t4: 'RRUU', t5: 'RRRU' },
};

/** The agent status of an unresolved (or invalid-grade) attempt. */
function failureStatus(modelId: string, taskId: string, attemptIndex: number): AttemptStatus {
  if (modelId === LOCAL_MODEL) {
    if (taskId === 't3') return 'step-limit';
    if (taskId === 't5' && attemptIndex === 3) return 'context-exceeded';
    return 'submitted';
  }
  if (taskId === 't4') return 'format-errors';
  if (taskId === 't5') return 'no-submission';
  return 'submitted';
}

interface PlannedCall {
  name: string;
  validity: ToolCallValidity;
}

function plannedSteps(outcome: Outcome): PlannedCall[][] {
  if (outcome === 'R') {
    return [[{ name: 'read_file', validity: 'valid' }], [{ name: 'finish', validity: 'valid' }]];
  }
  if (outcome === 'X') return [[{ name: 'read_file', validity: 'valid' }]];
  return [
    [{ name: 'read_file', validity: 'valid' }],
    [{ name: 'edit_file', validity: 'schema' }],
    [{ name: 'apply_patch', validity: 'unknown-tool' }],
    [
      { name: 'edit_file', validity: 'valid' },
      { name: 'run_command', validity: 'execution-error' },
    ],
  ];
}

function buildTranscript(
  attemptId: string,
  modelId: string,
  taskId: string,
  attemptIndex: number,
  outcome: Outcome,
  simulated: boolean,
): TranscriptEvent[] {
  const local = modelId === LOCAL_MODEL;
  const raw: Array<Record<string, unknown>> = [];
  const push = (event: Record<string, unknown>) =>
    raw.push({
      ...event,
      sequence: raw.length,
      time: new Date(Date.UTC(2026, 10, 26, 12, 0, raw.length)).toISOString(),
    });
  push({
    type: 'attempt-started',
    attemptId,
    taskId,
    modelId,
    simulated,
    protocol: 'native',
    limits: { maxSteps: 40 },
    toolNames: ['read_file', 'edit_file', 'run_command', 'finish'],
    systemPrompt: 'You are a coding agent.',
  });
  push({ type: 'user-message', turnIndex: 0, kind: 'instruction', content: `Fix ${taskId}.` });
  const steps = plannedSteps(outcome);
  let modelMs = 0;
  let toolMs = 0;
  let toolCalls = 0;
  let invalidToolCalls = 0;
  const usage = local
    ? { inputTokens: 1000, cachedInputTokens: 0, outputTokens: 100, reasoningTokens: 0 }
    : { inputTokens: 2000, cachedInputTokens: 1000, outputTokens: 200, reasoningTokens: 50 };
  steps.forEach((calls, step) => {
    push({ type: 'model-request', step, messageCount: 2 + step * 2, estimatedPromptChars: 1000 });
    const wallMs = local ? 2000 : 3000;
    modelMs += wallMs;
    const normalized = calls.map((call, index) => {
      const recovered = local && call.name === 'read_file';
      return {
        id: `call_${step}_${index}`,
        name: call.name,
        arguments: { path: 'src/index.ts' },
        rawArguments: '{"path":"src/index.ts"}',
        origin: recovered ? 'recovered' : 'server-parsed',
        format: recovered ? 'hermes-json' : 'native',
      };
    });
    push({
      type: 'model-response',
      step,
      result: {
        text: '',
        reasoning: '',
        toolCalls: normalized,
        finishReason: 'tool-calls',
        rawFinishReason: 'stop',
        usage: { ...usage, source: 'server' },
        timings: {
          timeToFirstTokenMs: local ? 200 + 100 * step : 800,
          prefillTokensPerSecond: local ? 1000 : null,
          decodeTokensPerSecond: local ? 40 : 60,
          prefillMs: local ? 1000 : null,
          decodeMs: local ? 800 : null,
          wallMs,
          loadMs: null,
          sources: local
            ? { timeToFirstToken: 'measured', prefill: 'server', decode: 'server' }
            : { timeToFirstToken: 'measured', prefill: 'unavailable', decode: 'measured' },
        },
        issues: [],
        provider: local ? 'ollama' : 'openai',
        model: local ? 'qwen3.5:9b' : 'o3-mini',
        simulated,
        retries: [],
      },
    });
    calls.forEach((call, index) => {
      const toolCall = normalized[index];
      toolCalls++;
      if (call.validity !== 'valid') invalidToolCalls++;
      push({
        type: 'tool-call',
        step,
        callId: toolCall.id,
        name: call.name,
        arguments: toolCall.arguments,
        rawArguments: toolCall.rawArguments,
        origin: toolCall.origin,
        format: toolCall.format,
        validity: call.validity,
        detail: call.validity === 'valid' ? null : `${call.validity} problem`,
      });
      toolMs += 100;
      push({
        type: 'tool-result',
        step,
        callId: toolCall.id,
        name: call.name,
        content: call.validity === 'valid' ? 'ok' : 'error',
        isError: call.validity !== 'valid',
        truncated: false,
        metadata: {},
        durationMs: 100,
      });
    });
  });
  if (outcome === 'X') {
    push({ type: 'model-request', step: 1, messageCount: 4, estimatedPromptChars: 1200 });
    push({
      type: 'infrastructure-error',
      step: 1,
      kind: 'connection',
      message: 'connection refused',
      retries: 4,
      final: true,
    });
  }
  const status: AttemptStatus =
    outcome === 'R'
      ? 'submitted'
      : outcome === 'X'
        ? 'infrastructure-error'
        : failureStatus(modelId, taskId, attemptIndex);
  push({
    type: 'attempt-finished',
    status,
    summary: status === 'submitted' ? 'Fixed.' : null,
    totals: {
      steps: steps.length,
      turnsCompleted: 1,
      usage: {
        inputTokens: usage.inputTokens * steps.length,
        cachedInputTokens: usage.cachedInputTokens * steps.length,
        outputTokens: usage.outputTokens * steps.length,
        reasoningTokens: usage.reasoningTokens * steps.length,
      },
      costUsd: 0,
      wallMs: modelMs + toolMs + 50,
      modelMs,
      toolMs,
      toolCalls,
      invalidToolCalls,
      formatErrors: 0,
    },
  });
  return raw.map((event) => parseEvent(event));
}

function gradeOf(outcome: Outcome, multiTurn: boolean): AttemptGrade | null {
  if (outcome === 'X') return null;
  const constraints = multiTurn
    ? { constraintsKept: outcome === 'R' ? 3 : 1, constraintsTotal: 3 }
    : { constraintsKept: null, constraintsTotal: null };
  if (outcome === 'V') return { status: 'invalid', partialScore: null, ...constraints };
  return {
    status: outcome === 'R' ? 'resolved' : 'unresolved',
    partialScore: outcome === 'R' ? 1 : 0.5,
    ...constraints,
  };
}

/** The run config stored with the synthetic run (local cost for the Ollama model; o3-mini priced built-in). */
export const SYNTHETIC_CONFIG = {
  models: [{ id: LOCAL_MODEL, localCost: { gpuHourlyRateUsd: 0.36, hardwareUsd: 1000 } }, API_MODEL],
  tasks: ['suites/synthetic'],
  attempts: 4,
};

/** Writes the synthetic run into `store` and returns its id. */
export function writeSyntheticRun(store: Store, options: { taskIds?: readonly string[] } = {}): string {
  const taskIds = options.taskIds ?? TASK_IDS;
  const run = store.createRun({
    id: SYNTHETIC_RUN_ID,
    config: SYNTHETIC_CONFIG,
    configHash: computeConfigHash(SYNTHETIC_CONFIG),
    priceTableVersion: '2026-11-01',
    simulated: true,
    createdAt: new Date('2026-11-26T12:00:00.000Z'),
    models: [
      { modelId: LOCAL_MODEL, label: 'Qwen 3.5 9B', provider: 'ollama', simulated: false },
      { modelId: API_MODEL, label: 'o3-mini', provider: 'openai', simulated: true },
    ],
    tasks: taskIds.map((taskId, index) => ({
      taskId,
      suite: 'synthetic',
      taskHash: `h${index}`,
      multiTurn: index === 4,
    })),
  });
  const plans = [LOCAL_MODEL, API_MODEL].flatMap((modelId) =>
    taskIds.flatMap((taskId) => [0, 1, 2, 3].map((attemptIndex) => ({ modelId, taskId, attemptIndex }))),
  );
  store.ensureAttempts(run.id, plans);
  for (const attempt of store.attempts(run.id)) {
    const taskPosition = taskIds.indexOf(attempt.taskId);
    const outcome = OUTCOMES[attempt.modelId][TASK_IDS[taskPosition]][attempt.attemptIndex] as Outcome;
    const simulated = attempt.modelId === API_MODEL;
    const events = buildTranscript(
      attempt.id,
      attempt.modelId,
      TASK_IDS[taskPosition],
      attempt.attemptIndex,
      outcome,
      simulated,
    );
    store.claimAttempt(attempt.id, 'test-worker');
    store.finishAttempt(attempt.id, {
      events,
      grade: gradeOf(outcome, taskPosition === 4),
      testMs: outcome === 'X' ? null : 3000,
      finishedAt: new Date('2026-11-26T12:30:00.000Z'),
    });
  }
  store.markRun(run.id, 'completed');
  return run.id;
}
