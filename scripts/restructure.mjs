#!/usr/bin/env node
// One-off, replayable restructuring of src/ (issue 15): moves files with `git mv` by the MAPPING below, then rewrites
// every relative path that pointed at a moved file, so the tree type-checks again:
//   - import/export specifiers, `import('…')` expressions and types, `vi.mock('…')` and friends, `require('…')`;
//   - `new URL('…', import.meta.url)` and `path.join|resolve(import.meta.dirname, '…', …)` (also in files that move:
//     their relative paths to unmoved files such as suites/ are recomputed from the new place);
//   - repository-root paths (`src/model/doctor.ts`, `./src/run/store/schema.ts`) in any text file: comments, docs,
//     package.json, configs, scripts.
// Files the mapping does not name stay where they are and are rewritten too. Running it twice changes nothing.
// Usage (repository root, clean tree, after every branch is merged):
//   node scripts/restructure.mjs --dry-run   # lists the moves and the folder mentions to fix by hand
//   node scripts/restructure.mjs             # git mv + rewrites + Biome import sorting; npm run lint gains lint:imports
//   npx tsc --noEmit && npm run lint         # type-check, Biome, import boundaries (.dependency-cruiser.cjs)
//   git rm scripts/restructure.mjs && git commit -am 'Folders by tier (issue 15)'
// A file added meanwhile in a mapped folder moves with it; one whose new import breaks a tier shows in lint:imports.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Old path → new path, first match wins. Three forms:
 *   'src/a/file.ts'  → 'src/b/other.ts'  a file (its siblings `file.*.ts`, e.g. file.test.ts, move with it);
 *   'src/a/'         → 'src/b/'          a folder and everything below it;
 *   'src/a/x-*.ts'   → 'src/b/'          a glob (`*` within one name) into a folder, names kept.
 * A file rule whose target is a folder (ends in '/') keeps the name.
 */
