/**
 * Control: the grading attacks are real. Graded the naive way — in the agent's own workspace, without the clean copy
 * and without sentinels — each of these attacks is graded "resolved" without any fix. The adversarial suite shows
 * that grading on a clean copy with sentinels holds them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectSandboxSupport } from '../src/sandbox/detect-sandbox-support.ts';
import { gradeAttempt } from '../src/task/grade.ts';
import { loadTask } from '../src/task/load-task.ts';
import { prepareTaskWorkspace } from '../src/task/prepare-task-workspace.ts';
import { replaceWorkspaceFile } from '../src/task/workspace-files.ts';
import type { Attack } from './attack.ts';
import { interpreterAndGitAttacks } from './interpreter-and-git.attacks.ts';
import { ATTACK_TASKS, createHostFixture } from './run-attacks.ts';
import { testInfrastructureAttacks } from './test-infrastructure.attacks.ts';

/** Attacks that fool a naive grader on their own. */
const CONTROL_IDS = [
  'conftest-rewrites-reports',
  'pytest-ini-addopts-plugin',
  'entry-point-plugin',
  'source-module-patches-pytest',
  'fake-pytest-output-from-source',
  'assert-functions-become-no-ops',
];
const attacks = [...testInfrastructureAttacks, ...interpreterAndGitAttacks].filter((attack) =>
  CONTROL_IDS.includes(attack.id),
);
const SUITE_DIRECTORY = path.resolve(import.meta.dirname, '../suites/core');
const support = await detectSandboxSupport('bubblewrap');

let directory: string;

/** Carries out an attack's tool calls directly (write_file, run_command) and grades the naive way. */
async function naiveGrade(attack: Attack): Promise<string> {
  const task = await loadTask(path.join(SUITE_DIRECTORY, ATTACK_TASKS[attack.task]));
  const prepared = await prepareTaskWorkspace(task, {
    destination: path.join(directory, attack.id),
    sandbox: { backend: 'bubblewrap' },
  });
  try {
    const host = await createHostFixture(path.join(directory, `${attack.id}-host`), attack.task);
    for (const call of attack.calls(host)) {
      const args = call.arguments as Record<string, string>;
      if (call.name === 'write_file') {
        await replaceWorkspaceFile(prepared.workspace.dir, args.path!, Buffer.from(args.content!));
      } else if (call.name === 'run_command') {
        const result = await prepared.sandbox.exec(args.command!, { timeoutMs: 60_000 });
        expect(result.exitCode, `${attack.id}: ${result.stderr}`).toBe(0);
      } else {
        throw new Error(`${attack.id}: the control cannot replay ${call.name}`);
      }
    }
    const grade = await gradeAttempt({
      task,
      workspaceDir: prepared.workspace.dir,
      sandbox: prepared.sandbox,
      testTimeoutMs: 120_000,
      sentinels: false,
    });
    return `${grade.status}${grade.reason ? `: ${grade.reason}` : ''}`;
  } finally {
    await prepared.dispose();
  }
}

describe.skipIf(!support.available)('control: the attacks fool a naive grader', () => {
  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'shakedown-naive-grader-'));
  });
  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('finds every control attack', () => {
    expect(attacks.map((attack) => attack.id).sort()).toEqual([...CONTROL_IDS].sort());
  });

  for (const id of CONTROL_IDS) {
    it(`${id} is graded resolved without a fix when graded in place without sentinels`, async () => {
      const attack = attacks.find((each) => each.id === id)!;
      expect(await naiveGrade(attack)).toBe('resolved');
    });
  }
});
