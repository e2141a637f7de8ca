import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCalcAgent, writeSyntheticSuite } from '../../test-support/synthetic-suite.ts';
import { openStore } from '../store/index.ts';
import type { Task } from '../task/task.ts';
import { shakedownConfigSchema } from './config.ts';
import { executeRun } from './execute-run.ts';

let directory: string;
let tasks: Task[];

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'shakedown-resume-'));
  tasks = await writeSyntheticSuite(path.join(directory, 'suite'), 3);
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for the child run');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('resume after kill -9', () => {
  it('loses nothing and reruns no finished attempt', async () => {
    const dataDir = path.join(directory, 'data');
    const callLog = path.join(directory, 'calls.log');
    const runId = 'run-20260101-000000-abcd';
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, '../../test-support/slow-run.ts')],
      {
        env: {
          ...process.env,
          SHAKEDOWN_TEST_DATA_DIR: dataDir,
          SHAKEDOWN_TEST_SUITE_DIR: path.join(directory, 'suite'),
          SHAKEDOWN_TEST_RUN_ID: runId,
          SHAKEDOWN_TEST_CALL_LOG: callLog,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let childErrors = '';
    child.stderr.on('data', (chunk) => {
      childErrors += String(chunk);
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const observer = openStore(dataDir);
    try {
      await waitFor(() => {
        try {
          return observer.attempts(runId, { status: 'finished' }).length >= 3;
        } catch {
          return false;
        }
      }, 120_000);
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\n${childErrors}`);
    }
    child.kill('SIGKILL');
    await exited;

    const finishedBefore = observer.attempts(runId, { status: 'finished' }).map((attempt) => attempt.id);
    const runningBefore = observer.attempts(runId, { status: 'running' }).length;
    expect(finishedBefore.length).toBeGreaterThanOrEqual(3);
    expect(finishedBefore.length).toBeLessThan(9);
    expect(observer.getRun(runId)?.status).toBe('running');

    const rerun: string[] = [];
    const result = await executeRun({
      config: shakedownConfigSchema.parse({ attempts: 3, concurrency: 2, sandbox: 'none' }),
      models: [{ id: 'simulated:slow', protocol: 'native', concurrency: 2 }],
      tasks,
      store: observer,
      dataDir,
      resume: runId,
      clientFactory: (_model, request) => {
        if (request.purpose === 'attempt')
          rerun.push(`${runId}/simulated:slow/${request.taskId}/${request.attemptIndex}`);
        return createCalcAgent(true);
      },
    });
    expect(result).toMatchObject({ runId, status: 'completed', resumed: true });
    const attempts = observer.attempts(runId);
    expect(attempts).toHaveLength(9);
    expect(new Set(attempts.map((attempt) => attempt.id)).size).toBe(9);
    expect(
      attempts.map((attempt) => [attempt.id, attempt.status, attempt.gradeStatus, attempt.error]),
    ).toEqual(attempts.map((attempt) => [attempt.id, 'finished', 'resolved', null]));
    for (const id of finishedBefore) expect(rerun).not.toContain(id);
    expect(rerun).toHaveLength(9 - finishedBefore.length);
    for (const attempt of attempts) {
      const starts = observer.events(attempt.id).filter((event) => event.type === 'attempt-started');
      expect(starts, attempt.id).toHaveLength(1);
    }
    const childCalls = (await readFile(callLog, 'utf8')).trim().split('\n');
    // Attempts still preparing their workspace when killed had not made a client yet.
    expect(childCalls.length).toBeGreaterThanOrEqual(finishedBefore.length);
    expect(childCalls.length).toBeLessThanOrEqual(finishedBefore.length + runningBefore);
    // Every attempt cut short after it began its transcript had that partial transcript archived, not lost.
    const archive = await readdir(path.join(dataDir, 'runs', runId, 'transcripts', 'archive')).catch(
      () => [],
    );
    expect(archive.length).toBe(childCalls.length - finishedBefore.length);
  }, 120_000);
});