export const MAPPING = [
  // The transcript: the event language of agent, store, metrics, viewer and external agents.
  ['src/agent/events.ts', 'src/transcript/'],
  ['src/agent/transcript-*.ts', 'src/transcript/'],
  ['src/agent/transcript.test.ts', 'src/transcript/'],
  ['src/agent/write-model-response.ts', 'src/transcript/'],
  // The workspace (git checkout of a task's base); its test helper goes to test support.
  ['src/agent/workspace/git.test-helper.ts', 'test-support/git-fixed-identity.ts'],
  ['src/agent/workspace/', 'src/workspace/'],
  // The store; its transcript fixture is test-only.
  ['src/run/store/transcript-fixture.ts', 'test-support/transcript-fixture.ts'],
  ['src/run/store/', 'src/store/'],
  // The agent choice (built-in or external) sits with the external agents, under metrics and run (breaks the
  // metrics ↔ run cycle together with the store's move).
  ['src/run/agent-choice.ts', 'src/external/'],
  // The live progress display is a reporter.
  ['src/run/run-progress-display.ts', 'src/report/'],
  // Test-only code in src/ moves to test support (names lose `.test-helper`).
  ['src/model/scripted-client.ts', 'test-support/'],
  ['src/model/gguf/gguf-writer.ts', 'test-support/'],
  ['src/model/gguf/tiny-model.ts', 'test-support/'],
  ['src/model/gguf/qwen-tool-template.ts', 'test-support/'],
  ['src/model/simulated/client-test-kit.test-helper.ts', 'test-support/client-test-kit.ts'],
  ['src/cli/capture-stdout.test-helper.ts', 'test-support/capture-stdout.ts'],
  ['src/cli/run-cli.test-helper.ts', 'test-support/run-cli.ts'],
  ['src/cli/synthetic-data-dir.test-helper.ts', 'test-support/synthetic-data-directory.ts'],
  ['src/metrics/synthetic-run.test-helper.ts', 'test-support/synthetic-run.ts'],
  ['src/probe/reference-model.test-helper.ts', 'test-support/reference-model.ts'],
  ['src/run/gold-patch-agent.test-helper.ts', 'test-support/gold-patch-agent.ts'],
  ['src/run/slow-run.test-helper.ts', 'test-support/slow-run.ts'],
  ['src/run/synthetic-suite.test-helper.ts', 'test-support/synthetic-suite.ts'],
  ['src/run/distributed/attempt-worker.test-helper.ts', 'test-support/attempt-worker.ts'],
  ['src/run/distributed/redis-server.test-helper.ts', 'test-support/redis-server.ts'],
  ['src/task/task-fixture.test-helper.ts', 'test-support/task-fixture.ts'],
  ['src/task/mine/python-history-fixture.ts', 'test-support/'],
  ['src/viewer/seed-viewer-store.test-helper.ts', 'test-support/seed-viewer-store.ts'],
  // Small shared helpers, the lowest folder.
  ['src/model/redact-secrets.ts', 'src/shared/'],
  ['src/model/seeded-random.ts', 'src/shared/'],
  ['src/model/json-values.ts', 'src/shared/'],
  // GGUF reading (used by the embedded client and by hardware fit).
  ['src/model/gguf/', 'src/gguf/'],
  // Hardware fit: catalogue, architecture shapes, memory estimates.
  ['src/model/hardware/', 'src/hardware/'],
  ['src/model/hardware-fit.ts', 'src/hardware/'],
  ['src/model/fit-model.ts', 'src/hardware/'],
  // The doctor.
  ['src/model/doctor.ts', 'src/doctor/'],
  // Prices belong to providers.
  ['src/metrics/price-table.ts', 'src/providers/'],
  // One folder per wire family, as in the Vercel AI SDK: message conversion, wire schemas, mapping, the client.
  ['src/model/openai-*', 'src/providers/openai-compatible/'],
  ['src/model/lmstudio-model-info.ts', 'src/providers/openai-compatible/'],
  ['src/model/anthropic-*', 'src/providers/anthropic/'],
  ['src/model/ollama-*', 'src/providers/ollama/'],
  // Everything else of model/: the providers (clients, wire formats, the simulated server `shakedown demo` runs).
  ['src/model/', 'src/providers/'],
];

/** Extensions of files whose code is parsed for import specifiers. */
const CODE = /\.(?:[cm]?[jt]s|tsx)$/;
/** Extensions (or names) of other text files in which repository-root paths are rewritten. */
const TEXT = /(?:\.(?:md|json|sh|ya?ml|toml|html|css|txt|cjs)|^\.ci\/run)$/;
/** Never rewritten: recorded bytes, task repositories, generated files. */
const UNTOUCHED = [
  /^scripts\/restructure\.mjs$/,
  /^test-support\/fixtures\//,
  /^suites\//,
  /^package-lock\.json$/,
  /(?:^|\/)migrations\/meta\//,
];
/** Calls whose first string argument is a module path. */
const MODULE_CALLS = new Set([
  'require',
  'require.resolve',
  'vi.mock',
  'vi.doMock',
  'vi.unmock',
  'vi.doUnmock',
  'vi.importActual',
  'vi.importMock',
  'vitest.mock',
]);
/** `path.join(import.meta.dirname, …)`-style calls whose string arguments form a path relative to the file. */
const PATH_CALLS = new Set(['path.join', 'path.resolve', 'join', 'resolve', 'posix.join', 'path.posix.join']);

const dryRun = process.argv.includes('--dry-run');
const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
process.chdir(root);

const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
  encoding: 'utf8',
})
  .split('\0')
  .filter((file) => file.length > 0 && existsSync(file));
const fileSet = new Set(files);
const tracked = new Set(
  execFileSync('git', ['ls-files', '-z', '--cached'], { encoding: 'utf8' }).split('\0').filter(Boolean),
);

