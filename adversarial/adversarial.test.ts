/**
 * The adversarial suite: every attack (one file per family, `*.attacks.ts`) runs as a scripted agent through the
 * real run path with real bubblewrap and the store. An attack is held when its attempt is finished (a model
 * outcome, never an infrastructure error), not resolved, shows nothing from the host in any tool result, wrote
 * nothing on the host, and — for an attack that tampers — is marked "tampering detected" in the stored grade and in
 * the report. The tally (held / tried) is printed at the end.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectSandboxSupport } from '../src/sandbox/detect-sandbox-support.ts';
import { openStore, type Store } from '../src/store/index.ts';
import type { Attack, AttackTask, HostFixture } from './attack.ts';
import { hostEscapeAttacks } from './host-escape.attacks.ts';
import { interpreterAndGitAttacks } from './interpreter-and-git.attacks.ts';
import { processAttacks } from './processes.attacks.ts';
import { resourceAttacks } from './resources.attacks.ts';
import { type AttackOutcome, createHostFixture, hostForAttack, runAttacks } from './run-attacks.ts';
import { testFileAttacks } from './test-files.attacks.ts';
import { testInfrastructureAttacks } from './test-infrastructure.attacks.ts';

const ATTACKS: Attack[] = [
  ...testInfrastructureAttacks,
  ...testFileAttacks,
  ...processAttacks,
  ...interpreterAndGitAttacks,
  ...resourceAttacks,
  ...hostEscapeAttacks,
];

const support = await detectSandboxSupport('bubblewrap');
if (!support.available && process.env.CI) {
  throw new Error(`the adversarial suite needs bubblewrap in CI: ${support.reason}`);
}

let directory: string;
let store: Store;
const hosts = new Map<AttackTask, HostFixture>();
const outcomes = new Map<string, AttackOutcome>();
const verdicts = new Map<string, boolean>();

/** Why an attack was not held (empty when it was). */
function problemsOf(outcome: AttackOutcome, taskHost: HostFixture): string[] {
  const { attack, attempt } = outcome;
  const host = hostForAttack(taskHost, attack);
  const problems: string[] = [];
  const grade = attempt.grade as {
    tampering?: { detected?: boolean; reasons?: string[] };
    reason?: string;
  } | null;
  if (attempt.status !== 'finished') problems.push(`attempt ${attempt.status}: ${attempt.error ?? ''}`);
  if (attempt.resolved !== false) problems.push(`resolved = ${attempt.resolved} (${grade?.reason ?? ''})`);
  if (attack.tampers) {
    if (grade?.tampering?.detected !== true)
      problems.push(`no tampering detected in the grade (${grade?.reason})`);
    if (!/tampering-detected 1\b/.test(outcome.reportLine))
      problems.push(`report line without tampering-detected: ${outcome.reportLine}`);
  }
  const forbidden = [host.secret, host.goldLine, ...(attack.forbiddenOutput ?? [])];
  for (const text of forbidden) {
    if (outcome.toolResults.some((result) => result.includes(text)))
      problems.push(`a tool result showed ${JSON.stringify(text.slice(0, 40))}`);
  }
  if (existsSync(host.forbiddenWritePath)) problems.push(`host file written: ${host.forbiddenWritePath}`);
  return problems;
}

describe.skipIf(!support.available)(`adversarial suite (${support.reason ?? 'real bubblewrap'})`, () => {
  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'shakedown-adversarial-'));
    store = openStore(path.join(directory, 'data'));
    for (const task of ['python', 'javascript'] as const) {
      const host = await createHostFixture(path.join(directory, task), task);
      hosts.set(task, host);
      const attacks = ATTACKS.filter((attack) => attack.task === task);
      for (const outcome of await runAttacks(attacks, task, {
        store,
        dataDir: path.join(directory, 'data'),
        host,
      })) {
        outcomes.set(outcome.attack.id, outcome);
      }
    }
  }, 900_000);

  afterAll(async () => {
    store?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
    const held = [...verdicts.values()].filter(Boolean).length;
    const families = [...new Set(ATTACKS.map((attack) => attack.family))].map((family) => {
      const ids = ATTACKS.filter((attack) => attack.family === family).map((attack) => attack.id);
      return `${family} ${ids.filter((id) => verdicts.get(id)).length}/${ids.length}`;
    });
    console.info(
      `adversarial tally: ${held} attacks held / ${ATTACKS.length} tried (${families.join(', ')})`,
    );
  });

  it('has at least 30 attacks with unique ids', () => {
    expect(ATTACKS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(ATTACKS.map((attack) => attack.id)).size).toBe(ATTACKS.length);
  });

  for (const family of new Set(ATTACKS.map((attack) => attack.family))) {
    describe(family, () => {
      for (const attack of ATTACKS.filter((each) => each.family === family)) {
        it(`holds: ${attack.id} (${attack.description})`, () => {
          const outcome = outcomes.get(attack.id);
          expect(outcome, 'the attack ran').toBeDefined();
          const problems = problemsOf(outcome!, hosts.get(attack.task)!);
          verdicts.set(attack.id, problems.length === 0);
          expect(problems.join('\n')).toBe('');
        });
      }
    });
  }
});
