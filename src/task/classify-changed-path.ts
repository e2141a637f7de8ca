import { isTestFile } from './is-test-file.ts';
import { pythonRunnerModules, pythonStandardModules } from './python-module-names.ts';

/**
 * What a path the agent changed is, for grading on a clean copy:
 * - `source`: the agent's work; copied onto the clean copy;
 * - `test-file`: a test (test folders, `test_*`, `*_test`, `*.test.*`, declared test files); dropped;
 * - `test-infrastructure`: anything that decides how tests run or what they report (runner configuration, conftest,
 *   plugins, modules that shadow the runner or the standard library, `node_modules`, `sitecustomize`, `.pth`,
 *   package metadata with entry points, files the test command names); dropped, and a sign of tampering;
 * - `artifact`: caches a run leaves behind (`__pycache__`, `.pytest_cache`, ...); dropped.
 */
export type ChangedPathClass = 'source' | 'test-file' | 'test-infrastructure' | 'artifact';

/** The class of a changed path and why. */
export interface PathClassification {
  class: ChangedPathClass;
  reason: string;
}

/** What {@link classifyChangedPath} needs to know about the task and the base. */
export interface ClassifyContext {
  /** The task's test command (files it names are test infrastructure). */
  testCommand: string;
  /** Test files the grading restores whatever their name (declared test files, files tests.patch touches). */
  declaredTestFiles: ReadonlySet<string>;
  /** Whether the base (the clean copy) has this relative path. */
  baseHas: (path: string) => boolean;
}

const artifactDirectories = new Set([
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.hypothesis',
  '.tox',
  '.nox',
  '.nyc_output',
  'coverage',
]);

const pythonConfigFiles = new Set([
  'conftest.py',
  'pytest.ini',
  '.pytest.ini',
  'pytest.toml',
  '.pytest.toml',
  'tox.ini',
  'setup.cfg',
  'noxfile.py',
  '.coveragerc',
  'sitecustomize.py',
  'usercustomize.py',
]);

const javascriptConfigPatterns = [
  /^(vitest|vite|jest|babel|ava|playwright|karma|rollup|webpack)\.config\.[cm]?[jt]s(on)?$/,
  /^vitest\.(workspace|projects)\.[cm]?[jt]s(on)?$/,
  /^jest\.(preset|setup)\.[cm]?[jt]s$/,
  /^\.(mocharc|babelrc|swcrc|nycrc|c8rc|taprc|npmrc|yarnrc|pnpmfile)(\.[a-z]+)?$/,
  /^\.yarnrc\.yml$/,
  /^tsconfig(\..+)?\.json$/,
  /^node\.config\.json$/,
  /^\.node-options$/,
];

/**
 * Classifies one path (relative, `/`-separated) that the agent added, modified or deleted. `change` matters for
 * shadowing: a module the base already has is the task's own code, not a shadow.
 */
export function classifyChangedPath(
  path: string,
  change: 'added' | 'modified' | 'deleted',
  context: ClassifyContext,
): PathClassification {
  const parts = path.split('/');
  const name = parts.at(-1) ?? '';
  const artifact = parts.find((part) => artifactDirectories.has(part));
  if (artifact) return { class: 'artifact', reason: `${artifact} (a cache)` };
  if (/\.py[co]$/.test(name)) return { class: 'artifact', reason: 'compiled Python bytecode' };
  if (parts.includes('node_modules')) return infrastructure('node_modules (module resolution)');
  const metadata = parts.find((part) => /\.(dist|egg)-info$/.test(part));
  if (metadata) return infrastructure(`${metadata} (package metadata; entry points load pytest plugins)`);
  if (pythonConfigFiles.has(name)) return infrastructure(`${name} (Python test configuration)`);
  if (name.endsWith('.pth')) return infrastructure(`${name} (a .pth file runs code at interpreter start)`);
  if (javascriptConfigPatterns.some((pattern) => pattern.test(name)))
    return infrastructure(`${name} (JavaScript test-runner or build configuration)`);
  if (namedByTestCommand(path, context.testCommand))
    return infrastructure(`${path} (named by the test command)`);
  const shadowed = shadowedModule(parts, change, context);
  if (shadowed) return infrastructure(shadowed);
  if (context.declaredTestFiles.has(path))
    return { class: 'test-file', reason: 'a hidden or declared test file' };
  if (isTestFile(path) || isTestPathName(name))
    return { class: 'test-file', reason: 'a test file (by its name or folder)' };
  return { class: 'source', reason: 'source' };
}

function infrastructure(reason: string): PathClassification {
  return { class: 'test-infrastructure', reason };
}

/** A path whose own name is a test folder's (`tests` as a file or link replacing the folder). */
function isTestPathName(name: string): boolean {
  return isTestFile(`${name}/x`);
}

function namedByTestCommand(path: string, testCommand: string): boolean {
  const tokens = testCommand
    .split(/[\s;&|()<>=]+/)
    .map((token) => token.replace(/^['"]|['"]$/g, '').replace(/^\.\//, ''))
    .filter((token) => token.length > 0 && !token.startsWith('-'));
  return tokens.includes(path);
}

/**
 * A Python module the path adds at a top level (the workspace root or `src/`) whose name is a test runner's, a
 * pytest plugin's or the standard library's: it would be imported instead of the real one.
 */
function shadowedModule(
  parts: readonly string[],
  change: 'added' | 'modified' | 'deleted',
  context: ClassifyContext,
): string | undefined {
  if (change === 'deleted') return undefined;
  const roots = parts[0] === 'src' && parts.length > 1 ? [1, 0] : [0];
  for (const index of roots) {
    const component = parts[index];
    if (component === undefined) continue;
    const isLeaf = index === parts.length - 1;
    if (isLeaf && !/\.(py|pyi|so|pyd)$/.test(component)) continue;
    const module = isLeaf ? component.replace(/\..*$/, '') : component;
    const topLevel = parts.slice(0, index + 1).join('/');
    if (context.baseHas(topLevel)) continue;
    if (pythonRunnerModules.has(module) || /^(pytest|_pytest)_?/.test(module))
      return `${topLevel} (shadows the test runner module ${module})`;
    if (module !== 'test' && pythonStandardModules.has(module) && (isLeaf || parts.at(-1)?.endsWith('.py')))
      return `${topLevel} (shadows the standard library module ${module})`;
  }
  return undefined;
}