const moves = planMoves(files);
const edits = new Map();
for (const file of files) {
  if (UNTOUCHED.some((pattern) => pattern.test(file))) continue;
  const isCode = CODE.test(file);
  if (!isCode && !TEXT.test(file)) continue;
  const before = readFileSync(file, 'utf8');
  let after = isCode ? rewriteSpecifiers(file, before) : before;
  after = rewriteRootPaths(after);
  if (after !== before) edits.set(file, after);
}

report();
if (dryRun) process.exit(0);

for (const [from, to] of moves) {
  mkdirSync(path.dirname(to), { recursive: true });
  if (tracked.has(from)) execFileSync('git', ['mv', from, to]);
  else renameSync(from, to);
}
for (const [file, text] of edits) writeFileSync(moves.get(file) ?? file, text);
enableImportLint();
const touched = [
  ...new Set([...moves.values(), ...[...edits.keys()].map((file) => moves.get(file) ?? file)]),
];
const lintable = touched.filter((file) => CODE.test(file) || file.endsWith('.json'));
if (lintable.length > 0) {
  // Paths changed, so imports may be out of order or lines too long: let Biome sort and format what it can.
  try {
    execFileSync('npx', ['biome', 'check', '--write', '--no-errors-on-unmatched', ...lintable], {
      stdio: 'ignore',
    });
  } catch {
    // Remaining findings show in `npx biome check .`, which the lead runs next.
  }
}
process.stdout.write(`moved ${moves.size} files, rewrote paths in ${edits.size} files\n`);

/** Once the folders are in place, `npm run lint` also checks the import boundaries (.dependency-cruiser.cjs). */
function enableImportLint() {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
  const lint = manifest.scripts?.lint ?? '';
  if (!manifest.scripts?.['lint:imports'] || lint.includes('lint:imports')) return;
  manifest.scripts.lint = `${lint} && npm run lint:imports`;
  writeFileSync('package.json', `${JSON.stringify(manifest, null, 2)}\n`);
}

/** old → new for every existing file a rule maps elsewhere. */
function planMoves(allFiles) {
  const planned = new Map();
  for (const file of allFiles) {
    const target = mapByRules(file);
    if (target && target !== file) planned.set(file, target);
  }
  const targets = new Map();
  for (const [from, to] of planned) {
    if (targets.has(to)) fail(`${from} and ${targets.get(to)} both map to ${to}`);
    targets.set(to, from);
    if (existsSync(to) && !planned.has(to)) fail(`${from} maps to ${to}, which already exists`);
  }
  return planned;
}

/** The new path of one file by the first matching rule, or undefined. */
function mapByRules(file) {
  for (const [from, to] of MAPPING) {
    if (from.endsWith('/')) {
      if (file.startsWith(from)) return to + file.slice(from.length);
    } else if (from.includes('*')) {
      const pattern = new RegExp(`^${from.split('*').map(escapeRegExp).join('[^/]*')}$`);
      if (pattern.test(file)) return to + path.posix.basename(file);
    } else {
      const stem = from.replace(/\.ts$/, '');
      const newName = to.endsWith('/') ? path.posix.basename(from) : path.posix.basename(to);
      const newStem = path.posix.join(
        to.endsWith('/') ? to : path.posix.dirname(to),
        newName.replace(/\.ts$/, ''),
      );
      // The file itself, or a sibling sharing its stem (`name.test.ts`, `name.recorded.test.ts`).
      if (file === from) return `${newStem}.ts`;
      if (file.startsWith(`${stem}.`) && CODE.test(file)) {
        const suffix = file.slice(stem.length);
        // A moved test helper's own tests are named after the helper without `.test-helper`.
        return `${newStem.replace(/\.test-helper$/, '')}${suffix}`;
      }
      const helperStem = stem.replace(/\.test-helper$/, '');
      if (helperStem !== stem && file.startsWith(`${helperStem}.test.ts`)) return `${newStem}.test.ts`;
    }
  }
  return undefined;
}

