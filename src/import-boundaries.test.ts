import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The rules of .dependency-cruiser.cjs (what `npm run lint:imports` checks), run on a small tree with one import
// of each kind, so a violating import is shown to fail and an allowed one to pass.
const configuration = createRequire(import.meta.url)('../.dependency-cruiser.cjs') as {
  forbidden: IForbiddenRuleType[];
};

const FILES: Record<string, string> = {
  'src/shared/seed.ts': 'export const seed = 1;\n',
  'src/providers/model.ts': "import { seed } from '../shared/seed.ts';\nexport const model = seed;\n",
  'src/run/run.ts': "import { model } from '../providers/model.ts';\nexport const run = model;\n",
  // A lower folder importing a higher one.
  'src/providers/upward.ts': "import { run } from '../run/run.ts';\nexport const upward = run;\n",
  // Two folders of one tier.
  'src/hardware/sideways.ts':
    "import { model } from '../providers/model.ts';\nexport const sideways = model;\n",
  // Code users run importing test-only code; a test beside it may.
  'test-support/helper.ts': 'export const helper = 2;\n',
  'src/store/uses-helper.ts':
    "import { helper } from '../../test-support/helper.ts';\nexport const uses = helper;\n",
  'src/store/uses-helper.test.ts':
    "import { helper } from '../../test-support/helper.ts';\nexport const t = helper;\n",
  // A module cycle, and a cycle closed only by a type import (allowed).
  'src/text/ping.ts': "import { pong } from './pong.ts';\nexport const ping = () => pong;\n",
  'src/text/pong.ts': "import { ping } from './ping.ts';\nexport const pong = () => ping;\n",
  'src/gguf/reader.ts':
    "import { format } from './format.ts';\nexport type Reader = { n: number };\nexport const r = format;\n",
  'src/gguf/format.ts':
    "import type { Reader } from './reader.ts';\nexport const format = (reader: Reader) => reader.n;\n",
  // A folder the tiers do not know yet.
  'src/new-room/room.ts': "import { seed } from '../shared/seed.ts';\nexport const room = seed;\n",
};

let root: string;
let violations: Array<{ rule: string; from: string; to: string }>;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'shakedown-boundaries-'));
  for (const [file, text] of Object.entries(FILES)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  const previous = process.cwd();
  process.chdir(root);
  try {
    const result = await cruise(['src', 'test-support'], {
      ruleSet: { forbidden: configuration.forbidden },
      validate: true,
      tsPreCompilationDeps: true,
    });
    const output = result.output as ICruiseResult;
    violations = output.summary.violations.map((violation) => ({
      rule: violation.rule.name,
      from: violation.from,
      to: violation.to,
    }));
  } finally {
    process.chdir(previous);
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const rulesOf = (from: string) =>
  violations.filter((violation) => violation.from === from).map((v) => v.rule);

describe('import boundaries (.dependency-cruiser.cjs)', () => {
  it('lets a folder import a lower tier', () => {
    expect(rulesOf('src/run/run.ts')).toEqual([]);
    expect(rulesOf('src/providers/model.ts')).toEqual([]);
  });

  it('fails an import of a higher tier', () => {
    expect(rulesOf('src/providers/upward.ts')).toEqual(['providers-imports-only-lower-tiers']);
  });

  it('fails an import between folders of one tier', () => {
    expect(rulesOf('src/hardware/sideways.ts')).toEqual(['hardware-imports-only-lower-tiers']);
  });

  it('fails test-support imported by code users run, not by a test', () => {
    expect(rulesOf('src/store/uses-helper.ts')).toEqual(['no-test-support-in-src']);
    expect(rulesOf('src/store/uses-helper.test.ts')).toEqual([]);
  });

  it('fails a module cycle but not one closed by a type-only import', () => {
    expect(rulesOf('src/text/ping.ts')).toEqual(['no-circular']);
    expect(rulesOf('src/gguf/reader.ts')).toEqual([]);
    expect(rulesOf('src/gguf/format.ts')).toEqual([]);
  });

  it('fails a folder that has no tier yet', () => {
    expect(rulesOf('src/new-room/room.ts')).toEqual(['folder-has-a-tier']);
  });
});