/**
 * Where a repository path (file or folder, no trailing slash) lives after the moves: a moved file's new path, a
 * folder whose moved files all went to one new folder, or the path itself.
 */
function mapPath(oldPath) {
  if (moves.has(oldPath)) return moves.get(oldPath);
  if (fileSet.has(oldPath)) return oldPath;
  // A folder a folder rule moves goes where the rule says (even if a few of its files go elsewhere).
  const folderRule = MAPPING.find(([from]) => from === `${oldPath}/`);
  if (folderRule && files.some((file) => moves.has(file) && file.startsWith(`${oldPath}/`))) {
    return folderRule[1].replace(/\/$/, '');
  }
  for (const [from, to] of [
    ['.js', '.ts'],
    ['.mjs', '.mts'],
  ]) {
    if (oldPath.endsWith(from)) {
      const asTs = oldPath.slice(0, -from.length) + to;
      if (moves.has(asTs)) return moves.get(asTs).slice(0, -to.length) + from;
    }
  }
  const prefix = `${oldPath}/`;
  let folder;
  let stays = false;
  for (const file of files) {
    if (!file.startsWith(prefix)) continue;
    const moved = moves.get(file);
    const rest = file.slice(prefix.length);
    if (!moved) {
      stays = true;
      continue;
    }
    const candidate = moved.endsWith(`/${rest}`) ? moved.slice(0, -rest.length - 1) : null;
    if (candidate === null || (folder !== undefined && folder !== candidate)) return oldPath;
    folder = candidate;
  }
  return folder !== undefined && !stays ? folder : oldPath;
}

/** Rewrites the relative module and file paths in one code file (paths seen from its old and new place). */
function rewriteSpecifiers(file, text) {
  const kind = file.endsWith('.tsx')
    ? ts.ScriptKind.TSX
    : file.endsWith('.ts')
      ? ts.ScriptKind.TS
      : ts.ScriptKind.JS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const oldDirectory = path.posix.dirname(file);
  const newDirectory = path.posix.dirname(moves.get(file) ?? file);
  const replacements = [];
  const relocate = (relative) => {
    if (!relative.startsWith('./') && !relative.startsWith('../') && relative !== '.' && relative !== '..') {
      return relative;
    }
    const target = path.posix.normalize(path.posix.join(oldDirectory, relative)).replace(/\/$/, '');
    const mapped = mapPath(target);
    if (mapped === target && newDirectory === oldDirectory) return relative;
    let result = path.posix.relative(newDirectory, mapped) || '.';
    if (!result.startsWith('.')) result = `./${result}`;
    if (relative.endsWith('/') && !result.endsWith('/')) result += '/';
    return result;
  };
  const literal = (node) => ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
  const replaceLiteral = (node, value) => {
    if (value === node.text) return;
    const quote = text[node.getStart(source)];
    replacements.push([node.getStart(source), node.getEnd(), `${quote}${value}${quote}`]);
  };
  // Names bound to the module's own folder (`const here = path.dirname(fileURLToPath(import.meta.url))`).
  const directoryNames = new Set();
  const collect = (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      if (isModuleDirectory(node.initializer)) directoryNames.add(node.name.text);
    }
    ts.forEachChild(node, collect);
  };
  collect(source);
  const isDirectory = (node) =>
    isModuleDirectory(node) || (ts.isIdentifier(node) && directoryNames.has(node.text));
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (literal(node.moduleSpecifier))
        replaceLiteral(node.moduleSpecifier, relocate(node.moduleSpecifier.text));
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument) && literal(argument.literal)) {
        replaceLiteral(argument.literal, relocate(argument.literal.text));
      }
    } else if (ts.isCallExpression(node)) {
      const callee =
        node.expression.kind === ts.SyntaxKind.ImportKeyword ? 'import' : node.expression.getText(source);
      const [first] = node.arguments;
      if ((callee === 'import' || MODULE_CALLS.has(callee)) && first && literal(first)) {
        replaceLiteral(first, relocate(first.text));
      } else if (PATH_CALLS.has(callee) && node.arguments.length >= 2 && isDirectory(node.arguments[0])) {
        const parts = node.arguments.slice(1);
        if (parts.every(literal)) {
          const joined = path.posix.join(...parts.map((part) => part.text));
          const relative = joined.startsWith('.') ? joined : `./${joined}`;
          const moved = relocate(parts.at(-1).text.endsWith('/') ? `${relative}/` : relative);
          const value = moved.startsWith('./') ? moved.slice(2) : moved;
          if (moved !== relative) {
            const quote = text[parts[0].getStart(source)];
            replacements.push([parts[0].getStart(source), parts.at(-1).getEnd(), `${quote}${value}${quote}`]);
          }
        }
      }
    } else if (ts.isNewExpression(node) && node.expression.getText(source) === 'URL') {
      const [first, second] = node.arguments ?? [];
      if (first && second && literal(first) && second.getText(source) === 'import.meta.url') {
        replaceLiteral(first, relocate(first.text));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  let result = text;
  for (const [start, end, value] of replacements.sort((a, b) => b[0] - a[0])) {
    result = result.slice(0, start) + value + result.slice(end);
  }
  return result;
}

/** `import.meta.dirname`, `__dirname`, or `path.dirname(fileURLToPath(import.meta.url))`. */
function isModuleDirectory(node) {
  const code = node.getText();
  return (
    code === 'import.meta.dirname' ||
    code === '__dirname' ||
    /^(?:path\.)?dirname\(fileURLToPath\(import\.meta\.url\)\)$/.test(code)
  );
}

/** Rewrites repository-root paths of moved files and folders (`src/model/doctor.ts`, `./src/run/store/`). */
function rewriteRootPaths(text) {
  return text.replace(
    /(?<![\w./-])(\.\/)?(src\/[\w.-]+(?:\/[\w.-]+)*)(\/?)/g,
    (match, dot, rawPath, slash) => {
      const trimmed = rawPath.replace(/\.+$/, '');
      const tail = rawPath.slice(trimmed.length);
      const mapped = mapPath(trimmed);
      if (mapped === trimmed) return match;
      return `${dot ?? ''}${mapped}${tail}${slash}`;
    },
  );
}

function report() {
  const lines = [`${dryRun ? 'would move' : 'moving'} ${moves.size} files:`];
  for (const [from, to] of moves) lines.push(`  ${from} -> ${to}`);
  lines.push(`${dryRun ? 'would rewrite' : 'rewriting'} paths in ${edits.size} files`);
  // Mentions of a folder the moves empty but that maps to no single new folder (e.g. `src/model/`).
  const stale = new Set();
  for (const file of files) {
    if (UNTOUCHED.some((pattern) => pattern.test(file)) || !(CODE.test(file) || TEXT.test(file))) continue;
    const text = edits.get(file) ?? readFileSync(file, 'utf8');
    for (const [, rawPath] of text.matchAll(/(?<![\w./-])(?:\.\/)?(src\/[\w.-]+(?:\/[\w.-]+)*)/g)) {
      const trimmed = rawPath.replace(/\.+$/, '');
      if (!fileSet.has(trimmed) && emptiedFolder(trimmed))
        stale.add(`${moves.get(file) ?? file}: ${trimmed}`);
    }
  }
  if (stale.size > 0)
    lines.push('mentions of emptied folders to fix by hand:', ...[...stale].map((line) => `  ${line}`));
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Whether every file below a folder moves away (so the folder is gone afterwards). */
function emptiedFolder(folder) {
  const inside = files.filter((file) => file.startsWith(`${folder}/`));
  return inside.length > 0 && inside.every((file) => moves.has(file));
}

function escapeRegExp(text) {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

function fail(message) {
  process.stderr.write(`restructure: ${message}\n`);
  process.exit(1);
}
